//! End-to-end: the spool's filesystem fills up (a 64 KiB tmpfs) while the
//! destination is down; once it is back, every new sample arrives and the
//! delivered data gives its space back.

mod support;

use std::collections::BTreeSet;
use support::*;

fn count(log: &str, needle: &str) -> usize {
    log.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn full_disk_then_destination_back_delivers_every_new_sample_and_frees_space() {
    let Some(disk) = Tmpfs::mount("64k") else {
        return;
    };
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = disk.path().join("spool");
    let fwd = Forwarder::spawn(&base_env(&source.url, &receiver.url(), &spool));
    assert!(
        wait_until(LONG, || fwd.log().contains("disk is full")),
        "{}",
        fwd.log()
    );
    // Several more polls on the full disk: still one line for the episode.
    let at_full = source.served().len();
    assert!(wait_until(LONG, || source.served().len() >= at_full + 10));
    let full_usage = Tmpfs::usage(&spool);
    assert!(full_usage > 40 * 1024, "{full_usage}");

    receiver.up();
    let back = source.served().len() as u64;
    assert!(wait_until(LONG, || source.served().len() as u64 >= back + 15));
    let expected = pause_and_drain(&source, &receiver, &fwd);
    let got: BTreeSet<u64> = receiver.accepted_ids().into_iter().collect();
    let missing: Vec<u64> = expected
        .iter()
        .copied()
        .filter(|id| *id > back && !got.contains(id))
        .collect();
    assert!(missing.is_empty(), "lost after recovery: {missing:?}");
    assert!(
        wait_until(LONG, || Tmpfs::usage(&spool) < full_usage / 2),
        "spool still uses {} bytes (full: {full_usage})",
        Tmpfs::usage(&spool)
    );
    let log = fwd.log();
    assert_eq!(count(&log, "disk is full"), 1, "{log}");
    assert_eq!(count(&log, "cannot spool the sample"), 0, "{log}");
    assert_eq!(count(&log, "has room again"), 1, "{log}");
}
