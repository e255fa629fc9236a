//! The card check and the daemons give the same verdict: each value of the
//! table goes through the real `system-stats-bootconf --check` and through the
//! real daemon binary that reads it (`--check-config`: exit 0, or 2 for a bad
//! setting). The daemons' binaries come from the same `cargo test --workspace`
//! build (or `cargo build -p system-stats -p system-stats-forwarder`).

use std::path::{Path, PathBuf};
use std::process::Command;
use system_stats_common::settings::{self, Daemon};

/// (settings given together, whether they are valid)
const CASES: &[(&[(&str, &str)], bool)] = &[
    (&[("SYSTEM_STATS_PORT", "0")], true),
    (&[("SYSTEM_STATS_PORT", "5001")], true),
    (&[("SYSTEM_STATS_PORT", "65536")], false),
    (&[("SYSTEM_STATS_PORT", "http")], false),
    (&[("SYSTEM_STATS_PORT", "")], false),
    (&[("SYSTEM_STATS_HOST", "localhost")], true),
    (&[("SYSTEM_STATS_HOST", "::")], true),
    (&[("SYSTEM_STATS_HOST", "[::1]")], true),
    (&[("SYSTEM_STATS_HOST", "pi.local")], false),
    (&[("SYSTEM_STATS_LOG_LEVEL", "off")], true),
    (&[("SYSTEM_STATS_LOG_LEVEL", "WARNING")], true),
    (&[("SYSTEM_STATS_LOG_LEVEL", "loud")], false),
    (&[("SYSTEM_STATS_LOG_FORMAT", "text")], true),
    (&[("SYSTEM_STATS_LOG_FORMAT", "xml")], false),
    (&[("SYSTEM_STATS_DISK_PATH", "/")], true),
    (&[("SYSTEM_STATS_DISK_PATH", "data")], false),
    (&[("SYSTEM_STATS_PROCFS", "proc")], false),
    (&[("SYSTEM_STATS_SYSFS", "sys")], false),
    (&[("SYSTEM_STATS_TLS_KEY_FILE", "key.pem")], false),
    (&[("SYSTEM_STATS_TEXTFILE_DIR", "")], true),
    (&[("SYSTEM_STATS_TEXTFILE_DIR", "textfiles")], false),
    (&[("SYSTEM_STATS_HISTORY", "off")], true),
    (&[("SYSTEM_STATS_HISTORY", "maybe")], false),
    (&[("SYSTEM_STATS_HISTORY_DIR", "history")], false),
    (
        &[("SYSTEM_STATS_BOOTCONF_RESULT_FILE", "result.json")],
        false,
    ),
    (&[("SYSTEM_STATS_ROLLBACK_FILE", "rollbacks.jsonl")], false),
    (&[("SYSTEM_STATS_TLS_CERT_FILE", "cert.pem")], false),
    (&[("SYSTEM_STATS_AUTH_TOKEN", "s3cr3t-token")], true),
    (&[("SYSTEM_STATS_AUTH_TOKEN", "")], true),
    (&[("SYSTEM_STATS_AUTH_TOKEN", "two words")], false),
    (&[("SYSTEM_STATS_AUTH_TOKEN", "caf\u{e9}")], false),
    (&[("SYSTEM_STATS_AUTH_TOKEN_FILE", "token")], false),
    (&[("SYSTEM_STATS_AUTH_EXEMPT", "/health, /metrics/")], true),
    (&[("SYSTEM_STATS_AUTH_EXEMPT", "")], true),
    (&[("SYSTEM_STATS_AUTH_EXEMPT", "health")], false),
    (&[("SYSTEM_STATS_AUTH_FAILURE_LIMIT", "0")], false),
    (&[("SYSTEM_STATS_AUTH_FAILURE_LIMIT", "100")], true),
    (&[("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", "users")], false),
    (
        &[("SYSTEM_STATS_URL", "http://127.0.0.1:5001/system")],
        true,
    ),
    (
        &[("SYSTEM_STATS_URL", "http://127.0.0.1:99999/system")],
        false,
    ),
    (&[("SYSTEM_STATS_URL", "ftp://pi/system")], false),
    (
        &[(
            "MONITORING_SERVER_METRICS_URL",
            "http://10.0.2.2:5050/m, https://a.example/x",
        )],
        true,
    ),
    (
        &[("MONITORING_SERVER_METRICS_URL", "http://x:99999/m")],
        false,
    ),
    (
        &[("MONITORING_SERVER_METRICS_URL", "http://a/x,http://a/x")],
        false,
    ),
    (&[("MONITORING_SERVER_METRICS_URL", "http://")], false),
    (&[("SYSTEM_STATS_FORWARD_INTERVAL", "0.5")], true),
    (&[("SYSTEM_STATS_FORWARD_INTERVAL", "0")], false),
    (&[("SYSTEM_STATS_FORWARD_INTERVAL", "100000")], false),
    (&[("SYSTEM_STATS_FORWARD_INTERVAL", "NaN")], false),
    (&[("SYSTEM_STATS_FORWARD_LOG_LEVEL", "off")], true),
    (&[("SYSTEM_STATS_FORWARD_LOG_LEVEL", "chatty")], false),
    (&[("SYSTEM_STATS_FORWARD_TOKEN", "tok3n")], true),
    (&[("SYSTEM_STATS_FORWARD_TOKEN", "two words")], false),
    (&[("SYSTEM_STATS_FORWARD_TOKEN_FILE", "token")], false),
    (&[("SYSTEM_STATS_FORWARD_TIMEOUT", "-1")], false),
    (&[("SYSTEM_STATS_SPOOL_DIR", "spool")], false),
    (&[("SYSTEM_STATS_SPOOL_MAX_BYTES", "4096")], true),
    (&[("SYSTEM_STATS_SPOOL_MAX_BYTES", "100")], false),
    (&[("SYSTEM_STATS_CLOCK_WAIT", "300")], true),
    (&[("SYSTEM_STATS_CLOCK_WAIT", "soon")], false),
    (
        &[(
            "SYSTEM_STATS_REMOTE_WRITE_URL",
            "http://prom:9090/api/v1/write",
        )],
        true,
    ),
    (
        &[("SYSTEM_STATS_REMOTE_WRITE_URL", "http://u:%ff@prom/w")],
        false,
    ),
    (
        &[("SYSTEM_STATS_REMOTE_WRITE_URL", "http://prom:99999/w")],
        false,
    ),
    (
        &[("SYSTEM_STATS_REMOTE_WRITE_LABELS", "site=lab,rack=2")],
        true,
    ),
    (&[("SYSTEM_STATS_REMOTE_WRITE_LABELS", "__name__=x")], false),
    (&[("SYSTEM_STATS_REMOTE_WRITE_USERNAME", "a:b")], false),
    (
        &[("SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN", "two words")],
        false,
    ),
    (&[("SYSTEM_STATS_REMOTE_WRITE_PASSWORD_FILE", "pw")], false),
    (
        &[("SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN_FILE", "t")],
        false,
    ),
    (
        &[(
            "SYSTEM_STATS_METRICS_SOURCE_URL",
            "http://127.0.0.1:5001/metrics",
        )],
        true,
    ),
    (&[("SYSTEM_STATS_METRICS_SOURCE_URL", "metrics")], false),
    (
        &[("SYSTEM_STATS_MQTT_URL", "mqtt://ha@127.0.0.1:1883")],
        true,
    ),
    (&[("SYSTEM_STATS_MQTT_URL", "http://127.0.0.1")], false),
    (&[("SYSTEM_STATS_MQTT_URL", "mqtt://broker/topic")], false),
    (&[("SYSTEM_STATS_MQTT_PASSWORD_FILE", "pw")], false),
    (&[("SYSTEM_STATS_MQTT_CA_FILE", "ca.pem")], false),
    (&[("SYSTEM_STATS_MQTT_DISCOVERY_PREFIX", "ha/#")], false),
    (
        &[("SYSTEM_STATS_ALERT_URLS", "ntfy+https://ntfy.sh/pi-1")],
        true,
    ),
    (
        &[("SYSTEM_STATS_ALERT_URLS", "ntfy+https://ntfy.sh/a/b")],
        false,
    ),
    (&[("SYSTEM_STATS_ALERT_URLS", "ftp://host/x")], false),
    (&[("SYSTEM_STATS_ALERT_TOKEN", "two words")], false),
    (&[("SYSTEM_STATS_ALERT_TOKEN_FILE", "t")], false),
    (&[("SYSTEM_STATS_ALERT_TEMP_C", "70.5")], true),
    (&[("SYSTEM_STATS_ALERT_TEMP_C", "200")], false),
    (&[("SYSTEM_STATS_ALERT_DISK_PERCENT", "0")], false),
    (&[("SYSTEM_STATS_ALERT_CLOCK_MINUTES", "1.5")], false),
    (&[("SYSTEM_STATS_ALERT_UNREACHABLE_POLLS", "0")], false),
    (&[("SYSTEM_STATS_ALERT_STATUS_FILE", "alerts.json")], false),
    (&[("SYSTEM_STATS_SOURCE_TOKEN", "tok3n")], true),
    (&[("SYSTEM_STATS_SOURCE_TOKEN", "two words")], false),
    (&[("SYSTEM_STATS_SOURCE_TOKEN_FILE", "t")], false),
    (
        &[
            ("SYSTEM_STATS_SOURCE_USERNAME", "admin"),
            ("SYSTEM_STATS_SOURCE_PASSWORD", "correct horse"),
        ],
        true,
    ),
    (
        &[
            ("SYSTEM_STATS_SOURCE_USERNAME", "ad min"),
            ("SYSTEM_STATS_SOURCE_PASSWORD", "pw"),
        ],
        false,
    ),
    (&[("SYSTEM_STATS_SOURCE_PASSWORD_FILE", "pw")], false),
    (&[("SYSTEM_STATS_SOURCE_CA_FILE", "ca.pem")], false),
];

