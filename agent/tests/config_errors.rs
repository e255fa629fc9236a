//! The real binary's answer to bad configuration: one line on stderr naming
//! the variable (or flag) and the value, exit code 2 (1 when the port is
//! taken), never a panic or backtrace; plus --help and --version.

mod support;

use std::process::{Command, Output};
use support::BIN;

fn run(env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("SYSTEM_STATS_HOST", "127.0.0.1")
        .env("SYSTEM_STATS_LOG_FORMAT", "text")
        .env("RUST_BACKTRACE", "1")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run agent")
}

fn one_line_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        stderr.lines().count(),
        1,
        "exactly one stderr line: {stderr:?}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    stderr
}

#[test]
fn every_bad_value_is_one_line_and_exit_2() {
    let cases = [
        ("SYSTEM_STATS_PORT", "abc"),
        ("SYSTEM_STATS_PORT", "70000"),
        ("SYSTEM_STATS_PORT", "-1"),
        ("SYSTEM_STATS_HOST", "300.1.1.1"),
        ("SYSTEM_STATS_LOG_LEVEL", "verbose"),
        ("SYSTEM_STATS_LOG_FORMAT", "xml"),
        ("SYSTEM_STATS_DISK_PATH", "/does/not/exist"),
        ("SYSTEM_STATS_TEXTFILE_DIR", "/does/not/exist"),
        ("SYSTEM_STATS_HISTORY", "sometimes"),
        ("SYSTEM_STATS_HISTORY_DIR", "/does/not/exist"),
        #[cfg(target_os = "linux")]
        ("SYSTEM_STATS_PROCFS", "/tmp"),
        #[cfg(target_os = "linux")]
        ("SYSTEM_STATS_PROCFS", "/does/not/exist"),
        #[cfg(target_os = "linux")]
        ("SYSTEM_STATS_SYSFS", "/does/not/exist"),
    ];
    for (var, value) in cases {
        let out = run(&[(var, value)], &[]);
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let line = one_line_error(&out);
        assert!(
            line.contains(var) && line.contains(value),
            "{var}={value}: {line}"
        );
        assert!(line.contains("expected"), "says what is expected: {line}");
    }
}

#[test]
fn flags_override_env_and_are_named_in_errors() {
    let out = run(&[("SYSTEM_STATS_PORT", "5001")], &["--port", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("--port"));
    let out = run(&[], &["--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("--bogus"));
}

#[test]
fn port_in_use_is_one_line_and_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = run(&[("SYSTEM_STATS_PORT", &port)], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert!(last.contains(&port) && last.contains("in use"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_and_version() {
    let out = run(&[], &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "SYSTEM_STATS_HOST",
        "SYSTEM_STATS_PORT",
        "SYSTEM_STATS_LOG_LEVEL",
        "SYSTEM_STATS_DISK_PATH",
        "SYSTEM_STATS_PROCFS",
        "SYSTEM_STATS_SYSFS",
        "SYSTEM_STATS_LOG_FORMAT",
    ] {
        assert!(help.contains(var), "--help documents {var}");
    }
    let out = run(&[], &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("system-stats-service {}", env!("CARGO_PKG_VERSION"))
    );
}
