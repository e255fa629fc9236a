//! Secrets kept out of the environment: the forward token read from its
//! `*_FILE` twin or from a systemd credential (`$CREDENTIALS_DIRECTORY`)
//! reaches the server and never the process environment; two sources for
//! one secret, or an unreadable file, are one-line errors that name the
//! source and never echo the secret.

mod support;

use std::process::{Command, Stdio};
use support::*;

const SECRET: &str = "file-s3cret-token";

fn delivered_with(extra: &[(&str, String)]) {
    let source = Source::start();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.extend(extra.iter().cloned());
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || !receiver.accepted().is_empty()),
        "{}",
        fwd.log()
    );
    let post = &receiver.accepted()[0];
    assert_eq!(
        post.authorization.as_deref(),
        Some(format!("Bearer {SECRET}").as_str())
    );
    let environ = std::fs::read(format!("/proc/{}/environ", fwd.pid())).unwrap();
    assert!(
        !String::from_utf8_lossy(&environ).contains(SECRET),
        "the token is in the forwarder's environment"
    );
    assert!(!fwd.log().contains(SECRET), "the token was logged");
}

#[test]
fn token_from_its_file_twin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    delivered_with(&[(
        "SYSTEM_STATS_FORWARD_TOKEN_FILE",
        file.display().to_string(),
    )]);
}

#[test]
fn token_from_a_systemd_credential() {
    let creds = tempfile::tempdir().unwrap();
    std::fs::write(creds.path().join("SYSTEM_STATS_FORWARD_TOKEN"), SECRET).unwrap();
    delivered_with(&[("CREDENTIALS_DIRECTORY", creds.path().display().to_string())]);
}

/// Exit 2 and one stderr line containing `named`, without the secret.
fn rejected(env: &[(&str, &str)], named: &str) {
    let spool = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SYSTEM_STATS_SPOOL_DIR", spool.path())
        .env("SYSTEM_STATS_LOG_FORMAT", "text")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run forwarder");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{env:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(named), "{named} not in: {stderr}");
    assert!(!stderr.contains(SECRET), "secret echoed: {stderr}");
}

#[test]
fn two_sources_bad_files_and_bad_values_are_named_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, SECRET).unwrap();
    let path = file.to_str().unwrap();
    let creds = dir.path().to_str().unwrap();
    std::fs::write(dir.path().join("SYSTEM_STATS_FORWARD_TOKEN"), SECRET).unwrap();

    rejected(
        &[
            ("SYSTEM_STATS_FORWARD_TOKEN", SECRET),
            ("SYSTEM_STATS_FORWARD_TOKEN_FILE", path),
        ],
        "SYSTEM_STATS_FORWARD_TOKEN_FILE",
    );
    rejected(
        &[
            ("SYSTEM_STATS_FORWARD_TOKEN", SECRET),
            ("CREDENTIALS_DIRECTORY", creds),
        ],
        "credential SYSTEM_STATS_FORWARD_TOKEN",
    );
    rejected(
        &[("SYSTEM_STATS_FORWARD_TOKEN_FILE", "/nonexistent/token")],
        "SYSTEM_STATS_FORWARD_TOKEN_FILE",
    );
    let bad = dir.path().join("bad");
    std::fs::write(&bad, format!("{SECRET}\u{7f}")).unwrap();
    rejected(
        &[("SYSTEM_STATS_FORWARD_TOKEN_FILE", bad.to_str().unwrap())],
        "SYSTEM_STATS_FORWARD_TOKEN_FILE",
    );
    let pw = dir.path().join("pw");
    std::fs::write(&pw, SECRET).unwrap();
    rejected(
        &[
            (
                "SYSTEM_STATS_REMOTE_WRITE_URL",
                "http://127.0.0.1:9/api/v1/write",
            ),
            (
                "SYSTEM_STATS_REMOTE_WRITE_PASSWORD_FILE",
                pw.to_str().unwrap(),
            ),
        ],
        "SYSTEM_STATS_REMOTE_WRITE_PASSWORD_FILE",
    );
}