fn daemon_bin(name: &str) -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_system-stats-bootconf")).with_file_name(name);
    assert!(
        bin.is_file(),
        "{} missing: run cargo test --workspace (or cargo build -p system-stats -p system-stats-forwarder)",
        bin.display()
    );
    bin
}

/// The card's verdict: `--check` exits 0 or 1.
fn card_accepts(dir: &Path, pairs: &[(&str, &str)]) -> (bool, String) {
    let conf = dir.join("system-stats.conf");
    let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(&conf, text).expect("write card");
    let out = Command::new(env!("CARGO_BIN_EXE_system-stats-bootconf"))
        .arg("--check")
        .arg("--conf")
        .arg(&conf)
        .output()
        .expect("run bootconf");
    let code = out.status.code();
    assert!(matches!(code, Some(0 | 1)), "bootconf --check: {code:?}");
    (code == Some(0), String::from_utf8_lossy(&out.stderr).into())
}

/// A daemon's verdict: `--check-config` exits 0, or 2 naming the setting.
fn daemon_accepts(bin: &str, dir: &Path, pairs: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(daemon_bin(bin))
        .arg("--check-config")
        .env_clear()
        .env("STATE_DIRECTORY", dir)
        .envs(pairs.iter().copied())
        .output()
        .expect("run daemon");
    let code = out.status.code();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(code, Some(0 | 2)),
        "{bin} {pairs:?}: {code:?} {stderr}"
    );
    if code == Some(2) {
        assert!(
            pairs.iter().any(|(k, _)| stderr.contains(k)) && stderr.trim().lines().count() == 1,
            "{bin} must name the setting in one line: {stderr}"
        );
    }
    (code == Some(0), stderr)
}

