//! Test harness: a source serving realistic agent snapshots, a receiver
//! standing in for the monitoring server (switchable: 2xx, 5xx, 429, 400,
//! hanging, stopped), and the real forwarder binary run as a child process.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod receiver;
mod remote;
mod tmpfs;
#[allow(unused_imports)]
pub use receiver::{Mode, Post, Receiver};
#[allow(unused_imports)]
pub use remote::{RemoteReceiver, Write};
#[allow(unused_imports)]
pub use tmpfs::Tmpfs;

/// A real agent's `/metrics` (Pi 4 fixture tree), served by [`Source`].
pub const EXPOSITION: &str = include_str!("../fixtures/agent-metrics.txt");

pub const BIN: &str = env!("CARGO_BIN_EXE_system-stats-forwarder");

/// The poll interval the end-to-end tests run the forwarder with.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// The longest any end-to-end wait may take.
pub const LONG: Duration = Duration::from_secs(20);

/// The sample ids of (id, timestamp) pairs, in the order received.
pub fn ids(served: &[(u64, i64)]) -> Vec<u64> {
    served.iter().map(|(id, _)| *id).collect()
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Poll `cond` every 20 ms until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

/// A tiny_http server on 127.0.0.1 run by a thread until stopped.
pub(crate) struct HttpThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpThread {
    pub(crate) fn start(
        port: u16,
        handle: impl Fn(tiny_http::Request) + Send + 'static,
    ) -> (HttpThread, u16) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let server = loop {
            match tiny_http::Server::http(("127.0.0.1", port)) {
                Ok(server) => break server,
                Err(e) if Instant::now() > deadline => panic!("bind 127.0.0.1:{port}: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        let port = server.server_addr().to_ip().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(20)) {
                    handle(request);
                }
            }
        });
        (
            HttpThread {
                stop,
                thread: Some(thread),
            },
            port,
        )
    }

    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for HttpThread {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn respond(
    request: tiny_http::Request,
    code: u16,
    body: &str,
    headers: &[(&str, &str)],
) {
    let mut response = tiny_http::Response::from_string(body).with_status_code(code);
    for (name, value) in headers.iter().chain(&[
        ("Connection", "close"),
        ("Content-Type", "application/json"),
    ]) {
        response
            .add_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}

// ---------------------------------------------------------------- source

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceMode {
    Json,
    Garbage,
    Unavailable,
    /// Answer `/system` only after this many milliseconds.
    Slow(u64),
}

#[derive(Default)]
struct SourceState {
    mode: Option<SourceMode>,
    /// (sample id, unix time served) of every snapshot served.
    served: Vec<(u64, i64)>,
    /// When each of them was served.
    served_at: Vec<Instant>,
    /// `/metrics` answers served (each ends with `test_scrape_id <n>`).
    scrapes: u64,
}

/// Serves `/system` snapshots, each with an increasing `x_sample_id`, and
/// `/metrics` (the fixture plus `test_scrape_id <n>`, n = 1, 2, ...).
pub struct Source {
    pub url: String,
    state: Arc<Mutex<SourceState>>,
    _http: HttpThread,
}

pub fn snapshot(id: u64) -> Value {
    json!({
        "system": {"hostname": "test-pi", "os": "Debian GNU/Linux 12", "kernel": "6.6.31", "uptime_seconds": 12345 + id},
        "cpu": {"percent": 12.2, "count": 4, "per_core": [10.0, 14.5, 11.0, 13.3], "frequency_mhz": 1800.0},
        "memory": {"total": 8_000_000_000u64, "used": 5_416_000_000u64, "available": 2_584_000_000u64, "percent": 67.7},
        "swap": {"total": 104_853_504, "used": 1_048_576, "percent": 1.0},
        "disk": {"mount": "/", "total": 31_000_000_000u64, "used": 4_371_000_000u64, "free": 26_629_000_000u64, "percent": 14.1},
        "disk_io": {"read_bytes": 1_000_000 + id * 1_048_576, "write_bytes": 5_000_000 + id * 2 * 1_048_576, "read_count": 100 + id, "write_count": 200 + id},
        "load_avg": {"load1": 0.42, "load5": 0.36, "load15": 0.3},
        "temperature": {"cpu_celsius": 48.3},
        "network": {"bytes_sent": 1000 * id, "bytes_recv": 2000 * id},
        "x_future_section": {"added_by": "a later agent", "values": [1, 2, 3]},
        "x_sample_id": id
    })
}

impl Source {
    pub fn start() -> Source {
        let state = Arc::new(Mutex::new(SourceState {
            mode: Some(SourceMode::Json),
            served: Vec::new(),
            served_at: Vec::new(),
            scrapes: 0,
        }));
        let shared = Arc::clone(&state);
        let (http, port) = HttpThread::start(0, move |request| {
            let mut state = shared.lock().unwrap();
            let mode = state.mode.unwrap_or(SourceMode::Json);
            if request.url().ends_with("/metrics") && mode == SourceMode::Json {
                state.scrapes += 1;
                let text = format!("{EXPOSITION}test_scrape_id {}\n", state.scrapes);
                drop(state);
                return respond(request, 200, &text, &[]);
            }
            match mode {
                SourceMode::Json => {
                    let id = state.served.len() as u64 + 1;
                    state.served.push((id, unix_now()));
                    state.served_at.push(Instant::now());
                    drop(state);
                    respond(request, 200, &snapshot(id).to_string(), &[]);
                }
                SourceMode::Slow(ms) => {
                    drop(state);
                    // Off the server thread: other requests still get in.
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_millis(ms));
                        respond(request, 200, &snapshot(0).to_string(), &[]);
                    });
                }
                SourceMode::Garbage => respond(request, 200, "<html>not json</html>", &[]),
                SourceMode::Unavailable => respond(request, 503, "down", &[]),
            }
        });
        Source {
            url: format!("http://127.0.0.1:{port}/system"),
            state,
            _http: http,
        }
    }

    pub fn set_mode(&self, mode: SourceMode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    pub fn served(&self) -> Vec<(u64, i64)> {
        self.state.lock().unwrap().served.clone()
    }

    /// When each snapshot was served, in order.
    pub fn served_at(&self) -> Vec<Instant> {
        self.state.lock().unwrap().served_at.clone()
    }

    /// Stop serving samples and return every id served so far.
    pub fn pause(&self, interval: Duration) -> Vec<(u64, i64)> {
        self.set_mode(SourceMode::Unavailable);
        // Let a poll already in flight finish.
        std::thread::sleep(interval * 2 + Duration::from_millis(100));
        self.served()
    }
}

