//! The real agent with authentication: bcrypt basic auth and a bearer
//! token over HTTPS, 401 with `WWW-Authenticate`, `/health` exempt,
//! failures logged with the peer address, 429 for an address that failed
//! too often while another address is unaffected, and a wrong user name
//! costing as much time as a wrong password.

mod support;

use base64::Engine;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use support::tls::{get, TestCa};
use support::{parse_response, Agent, Response};

const PASSWORD: &str = "correct horse";
const TOKEN: &str = "s3cr3t-t0ken";

fn basic(user: &str, password: &str) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {b}")
}

/// Files for an agent with users alice and bob (bcrypt cost `cost`) and a token.
fn auth_files(cost: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let users = format!(
        "# htpasswd -B\nalice:{}\nbob:{}\n",
        bcrypt::hash(PASSWORD, cost)
            .unwrap()
            .replace("$2b$", "$2y$"),
        bcrypt::hash("bobs password", cost).unwrap()
    );
    std::fs::write(dir.path().join("users"), users).unwrap();
    std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
    dir
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_str().unwrap().to_string()
}

/// GET over plain HTTP from the local address `from`, with header lines.
fn get_from(from: &str, to: SocketAddr, p: &str, headers: &[(&str, &str)]) -> Response {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let std_stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        socket.connect(to).await.unwrap().into_std().unwrap()
    });
    let mut s = std_stream;
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("GET {p} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

#[test]
fn basic_and_bearer_over_https_with_health_exempt() {
    let files = auth_files(6);
    let ca = TestCa::new();
    let c = ca.issue("server");
    let agent = Agent::start(&[
        ("SYSTEM_STATS_TLS_CERT_FILE", c.cert.to_str().unwrap()),
        ("SYSTEM_STATS_TLS_KEY_FILE", c.key.to_str().unwrap()),
        ("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", &path(&files, "users")),
        ("SYSTEM_STATS_AUTH_TOKEN_FILE", &path(&files, "token")),
    ]);
    let https = |p: &str, h: &[(&str, &str)]| get(agent.addr, &ca.ca_pem, p, h).expect("HTTPS").0;

    for p in ["/system", "/metrics", "/", "/nothing-here"] {
        let r = https(p, &[]);
        assert_eq!(r.status, 401, "{p}");
        let challenges: Vec<&str> = r
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("www-authenticate"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            challenges,
            [
                "Basic realm=\"system-stats\", charset=\"UTF-8\"",
                "Bearer realm=\"system-stats\", charset=\"UTF-8\""
            ]
        );
        assert_eq!(
            r.body,
            r#"{"error":"authentication required","status":401}"#
        );
    }
    let r = https("/health", &[]);
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"status":"ok"}"#));

    let alice = basic("alice", PASSWORD);
    for _ in 0..2 {
        let r = https("/system", &[("Authorization", &alice)]);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["cpu"].is_object());
    }
    let r = https(
        "/metrics",
        &[("Authorization", &basic("bob", "bobs password"))],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("node_load1"));
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(https("/", &[("Authorization", &bearer)]).status, 200);
    assert_eq!(
        https("/nothing-here", &[("Authorization", &bearer)]).status,
        404
    );

    for (h, reason) in [
        (basic("alice", "wrong"), "wrong password"),
        (basic("mallory", PASSWORD), "unknown user"),
        ("Bearer nope".to_string(), "wrong bearer token"),
    ] {
        assert_eq!(
            https("/system", &[("Authorization", &h)]).status,
            401,
            "{h}"
        );
        let line = agent.wait_log_line(&[reason]);
        assert!(
            line.contains("WARN") && line.contains("127.0.0.1"),
            "{line}"
        );
        assert!(!line.contains(PASSWORD) && !line.contains("nope"), "{line}");
    }
}

#[test]
fn repeated_failures_get_429_only_for_that_address() {
    let files = auth_files(4);
    let agent = Agent::start(&[
        ("SYSTEM_STATS_AUTH_TOKEN_FILE", &path(&files, "token")),
        ("SYSTEM_STATS_AUTH_FAILURE_LIMIT", "3"),
    ]);
    let bad = [("Authorization", "Bearer wrong")];
    let good_h = format!("Bearer {TOKEN}");
    let good = [("Authorization", good_h.as_str())];
    for _ in 0..4 {
        assert_eq!(
            get_from("127.0.0.1", agent.addr, "/system", &bad).status,
            401
        );
    }
    let r = get_from("127.0.0.1", agent.addr, "/system", &good);
    assert_eq!(r.status, 429, "{}", r.body);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((50..=60).contains(&retry), "{retry}");
    let limited = ["too many failed authentications", "127.0.0.1"];
    agent.wait_log_line(&limited);
    assert_eq!(agent.log_lines(&limited).len(), 1);
    // /health stays open, another address is not affected
    assert_eq!(
        get_from("127.0.0.1", agent.addr, "/health", &[]).status,
        200
    );
    assert_eq!(
        get_from("127.0.0.2", agent.addr, "/system", &good).status,
        200
    );
    assert_eq!(
        get_from("127.0.0.2", agent.addr, "/system", &bad).status,
        401
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
fn a_wrong_user_takes_as_long_as_a_wrong_password() {
    let files = auth_files(8);
    let agent = Agent::start(&[
        ("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", &path(&files, "users")),
        ("SYSTEM_STATS_AUTH_FAILURE_LIMIT", "100000"),
    ]);
    let timed = |h: &str| {
        let t = Instant::now();
        let r = get_from("127.0.0.1", agent.addr, "/system", &[("Authorization", h)]);
        assert_eq!(r.status, 401);
        t.elapsed()
    };
    let (wrong_user, wrong_password) = (basic("mallory", PASSWORD), basic("alice", "nope"));
    let (mut users, mut passwords) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        users.push(timed(&wrong_user));
        passwords.push(timed(&wrong_password));
    }
    let (u, p) = (median(users), median(passwords));
    // a bcrypt check at cost 8 is milliseconds; skipping it would be ~100x faster
    let ratio = u.as_secs_f64() / p.as_secs_f64();
    assert!(
        (0.6..1.6).contains(&ratio),
        "wrong user {u:?}, wrong password {p:?}"
    );
    assert!(p > Duration::from_millis(2), "bcrypt ran: {p:?}");
}

#[test]
fn an_open_non_loopback_listener_is_called_out_at_start() {
    let needle = "no authentication on the non-loopback address";
    let open = Agent::start(&[("SYSTEM_STATS_HOST", "0.0.0.0")]);
    assert_eq!(open.get("/health").status, 200);
    let line = open.wait_log_line(&[needle]);
    assert!(line.contains("WARN"), "{line}");
    let local = Agent::start(&[]);
    let files = auth_files(4);
    let locked = Agent::start(&[
        ("SYSTEM_STATS_HOST", "0.0.0.0"),
        ("SYSTEM_STATS_AUTH_TOKEN_FILE", &path(&files, "token")),
    ]);
    assert_eq!(locked.get("/health").status, 200);
    assert!(local.log_lines(&[needle]).is_empty());
    assert!(locked.log_lines(&[needle]).is_empty());
}
