//! Test support: start the real `system-stats-service` binary on an
//! ephemeral loopback port and talk plain HTTP/1.1 to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_system-stats-service");

/// A captured /proc + /sys tree under agent/tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The fixture's independently computed (psutil) expectations.
pub fn expected(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(name).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

/// A running agent; killed on drop.
pub struct Agent {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Agent {
    /// Start on 127.0.0.1 with a kernel-chosen port; `env` adds settings.
    pub fn start(env: &[(&str, &str)]) -> Agent {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("SYSTEM_STATS_HOST", "127.0.0.1")
            .env("SYSTEM_STATS_PORT", "0")
            .env("SYSTEM_STATS_LOG_FORMAT", "text")
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn agent");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("agent logged its listening address")
            .parse()
            .expect("listening address parses");
        Agent { child, addr }
    }

    /// GET (or another method) `path`; returns status, content type and body.
    pub fn request(&self, method: &str, path: &str) -> Response {
        let mut s =
            TcpStream::connect_timeout(&self.addr, Duration::from_secs(5)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        .expect("send");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("http response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let content_type = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-type")
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default();
        Response {
            status,
            content_type,
            body: body.to_string(),
        }
    }

    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let r = self.request("GET", path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        assert_eq!(r.content_type, "application/json");
        serde_json::from_str(&r.body).expect("JSON body")
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}