// ---------------------------------------------------------------- forwarder

/// The real forwarder binary, its stderr collected line by line.
pub struct Forwarder {
    child: Child,
    log: Arc<Mutex<String>>,
}

pub fn base_env<'a>(
    source: &'a str,
    metrics: &'a str,
    spool: &'a Path,
) -> Vec<(&'static str, String)> {
    vec![
        ("SYSTEM_STATS_URL", source.to_string()),
        ("MONITORING_SERVER_METRICS_URL", metrics.to_string()),
        ("SYSTEM_STATS_FORWARD_INTERVAL", "0.2".to_string()),
        ("SYSTEM_STATS_FORWARD_TIMEOUT", "2".to_string()),
        (
            "SYSTEM_STATS_SPOOL_DIR",
            spool.to_string_lossy().into_owned(),
        ),
        ("SYSTEM_STATS_LOG_FORMAT", "text".to_string()),
    ]
}

impl Forwarder {
    pub fn spawn(env: &[(&str, String)]) -> Forwarder {
        Forwarder::spawn_command(Command::new(BIN), env)
    }

    /// Run with `WATCHDOG_PID` set to the forwarder's own pid (a shell
    /// that `exec`s it), as systemd does: the watchdog counts as enabled.
    pub fn spawn_watched(env: &[(&str, String)]) -> Forwarder {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", "WATCHDOG_PID=$$ exec \"$0\"", BIN]);
        Forwarder::spawn_command(command, env)
    }

    fn spawn_command(mut command: Command, env: &[(&str, String)]) -> Forwarder {
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // This machine's clock may not be synchronized (no NTP in a
            // container): do not hold samples for it unless a test asks.
            .env("SYSTEM_STATS_CLOCK_WAIT", "0.001");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("spawn forwarder");
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Forwarder { child, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait (bounded) for the exit status.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pause the source and wait until the receiver has accepted the last
/// sample it served; returns the ids of everything served, for
/// [`assert_all_in_order`].
pub fn pause_and_drain(source: &Source, receiver: &Receiver, fwd: &Forwarder) -> Vec<u64> {
    let expected = ids(&source.pause(INTERVAL));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    expected
}

/// Check that `ids` hold each of `expected` in order, allowing at most
/// `max_duplicates` repeats of a sample right after it.
pub fn assert_all_in_order(ids: &[u64], expected: &[u64], max_duplicates: usize) {
    let mut deduped: Vec<u64> = Vec::new();
    let mut duplicates = 0;
    for &id in ids {
        if deduped.last() == Some(&id) {
            duplicates += 1;
        } else {
            deduped.push(id);
        }
    }
    assert_eq!(deduped, expected, "received {ids:?}");
    assert!(
        duplicates <= max_duplicates,
        "{duplicates} duplicates in {ids:?}"
    );
}
