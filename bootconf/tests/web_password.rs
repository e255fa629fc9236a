//! `web_password=` on the card, end to end with the real binaries: bootconf
//! writes the htpasswd credential and the conffile lines, the real agent
//! started with that users file answers 401 without credentials, 200 with
//! admin:<password>, and /health stays open; the password leaves the card and
//! re-applying without it keeps it.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const PASSWORD: &str = "correct-horse-9";
mod support;
use support::DEFAULTS;

fn bootconf(dir: &Path) -> std::process::Output {
    support::bootconf(dir)
        .arg("--no-systemctl")
        .output()
        .expect("run bootconf")
}

struct Agent(Child);
impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_system-stats-bootconf"))
        .with_file_name("system-stats-service");
    assert!(
        bin.is_file(),
        "{} missing: run cargo test --workspace",
        bin.display()
    );
    bin
}

fn start_agent(users: &Path) -> (Agent, SocketAddr) {
    let mut child = Command::new(agent_bin())
        .env_clear()
        .env("SYSTEM_STATS_HOST", "127.0.0.1")
        .env("SYSTEM_STATS_PORT", "0")
        .env("SYSTEM_STATS_LOG_FORMAT", "text")
        .env("SYSTEM_STATS_HISTORY", "off")
        .env("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", users)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agent");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let agent = Agent(child);
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the agent logged its address")
        .parse()
        .expect("address");
    (agent, addr)
}

/// The status code of GET `path`, with basic auth `user:password` if given.
fn status(addr: SocketAddr, path: &str, auth: Option<&str>) -> u16 {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let auth = auth
        .map(|a| format!("Authorization: Basic {}\r\n", base64(a.as_bytes())))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut head = [0u8; 12];
    s.read_exact(&mut head).expect("status line");
    String::from_utf8_lossy(&head[9..12])
        .parse()
        .expect("status code")
}

fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_card_password_protects_the_agent_and_the_forwarder_gets_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::write(d.join("default"), DEFAULTS).expect("defaults");
    fs::write(
        d.join("system-stats.conf"),
        format!("web_password={PASSWORD}\n"),
    )
    .expect("card");
    let out = bootconf(d);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let conffile = fs::read_to_string(d.join("default")).expect("conffile");
    assert!(conffile.contains("\nSYSTEM_STATS_BASIC_AUTH_USERS_FILE=/run/credentials/system-stats.service/SYSTEM_STATS_BASIC_AUTH_USERS\n"));
    assert!(conffile.contains("\nSYSTEM_STATS_SOURCE_USERNAME=admin\n"));
    let source_pw = fs::read_to_string(d.join("credstore/SYSTEM_STATS_SOURCE_PASSWORD"))
        .expect("source password");
    assert_eq!(source_pw, PASSWORD);
    let applied = fs::read_to_string(d.join("system-stats.conf.applied")).expect(".applied");
    assert!(
        !applied.contains(PASSWORD) && applied.contains("# web_password=<removed after applying>")
    );

    let users = d.join("credstore/SYSTEM_STATS_BASIC_AUTH_USERS");
    let users_before = fs::read(&users).expect("users");
    let (_agent, addr) = start_agent(&users);
    for path in ["/", "/system", "/metrics", "/history", "/events"] {
        assert_eq!(status(addr, path, None), 401, "{path} without credentials");
    }
    assert_eq!(
        status(addr, "/system", Some(&format!("admin:{PASSWORD}"))),
        200
    );
    assert_eq!(
        status(addr, "/metrics", Some(&format!("admin:{PASSWORD}"))),
        200
    );
    assert_eq!(status(addr, "/system", Some("admin:wrong-password")), 401);
    assert_eq!(status(addr, "/health", None), 200);

    // renamed back without the password: the password in use is kept
    fs::rename(
        d.join("system-stats.conf.applied"),
        d.join("system-stats.conf"),
    )
    .expect("rename");
    assert!(bootconf(d).status.success());
    assert_eq!(fs::read(&users).expect("users"), users_before);
}
