//! Every bad configuration value: exit code 2 and exactly one stderr line
//! naming the variable, never a panic. Plus `--help` and `--version`.

mod support;

use std::process::{Command, Output, Stdio};
use support::BIN;

fn run(env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run forwarder")
}

fn assert_rejected(var: &str, value: &str, extra: &[(&str, &str)]) {
    let spool = tempfile::tempdir().unwrap();
    let spool_path = spool.path().to_string_lossy().into_owned();
    let mut env: Vec<(&str, &str)> = vec![
        ("SYSTEM_STATS_SPOOL_DIR", &spool_path),
        ("SYSTEM_STATS_LOG_FORMAT", "text"),
    ];
    env.retain(|(k, _)| *k != var);
    env.push((var, value));
    env.extend_from_slice(extra);
    let out = run(&env, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{var}={value:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{var}={value:?}: {stderr}");
    assert!(stderr.contains(var), "{var}={value:?}: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn bad_interval() {
    for value in ["0", "-1", "abc", "", "NaN", "inf", "1e9"] {
        assert_rejected("SYSTEM_STATS_FORWARD_INTERVAL", value, &[]);
    }
}

#[test]
fn bad_timeout() {
    for value in ["0", "-3", "ten"] {
        assert_rejected("SYSTEM_STATS_FORWARD_TIMEOUT", value, &[]);
    }
}

#[test]
fn bad_urls() {
    for value in [
        "not a url",
        "ftp://host/system",
        "http://",
        "/system",
        "127.0.0.1:5001/system",
    ] {
        assert_rejected("SYSTEM_STATS_URL", value, &[]);
    }
    for value in [
        "nope",
        "http://ok:5050/metrics,file:///tmp/x",
        "",
        " , ",
        "http://a/m,http://a/m",
    ] {
        assert_rejected("MONITORING_SERVER_METRICS_URL", value, &[]);
    }
}

#[test]
fn bad_log_settings() {
    assert_rejected("SYSTEM_STATS_FORWARD_LOG_LEVEL", "loud", &[]);
    assert_rejected("SYSTEM_STATS_LOG_FORMAT", "xml", &[]);
}

#[test]
fn bad_spool_settings() {
    for value in ["0", "100", "-5", "64MB"] {
        assert_rejected("SYSTEM_STATS_SPOOL_MAX_BYTES", value, &[]);
    }
    // Below a regular file: cannot be created, whoever we run as.
    assert_rejected("SYSTEM_STATS_SPOOL_DIR", "/proc/version/spool", &[]);
    let file = tempfile::NamedTempFile::new().unwrap();
    assert_rejected(
        "SYSTEM_STATS_SPOOL_DIR",
        &file.path().to_string_lossy(),
        &[],
    );
}

#[test]
fn no_spool_dir_and_no_home_names_the_variable() {
    let out = run(&[("SYSTEM_STATS_LOG_FORMAT", "text")], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SYSTEM_STATS_SPOOL_DIR") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn bad_token_is_named_but_not_echoed() {
    assert_rejected("SYSTEM_STATS_FORWARD_TOKEN", "abc\u{7f}def", &[]);
}

#[test]
fn spool_in_use_by_another_forwarder() {
    let spool = tempfile::tempdir().unwrap();
    let path = spool.path().to_string_lossy().into_owned();
    let env = vec![
        ("SYSTEM_STATS_SPOOL_DIR", path.clone()),
        ("SYSTEM_STATS_URL", "http://127.0.0.1:9/system".to_string()),
        ("SYSTEM_STATS_FORWARD_INTERVAL", "5".to_string()),
    ];
    let first = support::Forwarder::spawn(&env);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = run(
        &[
            ("SYSTEM_STATS_SPOOL_DIR", &path),
            ("SYSTEM_STATS_LOG_FORMAT", "text"),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Not a configuration error (2): busy, exit 3, and said so.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("another forwarder is running on the spool")
            && stderr.contains("SYSTEM_STATS_SPOOL_DIR"),
        "{stderr}"
    );
    drop(first);
}

#[test]
fn unknown_flag_is_an_error() {
    let out = run(&[], &["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn help_lists_every_variable_and_version_prints() {
    let out = run(&[], &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "SYSTEM_STATS_URL",
        "MONITORING_SERVER_METRICS_URL",
        "SYSTEM_STATS_FORWARD_INTERVAL",
        "SYSTEM_STATS_FORWARD_LOG_LEVEL",
        "SYSTEM_STATS_FORWARD_TOKEN",
        "SYSTEM_STATS_FORWARD_TIMEOUT",
        "SYSTEM_STATS_SPOOL_DIR",
        "SYSTEM_STATS_SPOOL_MAX_BYTES",
        "SYSTEM_STATS_LOG_FORMAT",
        "SYSTEM_STATS_REMOTE_WRITE_URL",
        "SYSTEM_STATS_REMOTE_WRITE_LABELS",
        "SYSTEM_STATS_REMOTE_WRITE_USERNAME",
        "SYSTEM_STATS_REMOTE_WRITE_PASSWORD",
        "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
        "SYSTEM_STATS_METRICS_SOURCE_URL",
    ] {
        assert!(help.contains(var), "{var} missing from --help:\n{help}");
    }
    let out = run(&[], &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("system-stats-forwarder "));
}

#[test]
fn flag_beats_environment() {
    let out = run(
        &[("SYSTEM_STATS_FORWARD_INTERVAL", "5")],
        &["--interval", "0"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("--interval"), "{stderr}");
}

#[test]
fn bad_remote_write_settings() {
    let rw = (
        "SYSTEM_STATS_REMOTE_WRITE_URL",
        "http://127.0.0.1:9/api/v1/write",
    );
    for value in ["prom:9090/api/v1/write", "ftp://h/w", "http://a/w,nope"] {
        assert_rejected("SYSTEM_STATS_REMOTE_WRITE_URL", value, &[]);
    }
    for value in [
        "site",
        "site=lab,rack",
        "__name__=x",
        "a b=c",
        "a=1,a=2",
        "k=",
    ] {
        assert_rejected("SYSTEM_STATS_REMOTE_WRITE_LABELS", value, &[rw]);
    }
    assert_rejected("SYSTEM_STATS_METRICS_SOURCE_URL", "not a url", &[rw]);
    assert_rejected(
        "SYSTEM_STATS_METRICS_SOURCE_URL",
        "",
        &[rw, ("SYSTEM_STATS_URL", "http://127.0.0.1:5001/snapshot")],
    );
    assert_rejected("SYSTEM_STATS_REMOTE_WRITE_PASSWORD", "pw", &[rw]);
    assert_rejected(
        "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
        "tok",
        &[rw, ("SYSTEM_STATS_REMOTE_WRITE_USERNAME", "me")],
    );
    // Without remote write, an empty JSON destination list is still wrong.
    assert_rejected("MONITORING_SERVER_METRICS_URL", "", &[]);
}
