//! End-to-end delivery tests: the real forwarder binary between a test
//! source and test receivers on 127.0.0.1.

mod support;

use std::time::Duration;
use support::*;

const INTERVAL: Duration = Duration::from_millis(200);
const LONG: Duration = Duration::from_secs(20);

fn ids(served: &[(u64, i64)]) -> Vec<u64> {
    served.iter().map(|(id, _)| *id).collect()
}

#[test]
fn payload_fields_and_types_match_the_server_table() {
    let source = Source::start();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_FORWARD_TOKEN", "s3cret-token".into()));
    let mut fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 3),
        "{}",
        fwd.log()
    );

    let posts = receiver.accepted();
    for (i, post) in posts.iter().take(3).enumerate() {
        let p = &post.body;
        assert_eq!(p["hostname"], "test-pi");
        for key in [
            "cpu",
            "ram",
            "disk",
            "disk_read",
            "disk_write",
            "swap_percent",
            "load1",
            "load5",
            "load15",
        ] {
            assert!(p[key].is_f64(), "{key} is not a float: {p}");
        }
        assert_eq!(p["cpu"].as_f64(), Some(12.2));
        assert_eq!(p["ram"].as_f64(), Some(67.7));
        assert_eq!(p["disk"].as_f64(), Some(14.1));
        assert_eq!(p["swap_percent"].as_f64(), Some(1.0));
        assert_eq!(p["load1"].as_f64(), Some(0.42));
        assert_eq!(p["load15"].as_f64(), Some(0.3));
        assert!(p["timestamp"].is_i64());
        assert!((p["timestamp"].as_i64().unwrap() - unix_now()).abs() < 60);
        // The whole snapshot passes through, unknown keys included.
        let details = &p["details"];
        assert_eq!(details["x_future_section"]["values"][2], 3);
        assert_eq!(details["temperature"]["cpu_celsius"].as_f64(), Some(48.3));
        assert_eq!(details["cpu"]["per_core"].as_array().map(Vec::len), Some(4));
        let t = &details["throughput"];
        for key in [
            "disk_read_bytes_per_sec",
            "disk_write_bytes_per_sec",
            "disk_read_mb_per_sec",
            "disk_write_mb_per_sec",
        ] {
            assert!(t[key].is_f64(), "throughput.{key}: {t}");
        }
        assert_eq!(t["disk_read_mb_per_sec"], p["disk_read"]);
        assert_eq!(post.authorization.as_deref(), Some("Bearer s3cret-token"));
        assert_eq!(post.content_type.as_deref(), Some("application/json"));
        if i == 0 {
            assert_eq!(
                p["disk_read"].as_f64(),
                Some(0.0),
                "first sample has no rate"
            );
            assert_eq!(p["disk_write"].as_f64(), Some(0.0));
        } else {
            // The source adds 1 MiB read and 2 MiB written per poll, every 0.2 s.
            let read = p["disk_read"].as_f64().unwrap();
            let write = p["disk_write"].as_f64().unwrap();
            assert!(read > 1.0 && read < 50.0, "read {read}");
            assert!(
                (write / read - 2.0).abs() < 0.01,
                "write {write} read {read}"
            );
        }
    }
    assert_eq!(
        fwd.terminate(Duration::from_secs(5)).map(|s| s.code()),
        Some(Some(0))
    );
    let log = fwd.log();
    assert!(
        log.contains(
            "Forwarded metrics cpu=12.2% ram=67.7% disk=14.1% read=0.00MB/s write=0.00MB/s"
        ),
        "{log}"
    );
    assert!(!log.contains("s3cret-token"), "token leaked into the log");
}

#[test]
fn outage_then_recovery_delivers_every_sample_in_order() {
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), spool.path()));
    assert!(
        wait_until(LONG, || source.served().len() >= 8),
        "{}",
        fwd.log()
    );
    assert!(receiver.posts().is_empty());
    receiver.up();
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 12),
        "{}",
        fwd.log()
    );
    let served = source.pause(INTERVAL);
    let expected = ids(&served);
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    // Each sample keeps the timestamp of its poll, not of its late delivery.
    for (post, (_, served_at)) in receiver.accepted().iter().zip(&served) {
        assert!((post.body["timestamp"].as_i64().unwrap() - served_at).abs() <= 1);
    }
    let log = fwd.log();
    assert!(
        log.contains("WARN") && log.contains(&receiver.url()) && log.contains("retrying"),
        "{log}"
    );
}

#[test]
fn server_errors_are_retried_in_order() {
    let source = Source::start();
    let receiver = Receiver::start();
    receiver.set_mode(Mode::Fail(500));
    receiver.script(503, None);
    receiver.script(408, None);
    let spool = tempfile::tempdir().unwrap();
    let fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), spool.path()));
    assert!(
        wait_until(LONG, || receiver.posts().len() >= 4),
        "{}",
        fwd.log()
    );
    receiver.set_mode(Mode::Accept);
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 5),
        "{}",
        fwd.log()
    );
    let expected = ids(&source.pause(INTERVAL));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    assert!(fwd.log().contains("HTTP 500"), "{}", fwd.log());
}

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
    let expected = ids(&source.pause(INTERVAL));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
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
    let expected = ids(&source.pause(INTERVAL));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    let all: Vec<u64> = receiver.posts().iter().map(Post::id).collect();
    assert_eq!(all.iter().filter(|id| **id == 1).count(), 2, "{all:?}");
}

#[test]
fn rejected_sample_is_dropped_and_later_ones_delivered() {
    let source = Source::start();
    let receiver = Receiver::start();
    receiver.reject(3);
    let spool = tempfile::tempdir().unwrap();
    let fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), spool.path()));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().contains(&6)),
        "{}",
        fwd.log()
    );
    let accepted = receiver.accepted_ids();
    assert_eq!(&accepted[..5], &[1, 2, 4, 5, 6]);
    let attempts_for_3 = receiver.posts().iter().filter(|p| p.id() == 3).count();
    assert_eq!(attempts_for_3, 1, "a rejected sample is not retried");
    let log = fwd.log();
    assert!(
        log.contains("missing required field: cpu") && log.contains("dropped"),
        "{log}"
    );
}

#[test]
fn too_many_requests_waits_for_retry_after() {
    let source = Source::start();
    let receiver = Receiver::start();
    receiver.script(429, Some("2"));
    let spool = tempfile::tempdir().unwrap();
    let fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), spool.path()));
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 3),
        "{}",
        fwd.log()
    );
    let posts = receiver.posts();
    assert_eq!(posts[0].status, 429);
    let gap = posts[1].at - posts[0].at;
    assert!(gap >= Duration::from_millis(1900), "resumed after {gap:?}");
    let expected = ids(&source.pause(INTERVAL));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    // Paced after the 429: no two posts closer than the pace (interval / 2).
    let posts = receiver.posts();
    for pair in posts[1..].windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(90));
    }
    assert!(fwd.log().contains("rate limited"), "{}", fwd.log());
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
    assert!(
        wait_until(LONG, || good.accepted_ids().last() == expected.last()),
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