#[test]
fn the_card_check_and_the_daemons_agree_on_every_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut disagreements = Vec::new();
    for (pairs, valid) in CASES {
        let (card, card_says) = card_accepts(dir.path(), pairs);
        let daemon = settings::lookup(pairs[0].0)
            .unwrap_or_else(|| panic!("{} is not in the catalogue", pairs[0].0))
            .daemon;
        let bins: &[&str] = match daemon {
            Daemon::Agent => &["system-stats-service"],
            Daemon::Forwarder => &["system-stats-forwarder"],
            Daemon::Both => &["system-stats-service", "system-stats-forwarder"],
        };
        for bin in bins {
            let (accepted, says) = daemon_accepts(bin, dir.path(), pairs);
            if accepted != card || accepted != *valid {
                disagreements.push(format!(
                    "{pairs:?} (expected {}): card {card} ({}), {bin} {accepted} ({})",
                    if *valid { "valid" } else { "invalid" },
                    card_says.trim(),
                    says.trim()
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Every setting of the catalogue has a bad value in the table (so a new
/// setting comes with its proof of agreement), except those any text fits.
#[test]
fn every_setting_has_a_bad_value_in_the_table() {
    for spec in settings::all() {
        let covered = CASES
            .iter()
            .any(|(pairs, valid)| !valid && pairs.iter().any(|(k, _)| *k == spec.env));
        let any_text_fits = (spec.check)("a b:c").is_ok();
        assert!(
            covered || any_text_fits,
            "{}: add a bad value to CASES",
            spec.env
        );
    }
}
