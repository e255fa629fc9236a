//! A slow disk and a slow agent must not stall the forwarder: with every
//! spool fsync made 500 ms slower (the test seam standing in for a worn SD
//! card) polls and deliveries keep their cadence, and the systemd watchdog
//! is pinged on time while a poll waits for an agent that does not answer.

mod support;

use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};
use support::*;

const SLOW_FSYNC_MS: &str = "500";

#[test]
fn slow_fsync_delays_neither_polls_nor_deliveries() {
    let source = Source::start();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_SPOOL_SLOW_FSYNC_MS", SLOW_FSYNC_MS.into()));
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 3),
        "{}",
        fwd.log()
    );
    assert!(
        fwd.log().contains("every spool fsync is delayed by 500 ms"),
        "{}",
        fwd.log()
    );

    // Polls: 20 ticks in 4 s; an fsync on the polling path would allow 8.
    let polled_before = source.served().len();
    std::thread::sleep(Duration::from_secs(4));
    let polls = source.served().len() - polled_before;
    assert!(polls >= 15, "{polls} polls in 4 s\n{}", fwd.log());

    // Deliveries: every sample polled more than 2.5 s ago has arrived (an
    // fsync per append and per cursor on the delivery path falls behind).
    let end = Instant::now();
    let served_at = source.served_at();
    let accepted = receiver.accepted_ids();
    let due: Vec<u64> = (1..=served_at.len() as u64)
        .filter(|id| end.duration_since(served_at[*id as usize - 1]) > Duration::from_millis(2500))
        .collect();
    assert!(due.len() >= 10, "{due:?}");
    for id in &due {
        assert!(
            accepted.contains(id),
            "sample {id} polled >2.5 s ago is not delivered yet; accepted {accepted:?}\n{}",
            fwd.log()
        );
    }
    // And in order, each once.
    assert_all_in_order(
        &accepted,
        &(1..=accepted.len() as u64).collect::<Vec<_>>(),
        0,
    );
}

/// Datagrams received on a NOTIFY_SOCKET, with their arrival times.
fn notifications(socket: &UnixDatagram, for_how_long: Duration) -> Vec<(Instant, String)> {
    let deadline = Instant::now() + for_how_long;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            out.push((
                Instant::now(),
                String::from_utf8_lossy(&buf[..n]).into_owned(),
            ));
        }
    }
    out
}

#[test]
fn watchdog_pings_on_time_while_the_agent_hangs() {
    let source = Source::start();
    // Each /system answer takes longer than any allowed timeout.
    source.set_mode(SourceMode::Slow(8000));
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_FORWARD_TIMEOUT", "10".into()));
    env.push(("NOTIFY_SOCKET", path.to_string_lossy().into_owned()));
    // WatchdogSec=6s: a ping every 3 s; a poll (2 requests) must fit in 6 s.
    env.push(("WATCHDOG_USEC", "6000000".into()));
    let fwd = Forwarder::spawn_watched(&env);
    let started = Instant::now();
    let seen = notifications(&socket, Duration::from_secs(10));
    let log = fwd.log();
    assert!(
        log.contains("SYSTEM_STATS_FORWARD_TIMEOUT=10s lowered to 2s"),
        "{log}"
    );
    assert!(seen.iter().any(|(_, m)| m.contains("READY=1")), "{seen:?}");
    let pings: Vec<Instant> = seen
        .iter()
        .filter(|(_, m)| m.contains("WATCHDOG=1"))
        .map(|(at, _)| *at)
        .collect();
    assert!(pings.len() >= 3, "{} pings\n{log}", pings.len());
    let mut previous = started;
    for at in &pings {
        let gap = at.duration_since(previous);
        assert!(
            gap < Duration::from_millis(4500),
            "{gap:?} without a ping\n{log}"
        );
        previous = *at;
    }
    // The lowered timeout is the one used: a poll gives up after 2 s.
    assert!(log.contains("no sample this cycle"), "{log}");
}
