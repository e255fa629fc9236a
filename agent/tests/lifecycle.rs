//! Process lifecycle of the real binary: SIGTERM ends it with exit code 0
//! even while clients hold connections open.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;
use support::Agent;

#[test]
fn sigterm_exits_zero_despite_idle_and_half_sent_connections() {
    let mut agent = Agent::start(&[]);
    // a browser's preconnected socket (nothing sent) and a client stuck mid-headers
    let idle = TcpStream::connect(agent.addr).expect("connect");
    let mut partial = TcpStream::connect(agent.addr).expect("connect");
    partial
        .write_all(b"GET /system HTTP/1.1\r\nHost: x\r\n")
        .expect("send");
    assert_eq!(agent.get("/health").status, 200);
    agent.sigterm();
    let code = agent.exit_code_within(Duration::from_secs(15));
    drop((idle, partial));
    assert_eq!(
        code,
        Some(Some(0)),
        "the agent must exit 0 soon after SIGTERM, not wait for idle clients"
    );
}

/// A procfs tree whose `meminfo` is a FIFO without writer: reading it blocks
/// in the kernel, as statvfs of a dead NFS mount does.
fn tree_with_blocking_meminfo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let proc = dir.path().join("proc");
    std::fs::create_dir_all(&proc).expect("mkdir proc");
    std::fs::copy(
        support::fixture("minimal").join("proc/stat"),
        proc.join("stat"),
    )
    .expect("copy stat");
    let status = std::process::Command::new("mkfifo")
        .arg(proc.join("meminfo"))
        .status()
        .expect("run mkfifo");
    assert!(status.success());
    std::fs::create_dir_all(dir.path().join("sys")).expect("mkdir sys");
    dir
}

#[test]
fn a_blocked_collection_does_not_stall_health_or_shutdown() {
    let tree = tree_with_blocking_meminfo();
    let root = tree.path();
    let mut agent = Agent::start(&[
        (
            "SYSTEM_STATS_PROCFS",
            root.join("proc").to_str().expect("utf8"),
        ),
        (
            "SYSTEM_STATS_SYSFS",
            root.join("sys").to_str().expect("utf8"),
        ),
    ]);
    // more stuck /system and /metrics requests than the runtime has workers
    let stuck: Vec<TcpStream> = (0..8)
        .map(|i| {
            let mut s = TcpStream::connect(agent.addr).expect("connect");
            let path = if i % 2 == 0 { "/system" } else { "/metrics" };
            write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("send");
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let (tx, rx) = std::sync::mpsc::channel();
    let addr = agent.addr;
    std::thread::spawn(move || {
        let _ = tx.send(support::request(addr, "GET", "/health").status);
    });
    let health = rx.recv_timeout(Duration::from_secs(5));
    agent.sigterm();
    let code = agent.exit_code_within(Duration::from_secs(15));
    drop(stuck);
    assert_eq!(
        health,
        Ok(200),
        "/health must answer while collections are blocked"
    );
    assert_eq!(code, Some(Some(0)), "SIGTERM must still end the agent");
}
