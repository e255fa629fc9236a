//! A disk path on a mount whose statfs never answers (a real FUSE filesystem,
//! `support/deadfs.py`, standing in for a dead NFS server): `/system`,
//! `/metrics` and `/health` keep answering within 3 s each, concurrently
//! and one after another, with `disk` null and the dead mount's sizes null.
#![cfg(target_os = "linux")]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::Agent;

/// The FUSE daemon and its mount point; on drop (also when a test fails) the
/// daemon is killed, which aborts every statfs waiting on it, and the mount
/// is detached.
struct DeadMount {
    daemon: Child,
    /// A `stat -f` of the mount, proving that statfs really hangs.
    probe: Option<Child>,
    dir: tempfile::TempDir,
}

impl DeadMount {
    /// None (after saying why) where this machine cannot mount FUSE.
    fn start() -> Option<DeadMount> {
        if !Path::new("/dev/fuse").exists() {
            eprintln!("skipping: /dev/fuse does not exist, cannot mount a FUSE filesystem here");
            return None;
        }
        let Some(python) = support::on_path(&["python3"]) else {
            eprintln!("skipping: python3 (which runs the FUSE filesystem) is not on PATH");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/deadfs.py");
        let mut daemon = Command::new(python)
            .arg(&script)
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn deadfs.py");
        let stdout = daemon.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        let mut mount = DeadMount {
            daemon,
            probe: None,
            dir,
        };
        if line.trim() != "mounted" {
            eprintln!(
                "skipping: cannot mount a FUSE filesystem here ({})",
                line.trim()
            );
            return None;
        }
        let mut probe = Command::new("stat")
            .arg("-f")
            .arg(mount.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn stat -f");
        std::thread::sleep(Duration::from_millis(500));
        let answered = probe.try_wait().expect("try_wait").is_some();
        mount.probe = Some(probe);
        assert!(
            !answered,
            "statfs of the FUSE mount answered: not a dead mount"
        );
        Some(mount)
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().expect("utf8 path")
    }
}

impl Drop for DeadMount {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        if let Some(probe) = self.probe.as_mut() {
            let _ = probe.kill();
            let _ = probe.wait();
        }
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .stderr(Stdio::null())
            .status();
    }
}

const BOUND: Duration = Duration::from_secs(3);

fn timed_get(agent: &Agent, path: &str) -> (u16, String, Duration) {
    let t = Instant::now();
    let r = agent.get(path);
    (r.status, r.body, t.elapsed())
}

#[test]
fn a_disk_path_on_a_mount_whose_statfs_never_answers_does_not_stall_http() {
    // declared first so it is dropped last: an agent with a thread stuck in
    // statfs can only exit once the FUSE daemon is gone
    let agent: Agent;
    let Some(dead) = DeadMount::start() else {
        return;
    };
    agent = Agent::start(&[("SYSTEM_STATS_DISK_PATH", dead.path())]);

    // a burst at once, as a dashboard and a scraper would send it
    let burst: Vec<_> = [
        "/system", "/metrics", "/health", "/system", "/metrics", "/system",
    ]
    .into_iter()
    .map(|path| {
        let addr = agent.addr;
        std::thread::spawn(move || {
            let t = Instant::now();
            let r = support::request(addr, "GET", path);
            (path, r.status, t.elapsed())
        })
    })
    .collect();
    for handle in burst {
        let (path, status, took) = handle.join().expect("request thread");
        assert_eq!(status, 200, "{path}");
        assert!(took <= BOUND, "{path} took {took:?}");
    }

    // and one after another, past the coalescing period
    for _ in 0..4 {
        for path in ["/system", "/metrics", "/health"] {
            let (status, body, took) = timed_get(&agent, path);
            assert_eq!(status, 200, "{path}: {body}");
            assert!(took <= BOUND, "{path} took {took:?}");
        }
        std::thread::sleep(Duration::from_millis(300));
    }

    let (_, body, _) = timed_get(&agent, "/system");
    let system: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert!(
        system["disk"].is_null(),
        "disk of a dead mount: {}",
        system["disk"]
    );
    assert!(system["memory"]["total"].as_u64().is_some_and(|t| t > 0));
    let dead_entry = system["filesystems"]
        .as_array()
        .expect("filesystems")
        .iter()
        .find(|f| f["mount"] == dead.path())
        .cloned()
        .expect("the dead mount is listed");
    assert_eq!(dead_entry["fstype"], "fuse.deadfs");
    assert!(dead_entry["total"].is_null(), "{dead_entry}");

    let (_, metrics, _) = timed_get(&agent, "/metrics");
    assert!(metrics.contains("node_memory_MemTotal_bytes"), "{metrics}");
}
