//! Process lifecycle of the real binary: SIGTERM ends it with exit code 0
//! even while clients hold connections open.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::Agent;

fn sigterm(agent: &Agent) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &agent.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

/// Waits up to `limit` for the agent to exit; its exit code, None if still running.
fn exit_code_within(agent: &mut Agent, limit: Duration) -> Option<Option<i32>> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = agent.child.try_wait().expect("try_wait") {
            return Some(status.code());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

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
    sigterm(&agent);
    let code = exit_code_within(&mut agent, Duration::from_secs(15));
    drop((idle, partial));
    assert_eq!(
        code,
        Some(Some(0)),
        "the agent must exit 0 soon after SIGTERM, not wait for idle clients"
    );
}
