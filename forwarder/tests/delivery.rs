//! End-to-end delivery tests: the real forwarder binary between a test
//! source and test receivers on 127.0.0.1.

mod support;

use std::time::Duration;
use support::*;

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
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    assert!(fwd.log().contains("HTTP 500"), "{}", fwd.log());
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
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    // Paced after the 429: one post per pace (interval / 2 = 100 ms). The
    // receiver sees arrival times, which carry the sender's scheduling jitter
    // on a loaded machine, so each gap may fall short of the pace by a jitter
    // allowance, while the gaps on average may not; an unpaced backlog drains
    // back to back (a few ms apart) and fails both.
    let posts = receiver.posts();
    let gaps: Vec<Duration> = posts[1..].windows(2).map(|p| p[1].at - p[0].at).collect();
    assert!(
        gaps.iter().all(|g| *g >= Duration::from_millis(50)),
        "{gaps:?}"
    );
    let mean = gaps.iter().sum::<Duration>() / gaps.len().max(1) as u32;
    assert!(mean >= Duration::from_millis(95), "{gaps:?}");
    assert!(fwd.log().contains("rate limited"), "{}", fwd.log());
}
