//! The real `system-stats-bootconf` binary applied to real files in a temporary
//! directory: bad values are named and skipped, good ones land in the conffile,
//! secrets leave the boot partition, a second apply changes nothing, and the
//! forwarder is enabled (through a recording `systemctl`) only with a destination
//! (a monitoring server, remote write, an MQTT broker or alert receivers).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::DEFAULTS;

fn run(dir: &Path, extra: &[&str]) -> Output {
    support::bootconf(dir)
        .arg("--systemctl")
        .arg(dir.join("systemctl"))
        .args(extra)
        .output()
        .expect("run system-stats-bootconf")
}

/// A `systemctl` that appends its arguments to `calls` (the unit side is proven by the image boot test).
fn setup(conf: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("system-stats.conf"), conf).expect("write conf");
    fs::write(dir.path().join("default"), DEFAULTS).expect("write default");
    let sc = dir.path().join("systemctl");
    fs::write(
        &sc,
        format!("#!/bin/sh\necho \"$*\" >> {}/calls\n", dir.path().display()),
    )
    .expect("write systemctl");
    fs::set_permissions(&sc, fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

const CONF: &str = "# my card\r\nhostname=pi-lab\r\nMONITORING_SERVER_METRICS_URL=http://10.0.2.2:5050/metrics\r\nSYSTEM_STATS_PORT=notaport\r\nSYSTEM_STATS_FORWARD_INTERVAL=2\r\nSYSTEM_STATS_FORWARD_TOKEN=s3cr3t-token\r\nwifi_psk=correct horse\r\n";

#[test]
fn applies_good_values_names_bad_ones_and_redacts() {
    let dir = setup(CONF);
    let out = run(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("<4>")
            && stdout.contains(
                "line 4: SYSTEM_STATS_PORT: \"notaport\" is not valid: expected a port number"
            ),
        "{stdout}"
    );
    assert!(!stdout.contains("s3cr3t"), "secrets are never logged");

    let default = fs::read_to_string(dir.path().join("default")).expect("default");
    assert!(default.contains("\nMONITORING_SERVER_METRICS_URL=http://10.0.2.2:5050/metrics\n"));
    assert!(default.contains("\nSYSTEM_STATS_FORWARD_INTERVAL=2\n"));
    assert!(
        !default.contains("s3cr3t"),
        "the token is a credential, not a setting"
    );
    assert!(
        !default.contains("\nSYSTEM_STATS_PORT="),
        "a rejected value is not written"
    );
    let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("default")), 0o640);
    let cred = dir.path().join("credstore/SYSTEM_STATS_FORWARD_TOKEN");
    assert_eq!(
        fs::read_to_string(&cred).expect("credential"),
        "s3cr3t-token"
    );
    assert_eq!(mode(&cred), 0o600, "the credential is root-only");
    assert_eq!(mode(&dir.path().join("credstore")), 0o700);

    assert!(!dir.path().join("system-stats.conf").exists());
    let applied =
        fs::read_to_string(dir.path().join("system-stats.conf.applied")).expect("applied");
    assert!(applied.contains("hostname=pi-lab\n#> applied\n"));
    assert!(
        applied.contains("SYSTEM_STATS_PORT=notaport\n#> ignored: \"notaport\" is not valid: expected a port number"),
        "{applied}"
    );
    let result: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("result/result.json")).expect("result.json"),
    )
    .expect("result.json is JSON");
    let port = &result["keys"].as_array().expect("keys")[2];
    assert_eq!(
        (port["key"].as_str(), port["status"].as_str()),
        (Some("SYSTEM_STATS_PORT"), Some("ignored"))
    );
    assert_eq!(
        result["ignored"], 2,
        "the port and the wifi_psk without a network: {result}"
    );
    assert!(
        !applied.contains("correct horse") && !applied.contains("s3cr3t"),
        "{applied}"
    );

    let calls = fs::read_to_string(dir.path().join("calls")).expect("systemctl called");
    assert_eq!(calls, "enable --no-reload system-stats-forwarder.service\nstart --no-block system-stats-forwarder.service\n");
}

#[test]
fn applying_again_after_an_interrupted_apply_gives_the_same_result() {
    let dir = setup(CONF);
    assert!(run(dir.path(), &[]).status.success());
    let first = fs::read_to_string(dir.path().join("default")).expect("default");
    // Power lost before the rename: the original file is still there.
    fs::write(dir.path().join("system-stats.conf"), CONF).expect("rewrite conf");
    assert!(run(dir.path(), &[]).status.success());
    assert_eq!(
        fs::read_to_string(dir.path().join("default")).expect("default"),
        first
    );
    assert!(!dir.path().join("system-stats.conf").exists());
}

