//! End-to-end resilience tests: kill -9 and restart, a dead destination next
//! to a live one, the spool cap, a broken agent, SIGTERM mid-post.

mod support;

use std::time::Duration;
use support::*;

#[test]
fn kill_9_during_outage_then_restart_loses_nothing() {
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let env = base_env(&source.url, &receiver.url(), spool.path());
    let mut fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= 6),
        "{}",
        fwd.log()
    );
    // Nothing may be mid-poll at the kill: only spooled samples must survive.
    let before = source.pause(INTERVAL);
    fwd.kill9();
    source.set_mode(SourceMode::Json);
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= before.len() + 4),
        "{}",
        fwd.log()
    );
    receiver.up();
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
}

#[test]
fn kill_9_while_delivering_sends_at_most_the_in_flight_post_twice() {
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let env = base_env(&source.url, &receiver.url(), spool.path());
    let mut fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= 5),
        "{}",
        fwd.log()
    );
    receiver.set_mode(Mode::Hang);
    receiver.up();
    // The first post is in flight (the receiver holds it) when we kill.
    assert!(
        wait_until(LONG, || !receiver.posts().is_empty()),
        "{}",
        fwd.log()
    );
    let before = source.pause(INTERVAL);
    fwd.kill9();
    receiver.down();
    receiver.set_mode(Mode::Accept);
    receiver.up();
    source.set_mode(SourceMode::Json);
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= before.len() + 3),
        "{}",
        fwd.log()
    );
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    let all: Vec<u64> = receiver.posts().iter().map(Post::id).collect();
    assert_eq!(all.iter().filter(|id| **id == 1).count(), 2, "{all:?}");
}

#[test]
fn one_destination_down_does_not_delay_the_other() {
    let source = Source::start();
    let good = Receiver::start();
    let mut dead = Receiver::stopped();
    let hanging = Receiver::start();
    hanging.set_mode(Mode::Hang);
    let spool = tempfile::tempdir().unwrap();
    let metrics = format!("{},{},{}", dead.url(), good.url(), hanging.url());
    let mut env = base_env(&source.url, &metrics, spool.path());
    env.push(("SYSTEM_STATS_FORWARD_TIMEOUT", "5".into()));
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= 15),
        "{}",
        fwd.log()
    );
    let expected = ids(&source.pause(INTERVAL));
    // Every sample, and on time: within a second of the last poll.
    assert!(
        wait_until(Duration::from_secs(1), || good.accepted_ids().last()
            == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&good.accepted_ids(), &expected, 0);
    // On time: the polls kept their cadence despite the dead destinations.
    let served = source.served();
    let span = served.last().unwrap().1 - served.first().unwrap().1;
    assert!(span <= 5, "15 polls at 0.2 s took {span} s");
    // Then the dead one comes back and catches up on its own cursor.
    dead.up();
    assert!(
        wait_until(LONG, || dead.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&dead.accepted_ids(), &expected, 0);
}

#[test]
fn spool_cap_drops_the_oldest_with_a_warning() {
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_SPOOL_MAX_BYTES", "8192".into()));
    env.push(("SYSTEM_STATS_FORWARD_INTERVAL", "0.05".into()));
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= 40),
        "{}",
        fwd.log()
    );
    let expected = ids(&source.pause(Duration::from_millis(50)));
    let on_disk: u64 = std::fs::read_dir(spool.path().join("segments"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(on_disk <= 8192, "spool holds {on_disk} bytes");
    let log = fwd.log();
    assert!(
        log.contains("spool full") && log.contains("oldest samples"),
        "{log}"
    );
    receiver.up();
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    let got = receiver.accepted_ids();
    assert!(got[0] > 1, "the oldest were dropped");
    assert!(got.len() < expected.len());
    let tail: Vec<u64> = (got[0]..=*expected.last().unwrap()).collect();
    assert_all_in_order(&got, &tail, 0);
}

#[test]
fn agent_unreachable_or_not_json_skips_the_cycle_and_keeps_running() {
    let source = Source::start();
    source.set_mode(SourceMode::Garbage);
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let mut fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), spool.path()));
    assert!(
        wait_until(LONG, || fwd.log().contains("not JSON")),
        "{}",
        fwd.log()
    );
    source.set_mode(SourceMode::Json);
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 2),
        "{}",
        fwd.log()
    );
    assert!(fwd.is_running());
    assert_eq!(
        fwd.terminate(Duration::from_secs(5)).map(|s| s.code()),
        Some(Some(0))
    );

    let dead = Receiver::stopped();
    let dead_source = format!("http://127.0.0.1:{}/system", dead.port);
    let spool = tempfile::tempdir().unwrap();
    let mut fwd = Forwarder::spawn(&base_env(&dead_source, &receiver.url(), spool.path()));
    assert!(
        wait_until(LONG, || fwd.log().matches("agent unreachable").count() >= 2),
        "{}",
        fwd.log()
    );
    assert!(fwd.is_running());
    assert_eq!(
        fwd.terminate(Duration::from_secs(5)).map(|s| s.code()),
        Some(Some(0))
    );
}

#[test]
fn sigterm_with_a_post_in_flight_exits_0_within_the_timeout() {
    let source = Source::start();
    let receiver = Receiver::start();
    receiver.set_mode(Mode::Hang);
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_FORWARD_TIMEOUT", "1".into()));
    let mut fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || !receiver.posts().is_empty()),
        "{}",
        fwd.log()
    );
    let started = std::time::Instant::now();
    assert_eq!(
        fwd.terminate(Duration::from_secs(5)).map(|s| s.code()),
        Some(Some(0)),
        "{}",
        fwd.log()
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        started.elapsed()
    );
    assert!(!fwd.log().contains("panicked"));
}
