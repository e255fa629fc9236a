//! Test support: run the real `system-stats-service` binary on a fixture
//! tree (port 0, address parsed from its "listening on" log line), a
//! minimal HTTP/1.1 GET, and locating optional external tools on PATH.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The agent, killed when dropped.
pub struct Agent {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Agent {
    /// Start the agent reading the fixture tree `name`.
    pub fn on_fixture(name: &str) -> Agent {
        let root = fixture(name);
        let mut child = Command::new(env!("CARGO_BIN_EXE_system-stats-service"))
            .env("SYSTEM_STATS_PROCFS", root.join("proc"))
            .env("SYSTEM_STATS_SYSFS", root.join("sys"))
            .env("SYSTEM_STATS_HOST", "127.0.0.1")
            .env("SYSTEM_STATS_PORT", "0")
            .env("SYSTEM_STATS_LOG_FORMAT", "text")
            .env("SYSTEM_STATS_LOG_LEVEL", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start system-stats-service");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                        let _ = tx.send(addr);
                        sent = true;
                    }
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("agent logged its listening address");
        Agent {
            child,
            addr: addr.parse().expect("socket address"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn get(&self, path: &str) -> Response {
        request(self.addr, "GET", path)
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn request(addr: SocketAddr, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The first of `names` found on PATH.
pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A missing tool fails the test unless `skip_var=1` says this run may skip it.
pub fn require_tool(names: &[&str], skip_var: &str, package: &str) -> Option<PathBuf> {
    if let Some(p) = on_path(names) {
        return Some(p);
    }
    if std::env::var(skip_var).as_deref() == Ok("1") {
        eprintln!("skipping: none of {names:?} on PATH and {skip_var}=1");
        return None;
    }
    panic!("none of {names:?} on PATH: install the Debian package `{package}` or set {skip_var}=1");
}