#[test]
fn a_credential_replaces_the_same_secret_set_in_the_conffile() {
    let dir = setup("SYSTEM_STATS_SOURCE_TOKEN=from-card\nSYSTEM_STATS_REMOTE_WRITE_URL=http://u:p@10.0.2.2:9090/api/v1/write\n");
    fs::write(
        dir.path().join("default"),
        format!(
            "{DEFAULTS}SYSTEM_STATS_SOURCE_TOKEN=old\nSYSTEM_STATS_SOURCE_TOKEN_FILE=/etc/old\n"
        ),
    )
    .expect("write default");
    let out = run(dir.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let default = fs::read_to_string(dir.path().join("default")).expect("default");
    assert!(
        !default.contains("SYSTEM_STATS_SOURCE_TOKEN=old") && !default.contains("_FILE=/etc/old"),
        "two sources for one secret would stop the daemon: {default}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("credstore/SYSTEM_STATS_SOURCE_TOKEN")).expect("cred"),
        "from-card"
    );
    let mode = fs::metadata(dir.path().join("default"))
        .expect("stat")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(
        mode, 0o600,
        "a URL with a password stays in the conffile, root-only"
    );
}

#[test]
fn nothing_to_do_without_the_file_and_no_forwarder_without_destination() {
    let dir = setup("SYSTEM_STATS_LOG_LEVEL=debug\n");
    assert!(run(dir.path(), &[]).status.success());
    assert!(
        !dir.path().join("calls").exists(),
        "no destination: forwarder left alone"
    );
    let before = fs::read_to_string(dir.path().join("default")).expect("default");
    let out = run(dir.path(), &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("not present, nothing to apply"));
    assert_eq!(
        fs::read_to_string(dir.path().join("default")).expect("default"),
        before
    );
}

#[test]
fn check_mode_fails_on_bad_values_and_changes_nothing() {
    let dir = setup("SYSTEM_STATS_LOG_LEVEL=loud\n");
    let out = run(dir.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("SYSTEM_STATS_LOG_LEVEL: \"loud\" is not valid: expected one of"));
    assert!(dir.path().join("system-stats.conf").exists());
    assert_eq!(
        fs::read_to_string(dir.path().join("default")).expect("default"),
        DEFAULTS
    );
}

#[test]
fn unwritable_conffile_is_a_one_line_error_and_the_file_stays() {
    let dir = setup("SYSTEM_STATS_LOG_LEVEL=debug\n");
    let out = Command::new(env!("CARGO_BIN_EXE_system-stats-bootconf"))
        .arg("--conf")
        .arg(dir.path().join("system-stats.conf"))
        .args(["--default-file", "/proc/version/nope", "--no-systemctl"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot"), "{err}");
    assert!(
        dir.path().join("system-stats.conf").exists(),
        "kept for the next boot"
    );
}

/// Home Assistant's broker or an alert receiver is a destination as a
/// monitoring server is: the forwarder is enabled at first boot, and the
/// password or token goes to the credential store, not the conffile.
#[test]
fn mqtt_or_alerts_on_the_card_enable_the_forwarder() {
    for (conf, setting, credential) in [
        (
            "SYSTEM_STATS_MQTT_URL=mqtt://ha@10.0.2.2:1883\nSYSTEM_STATS_MQTT_PASSWORD=mqtt-s3cr3t\n",
            "\nSYSTEM_STATS_MQTT_URL=mqtt://ha@10.0.2.2:1883\n",
            ("SYSTEM_STATS_MQTT_PASSWORD", "mqtt-s3cr3t"),
        ),
        (
            "SYSTEM_STATS_ALERT_URLS=ntfy+https://ntfy.example/pi-1\nSYSTEM_STATS_ALERT_TOKEN=tk_s3cr3t\n",
            "\nSYSTEM_STATS_ALERT_URLS=ntfy+https://ntfy.example/pi-1\n",
            ("SYSTEM_STATS_ALERT_TOKEN", "tk_s3cr3t"),
        ),
    ] {
        let dir = setup(conf);
        let out = run(dir.path(), &[]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(!stdout.contains("s3cr3t"), "secrets are never logged");
        let default = fs::read_to_string(dir.path().join("default")).expect("default");
        assert!(default.contains(setting), "{default}");
        assert!(!default.contains("s3cr3t"), "{default}");
        let cred = dir.path().join("credstore").join(credential.0);
        assert_eq!(
            fs::read_to_string(&cred).expect("credential"),
            credential.1
        );
        let calls = fs::read_to_string(dir.path().join("calls")).expect("systemctl called");
        assert_eq!(calls, "enable --no-reload system-stats-forwarder.service\nstart --no-block system-stats-forwarder.service\n", "{conf}");
    }
    // A threshold alone sends nothing anywhere: the forwarder stays off.
    let dir = setup("SYSTEM_STATS_ALERT_TEMP_C=70\n");
    assert!(run(dir.path(), &[]).status.success());
    assert!(!dir.path().join("calls").exists());
}
