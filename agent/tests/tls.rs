//! The real agent over HTTPS: the routes answer through TLS, plain HTTP to
//! the TLS port gets nothing, SIGHUP installs a renewed certificate while
//! the listener stays open (the served certificate changes; a bad file
//! keeps the old one, with a warning), and bad TLS settings are one line
//! naming the variable, exit code 2.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::tls::{cert_der, get, TestCa};
use support::{Agent, BIN};

fn sighup(agent: &Agent) {
    let ok = Command::new("kill")
        .args(["-HUP", &agent.child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
}

#[test]
fn https_routes_and_sighup_swaps_the_certificate() {
    let ca = TestCa::new();
    let first = ca.issue("first");
    let second = ca.issue("second");
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::copy(&first.cert, &cert).unwrap();
    std::fs::copy(&first.key, &key).unwrap();
    let agent = Agent::start(&[
        ("SYSTEM_STATS_TLS_CERT_FILE", cert.to_str().unwrap()),
        ("SYSTEM_STATS_TLS_KEY_FILE", key.to_str().unwrap()),
    ]);

    let (r, served) = get(agent.addr, &ca.ca_pem, "/system", &[]).expect("HTTPS /system");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    assert!(v["memory"]["total"].as_u64().unwrap() > 0);
    assert_eq!(served, cert_der(&first.cert));
    let (m, _) = get(agent.addr, &ca.ca_pem, "/metrics", &[]).unwrap();
    assert!(m.body.contains("node_memory_MemTotal_bytes"));

    // plain HTTP to the TLS port is not answered with a page
    let plain = std::panic::catch_unwind(|| support::request(agent.addr, "GET", "/health"));
    assert!(plain.map_or(true, |r| r.status != 200));

    // renewal: new files, SIGHUP, the next handshake gets the new certificate
    std::fs::copy(&second.cert, &cert).unwrap();
    std::fs::copy(&second.key, &key).unwrap();
    sighup(&agent);
    agent.wait_log_line(&["TLS certificate reloaded"]);
    let (r, served) = get(agent.addr, &ca.ca_pem, "/health", &[]).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(served, cert_der(&second.cert));
    assert_ne!(served, cert_der(&first.cert));

    // a broken file at SIGHUP: warning naming the variable, old certificate kept
    std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
    sighup(&agent);
    let line = agent.wait_log_line(&["keeping the certificate in use"]);
    assert!(
        line.contains("WARN") && line.contains("SYSTEM_STATS_TLS_CERT_FILE"),
        "{line}"
    );
    assert!(line.contains(cert.to_str().unwrap()), "{line}");
    let (r, served) = get(agent.addr, &ca.ca_pem, "/health", &[]).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(served, cert_der(&second.cert));
    // and a key that does not belong to the certificate
    std::fs::copy(&first.cert, &cert).unwrap();
    sighup(&agent);
    let line = agent.wait_log_line(&[
        "keeping the certificate in use",
        "SYSTEM_STATS_TLS_KEY_FILE",
    ]);
    assert!(line.contains("private key"), "{line}");
    assert_eq!(
        get(agent.addr, &ca.ca_pem, "/", &[]).unwrap().1,
        cert_der(&second.cert)
    );

    // SIGTERM still stops it cleanly and promptly
    let mut agent = agent;
    let t = Instant::now();
    let pid = agent.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert_eq!(agent.child.wait().unwrap().code(), Some(0));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn a_client_not_trusting_the_ca_is_refused() {
    let ca = TestCa::new();
    let other = TestCa::new();
    let c = ca.issue("server");
    let agent = Agent::start(&[
        ("SYSTEM_STATS_TLS_CERT_FILE", c.cert.to_str().unwrap()),
        ("SYSTEM_STATS_TLS_KEY_FILE", c.key.to_str().unwrap()),
    ]);
    let Err(err) = get(agent.addr, &other.ca_pem, "/health", &[]) else {
        panic!("a client not trusting the CA got an answer")
    };
    assert!(
        err.contains("UnknownIssuer") || err.contains("certificate"),
        "{err}"
    );
    assert!(get(agent.addr, &ca.ca_pem, "/health", &[]).is_ok());
}

fn run(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("SYSTEM_STATS_HOST", "127.0.0.1")
        .env("SYSTEM_STATS_PORT", "0")
        .env("SYSTEM_STATS_LOG_FORMAT", "text");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run agent");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Settings, the variable the error must name, and a text it must contain.
type Case = (Vec<(&'static str, String)>, &'static str, String);

#[test]
fn bad_tls_and_auth_files_are_one_line_naming_the_variable() {
    let ca = TestCa::new();
    let a = ca.issue("a");
    let b = ca.issue("b");
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "hello\n").unwrap();
    let not_bcrypt = dir.path().join("users");
    std::fs::write(&not_bcrypt, "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n").unwrap();
    let p = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let (cert, key, garbage_s) = (p(&a.cert), p(&a.key), p(&garbage));
    let cases: Vec<Case> = vec![
        (
            vec![("SYSTEM_STATS_TLS_CERT_FILE", cert.clone())],
            "SYSTEM_STATS_TLS_CERT_FILE",
            "SYSTEM_STATS_TLS_KEY_FILE".into(),
        ),
        (
            vec![("SYSTEM_STATS_TLS_KEY_FILE", key.clone())],
            "SYSTEM_STATS_TLS_KEY_FILE",
            "SYSTEM_STATS_TLS_CERT_FILE".into(),
        ),
        (
            vec![
                ("SYSTEM_STATS_TLS_CERT_FILE", "/no/such.pem".into()),
                ("SYSTEM_STATS_TLS_KEY_FILE", key.clone()),
            ],
            "SYSTEM_STATS_TLS_CERT_FILE",
            "/no/such.pem".into(),
        ),
        (
            vec![
                ("SYSTEM_STATS_TLS_CERT_FILE", garbage_s.clone()),
                ("SYSTEM_STATS_TLS_KEY_FILE", key.clone()),
            ],
            "SYSTEM_STATS_TLS_CERT_FILE",
            garbage_s.clone(),
        ),
        (
            vec![
                ("SYSTEM_STATS_TLS_CERT_FILE", cert.clone()),
                ("SYSTEM_STATS_TLS_KEY_FILE", garbage_s.clone()),
            ],
            "SYSTEM_STATS_TLS_KEY_FILE",
            garbage_s.clone(),
        ),
        (
            vec![
                ("SYSTEM_STATS_TLS_CERT_FILE", cert.clone()),
                ("SYSTEM_STATS_TLS_KEY_FILE", p(&b.key)),
            ],
            "SYSTEM_STATS_TLS_KEY_FILE",
            "private key".into(),
        ),
        (
            vec![("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", p(&not_bcrypt))],
            "SYSTEM_STATS_BASIC_AUTH_USERS_FILE",
            "bcrypt".into(),
        ),
        (
            vec![("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", "/no/users".into())],
            "SYSTEM_STATS_BASIC_AUTH_USERS_FILE",
            "/no/users".into(),
        ),
        (
            vec![("SYSTEM_STATS_AUTH_TOKEN_FILE", "/no/token".into())],
            "SYSTEM_STATS_AUTH_TOKEN_FILE",
            "/no/token".into(),
        ),
        (
            vec![("SYSTEM_STATS_AUTH_FAILURE_LIMIT", "0".into())],
            "SYSTEM_STATS_AUTH_FAILURE_LIMIT",
            "0".into(),
        ),
        (
            vec![("SYSTEM_STATS_AUTH_EXEMPT", "health".into())],
            "SYSTEM_STATS_AUTH_EXEMPT",
            "health".into(),
        ),
    ];
    for (env, var, also) in cases {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (code, stderr) = run(&env);
        assert_eq!(code, Some(2), "{env:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{env:?}: {stderr}");
        assert!(
            stderr.contains(var) && stderr.contains(&also),
            "{env:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
