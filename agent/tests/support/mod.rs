//! Test support: start the real `system-stats-service` binary on an
//! ephemeral loopback port and talk plain HTTP/1.1 to it.
#![allow(dead_code)]

pub mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// Every line the agent logged on stderr so far.
    pub log: Arc<Mutex<Vec<String>>>,
    /// The thread filling `log`; joined once the agent has exited, so that
    /// its last lines are in `log` before a test reads them.
    reader: Option<std::thread::JoinHandle<()>>,
    /// An empty sysfs stand-in for fixture trees without `sys/`.
    _empty_sysfs: Option<tempfile::TempDir>,
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
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("agent logged its listening address")
            .parse()
            .expect("listening address parses");
        Agent {
            child,
            addr,
            log,
            reader: Some(reader),
            _empty_sysfs: None,
        }
    }

    /// Sends SIGTERM (a graceful stop, as systemd's).
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits up to `limit` for the agent to exit: its exit code, None if it
    /// still runs. Once it has exited, every line it logged is in `log`.
    pub fn exit_code_within(&mut self, limit: Duration) -> Option<Option<i32>> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join(); // stderr is at its end: the process is gone
                }
                return Some(status.code());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Start on the captured tree `name` (its proc/ and sys/; a tree without
    /// sys/ stands for a host whose sysfs is empty).
    pub fn on_fixture(name: &str) -> Agent {
        let root = fixture(name);
        let empty = (!root.join("sys").is_dir()).then(|| tempfile::tempdir().expect("tempdir"));
        let sys = empty
            .as_ref()
            .map_or_else(|| root.join("sys"), |d| d.path().to_path_buf());
        let mut agent = Agent::start(&[
            (
                "SYSTEM_STATS_PROCFS",
                root.join("proc").to_str().expect("utf8"),
            ),
            ("SYSTEM_STATS_SYSFS", sys.to_str().expect("utf8")),
        ]);
        agent._empty_sysfs = empty;
        agent
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    /// `method path` over a fresh connection.
    pub fn request(&self, method: &str, path: &str) -> Response {
        request(self.addr, method, path)
    }

    /// The logged lines containing every one of `needles`.
    pub fn log_lines(&self, needles: &[&str]) -> Vec<String> {
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        log.into_iter()
            .filter(|l| needles.iter().all(|n| l.contains(n)))
            .collect()
    }

    /// The first log line with all of `needles`, waited for up to 10 s:
    /// the agent may log an event just after it has answered the request.
    pub fn wait_log_line(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.log_lines(needles).into_iter().next() {
                return line;
            }
            assert!(Instant::now() < deadline, "no log line with {needles:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let r = self.request("GET", path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"));
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

/// A minimal HTTP/1.1 request (Connection: close) and its parsed response.
pub fn request(addr: SocketAddr, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    parse_response(&raw)
}

/// A whole HTTP/1.1 response as read from the socket.
pub fn parse_response(raw: &[u8]) -> Response {
    let raw = String::from_utf8_lossy(raw);
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

/// `promtool check metrics` of `text`: its exit code and its report.
pub fn promtool(path: &std::path::Path, text: &str) -> (Option<i32>, String) {
    let mut child = Command::new(path)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write metrics");
    let out = child.wait_with_output().expect("promtool output");
    let mut report = String::from_utf8_lossy(&out.stdout).into_owned();
    report.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), report)
}

/// The name and label pairs (sorted) of a rendered series, `name{a="x",b="y"}`;
/// label values stay escaped as written.
pub fn split_series(s: &str) -> (String, Vec<(String, String)>) {
    let Some((name, rest)) = s.split_once('{') else {
        return (s.to_string(), Vec::new());
    };
    let mut labels = Vec::new();
    let mut chars = rest.chars();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let key = key.trim_start_matches(',').to_string();
        if key.is_empty() || key == "}" {
            break;
        }
        assert_eq!(chars.next(), Some('"'), "{s}");
        let mut v = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    v.push('\\');
                    v.extend(chars.next());
                }
                '"' => break,
                c => v.push(c),
            }
        }
        labels.push((key, v));
    }
    labels.sort();
    (name.to_string(), labels)
}
