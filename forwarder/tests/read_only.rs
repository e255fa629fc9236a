//! End-to-end: a spool that cannot be written (a read-only tmpfs, at start
//! or remounted read-only mid-run) does not stop the forwarder: samples
//! keep arriving from memory, spooling resumes once it is writable again,
//! and each change of state is one log line.

mod support;

use support::*;

const DEGRADED: &str = "the spool cannot be written";
const RECOVERED: &str = "the spool can be written again";

fn count(log: &str, needle: &str) -> usize {
    log.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn read_only_at_start_forwards_from_memory_then_spools_when_writable() {
    let Some(disk) = Tmpfs::mount("1m") else {
        return;
    };
    disk.remount("ro");
    let source = Source::start();
    let receiver = Receiver::start();
    let mut fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), disk.path()));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().len() >= 5),
        "{}",
        fwd.log()
    );
    assert!(fwd.is_running());
    assert!(!disk.path().join("segments").exists());
    disk.remount("rw");
    assert!(
        wait_until(LONG, || fwd.log().contains(RECOVERED)),
        "{}",
        fwd.log()
    );
    let after = source.served().len();
    assert!(wait_until(LONG, || source.served().len() >= after + 3));
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 1);
    assert!(
        Tmpfs::usage(&disk.path().join("cursors")) > 0,
        "cursors written"
    );
    let log = fwd.log();
    assert_eq!(count(&log, DEGRADED), 1, "{log}");
    assert_eq!(count(&log, RECOVERED), 1, "{log}");
    assert_eq!(fwd.terminate(LONG).and_then(|s| s.code()), Some(0));
}

#[test]
fn remounted_read_only_mid_run_keeps_forwarding_and_spools_again() {
    let Some(disk) = Tmpfs::mount("1m") else {
        return;
    };
    let source = Source::start();
    let mut receiver = Receiver::start();
    let fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), disk.path()));
    assert!(
        wait_until(LONG, || receiver.accepted_ids().len() >= 3),
        "{}",
        fwd.log()
    );
    disk.remount("ro");
    assert!(
        wait_until(LONG, || fwd.log().contains(DEGRADED)),
        "{}",
        fwd.log()
    );
    let at = receiver.accepted_ids().len();
    assert!(
        wait_until(LONG, || receiver.accepted_ids().len() >= at + 5),
        "samples from memory: {}",
        fwd.log()
    );
    disk.remount("rw");
    assert!(
        wait_until(LONG, || fwd.log().contains(RECOVERED)),
        "{}",
        fwd.log()
    );
    // Spooling resumes: with the destination down, samples pile up on disk.
    receiver.down();
    let before = Tmpfs::usage(&disk.path().join("segments"));
    let at = source.served().len();
    assert!(wait_until(LONG, || source.served().len() >= at + 5));
    assert!(
        wait_until(LONG, || Tmpfs::usage(&disk.path().join("segments"))
            > before),
        "{}",
        fwd.log()
    );
    receiver.up();
    let expected = pause_and_drain(&source, &receiver, &fwd);
    assert_all_in_order(&receiver.accepted_ids(), &expected, 1);
    let log = fwd.log();
    assert_eq!(count(&log, DEGRADED), 1, "{log}");
    assert_eq!(count(&log, RECOVERED), 1, "{log}");
}
