//! The real agent reloading its authentication on SIGHUP: a rewritten users
//! file and token file take effect at once (removed user and old token
//! refused, even though they were verified and cached before), a malformed
//! file keeps the credentials in use with one warning naming the variable,
//! a token from `$CREDENTIALS_DIRECTORY` is read again too, and with
//! authentication off SIGHUP says there is nothing to reload.

mod support;

use base64::Engine;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::{parse_response, Agent};

const RELOADED: &str = "SIGHUP: authentication reloaded";
const KEPT: &str = "SIGHUP: keeping the authentication in use";

fn basic(user: &str, password: &str) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {b}")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn users_file(path: &Path, users: &[(&str, &str)]) {
    let lines: String = users
        .iter()
        .map(|(u, p)| format!("{u}:{}\n", bcrypt::hash(p, 4).unwrap()))
        .collect();
    std::fs::write(path, lines).unwrap();
}

/// The status of GET /system with this `Authorization` header.
fn status(agent: &Agent, authorization: &str) -> u16 {
    let mut s = TcpStream::connect(agent.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET /system HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: {authorization}\r\n\r\n",
        agent.addr
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw).status
}

fn sighup(agent: &Agent) {
    let pid = agent.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
}

/// SIGHUP, then the `n`th log line with all of `needles` (1-based).
fn sighup_and_wait(agent: &Agent, needles: &[&str], n: usize) -> String {
    sighup(agent);
    for _ in 0..200 {
        if let Some(line) = agent.log_lines(needles).into_iter().nth(n - 1) {
            return line;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // a dead agent (state Z) would mean the signal found no handler
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", agent.child.id()));
    panic!(
        "no log line #{n} with {needles:?}; agent /proc stat {stat:?}; log {:?}",
        agent.log_lines(&[])
    );
}

#[test]
fn sighup_swaps_users_and_token_and_a_bad_file_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let (users, token) = (dir.path().join("users"), dir.path().join("token"));
    users_file(&users, &[("alice", "alice pw")]);
    std::fs::write(&token, "old-token\n").unwrap();
    let agent = Agent::start(&[
        (
            "SYSTEM_STATS_BASIC_AUTH_USERS_FILE",
            users.to_str().unwrap(),
        ),
        ("SYSTEM_STATS_AUTH_TOKEN_FILE", token.to_str().unwrap()),
        ("SYSTEM_STATS_AUTH_FAILURE_LIMIT", "1000"),
    ]);
    let alice = basic("alice", "alice pw");
    for _ in 0..2 {
        // the second one is answered from the verification cache
        assert_eq!(status(&agent, &alice), 200);
    }
    assert_eq!(status(&agent, &bearer("old-token")), 200);
    assert_eq!(status(&agent, &basic("bob", "bob pw")), 401);

    users_file(&users, &[("bob", "bob pw")]);
    std::fs::write(&token, "new-token\n").unwrap();
    let line = sighup_and_wait(&agent, &[RELOADED], 1);
    assert!(
        line.contains("INFO") && line.contains("1 basic-auth users"),
        "{line}"
    );
    assert!(line.contains("bearer token: yes"), "{line}");
    assert!(
        !line.contains("new-token") && !line.contains("$2"),
        "{line}"
    );
    assert_eq!(status(&agent, &alice), 401);
    assert_eq!(status(&agent, &basic("bob", "bob pw")), 200);
    assert_eq!(status(&agent, &bearer("old-token")), 401);
    assert_eq!(status(&agent, &bearer("new-token")), 200);

    // a malformed users file: one warning naming it, bob and the token still work
    std::fs::write(&users, "carol:not-a-bcrypt-hash\n").unwrap();
    let line = sighup_and_wait(&agent, &[KEPT], 1);
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains("SYSTEM_STATS_BASIC_AUTH_USERS_FILE"),
        "{line}"
    );
    assert!(
        line.contains(users.to_str().unwrap()) && line.contains("line 1"),
        "{line}"
    );
    assert!(!line.contains("not-a-bcrypt-hash"), "{line}");
    assert_eq!(agent.log_lines(&[KEPT]).len(), 1);
    assert_eq!(agent.log_lines(&[RELOADED]).len(), 1);
    assert_eq!(status(&agent, &basic("bob", "bob pw")), 200);
    assert_eq!(status(&agent, &basic("carol", "x")), 401);
    assert_eq!(status(&agent, &bearer("new-token")), 200);

    // an empty token file: the same, naming the token's variable
    users_file(&users, &[("bob", "bob pw")]);
    std::fs::write(&token, "\n").unwrap();
    let line = sighup_and_wait(&agent, &[KEPT], 2);
    assert!(
        line.contains("SYSTEM_STATS_AUTH_TOKEN_FILE") && line.contains("empty"),
        "{line}"
    );
    assert_eq!(status(&agent, &bearer("new-token")), 200);
}

#[test]
fn a_credential_token_is_read_again_and_auth_off_has_nothing_to_reload() {
    let creds = tempfile::tempdir().unwrap();
    let token = creds.path().join("SYSTEM_STATS_AUTH_TOKEN");
    std::fs::write(&token, "first").unwrap();
    let agent = Agent::start(&[("CREDENTIALS_DIRECTORY", creds.path().to_str().unwrap())]);
    assert_eq!(status(&agent, &bearer("first")), 200);
    std::fs::write(&token, "second").unwrap();
    let line = sighup_and_wait(&agent, &[RELOADED], 1);
    assert!(
        line.contains("0 basic-auth users, bearer token: yes"),
        "{line}"
    );
    assert_eq!(status(&agent, &bearer("first")), 401);
    assert_eq!(status(&agent, &bearer("second")), 200);
    std::fs::remove_file(&token).unwrap();
    let line = sighup_and_wait(&agent, &[KEPT], 1);
    assert!(
        line.contains("credential SYSTEM_STATS_AUTH_TOKEN"),
        "{line}"
    );
    assert_eq!(status(&agent, &bearer("second")), 200);

    let open = Agent::start(&[]);
    let line = sighup_and_wait(
        &open,
        &["SIGHUP: nothing to reload (authentication is off)"],
        1,
    );
    assert!(line.contains("INFO"), "{line}");
    assert_eq!(open.get("/system").status, 200);
}
