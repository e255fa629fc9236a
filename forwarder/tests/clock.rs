//! End-to-end: the clock, driven through the test seam
//! (`SYSTEM_STATS_TEST_CLOCK`): samples taken before it is synchronized are
//! held and sent with the corrected time once it is; a step backwards never
//! makes timestamps go back; disk rates stay sane.

mod support;

use support::*;

#[test]
fn samples_wait_for_the_clock_then_carry_the_corrected_time() {
    let source = Source::start();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let seam = spool.path().join("test-clock");
    // A day behind and not synchronized: a Pi booting without its RTC.
    std::fs::write(&seam, "-86400000 0").unwrap();
    let mut env = base_env(&source.url, &receiver.url(), &spool.path().join("spool"));
    env.push((
        "SYSTEM_STATS_TEST_CLOCK",
        seam.to_string_lossy().into_owned(),
    ));
    env.push(("SYSTEM_STATS_CLOCK_WAIT", "60".into()));
    let fwd = Forwarder::spawn(&env);
    assert!(wait_until(LONG, || source.served().len() >= 5));
    assert!(receiver.posts().is_empty(), "sent before the clock synced");
    std::fs::write(&seam, "0 1").unwrap();
    assert!(
        wait_until(LONG, || receiver.accepted_ids().len() >= 8),
        "{}",
        fwd.log()
    );
    // Then the clock steps an hour back.
    std::fs::write(&seam, "-3600000 1").unwrap();
    let at = source.served().len();
    assert!(wait_until(LONG, || source.served().len() >= at + 5));
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    let served = source.served();
    let posts = receiver.accepted();
    let mut previous = i64::MIN;
    for post in &posts {
        let ts = post.body["timestamp"].as_i64().unwrap();
        assert!(ts >= previous, "timestamps went back: {previous} then {ts}");
        previous = ts;
        let (_, served_at) = served[(post.id() - 1) as usize];
        // Held samples got the real time (not a day behind); stepped ones
        // keep increasing instead of jumping an hour back.
        assert!(
            (ts - served_at).abs() <= 2,
            "sample {} at {ts}, served at {served_at}",
            post.id()
        );
        let read = post.body["disk_read"].as_f64().unwrap();
        assert!((0.0..=10.0).contains(&read), "disk_read {read}");
    }
    let log = fwd.log();
    assert_eq!(
        log.matches("not synchronized yet: holding").count(),
        1,
        "{log}"
    );
    assert_eq!(
        log.matches("the system clock is synchronized").count(),
        1,
        "{log}"
    );
}
