//! Unit tests of the spool: ordering, independent cursors, restart, torn
//! tails, the cap and garbage collection.

use super::*;
use serde_json::{json, Value};
use std::fs;
use std::fs::OpenOptions;
use std::io::Write;

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn seqs(records: &[Record]) -> Vec<u64> {
    records.iter().map(|r| r.seq).collect()
}

fn sample(i: u64) -> Value {
    json!({"n": i, "pad": "x".repeat(100)})
}

#[test]
fn append_read_advance_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a", "b"])).unwrap();
    for i in 0..5 {
        assert_eq!(s.append(100 + i as i64, &sample(i)).unwrap().seq, i + 1);
    }
    let (mut pa, mut pb) = (None, None);
    let got = s.read("a", 2, &mut pa).unwrap();
    assert_eq!(seqs(&got), vec![1, 2]);
    assert_eq!(got[0].timestamp, 100);
    assert_eq!(
        got[1].sample.get(),
        serde_json::to_string(&sample(1)).unwrap()
    );
    // Not advanced: the same samples again.
    assert_eq!(seqs(&s.read("a", 2, &mut pa).unwrap()), vec![1, 2]);
    s.advance("a", 3).unwrap();
    assert_eq!(seqs(&s.read("a", 10, &mut pa).unwrap()), vec![3, 4, 5]);
    assert_eq!(seqs(&s.read("b", 1, &mut pb).unwrap()), vec![1]);
    assert_eq!(s.pending("a"), 3);
    assert_eq!(s.pending("b"), 5);
    s.advance("a", 6).unwrap();
    assert!(s.read("a", 10, &mut pa).unwrap().is_empty());
}

#[test]
fn survives_restart_and_new_destination_starts_at_head() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        for i in 0..4 {
            s.append(i as i64, &sample(i)).unwrap();
        }
        s.advance("a", 2).unwrap();
    }
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a", "new"])).unwrap();
    assert_eq!(seqs(&s.read("a", 10, &mut None).unwrap()), vec![2, 3, 4]);
    assert!(s.read("new", 10, &mut None).unwrap().is_empty());
    assert_eq!(s.append(9, &sample(9)).unwrap().seq, 5);
    assert_eq!(seqs(&s.read("new", 10, &mut None).unwrap()), vec![5]);
}

#[test]
fn second_open_of_the_same_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
    let e = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap_err();
    assert!(matches!(e, OpenError::InUse { .. }), "{e}");
    assert!(
        e.to_string().contains("another forwarder is running"),
        "{e}"
    );
}

#[test]
fn torn_last_record_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let path;
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        s.append(1, &sample(1)).unwrap();
        s.append(2, &sample(2)).unwrap();
        path = s.segments.back().unwrap().path.clone();
    }
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"{\"seq\":3,\"ts\":3,\"sam").unwrap();
    drop(f);
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
    assert_eq!(s.append(4, &sample(4)).unwrap().seq, 3);
    let got = s.read("a", 10, &mut None).unwrap();
    assert_eq!(seqs(&got), vec![1, 2, 3]);
    assert_eq!(got[2].timestamp, 4);
}

#[test]
fn cap_drops_oldest_and_counts_losses() {
    let dir = tempfile::tempdir().unwrap();
    let cap = 4096;
    let mut s = Spool::open(dir.path(), cap, &keys(&["a", "b"])).unwrap();
    let mut dropped = 0;
    let mut lost_a = 0;
    for i in 0..200 {
        let appended = s.append(i as i64, &sample(i)).unwrap();
        dropped += appended.dropped;
        lost_a += appended
            .lost
            .iter()
            .find(|(k, _)| k == "a")
            .map_or(0, |(_, n)| *n);
        assert!(s.total_bytes() <= cap, "{} > {cap}", s.total_bytes());
    }
    assert!(dropped > 150, "{dropped}");
    assert_eq!(dropped, lost_a);
    let on_disk: u64 = fs::read_dir(dir.path().join("segments"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(on_disk <= cap);
    // What is left is the newest samples, contiguous, ending at 200.
    let left = seqs(&s.read("a", 1000, &mut None).unwrap());
    assert_eq!(*left.last().unwrap(), 200);
    assert_eq!(left.len() as u64, 200 - dropped);
    assert!(left.windows(2).all(|w| w[1] == w[0] + 1));
}

#[test]
fn delivered_segments_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), 8192, &keys(&["a", "b"])).unwrap();
    for i in 0..40 {
        s.append(i as i64, &sample(i)).unwrap();
    }
    let before = s.segments.len();
    assert!(before > 3);
    s.advance("a", 41).unwrap();
    assert_eq!(s.segments.len(), before, "b still needs them");
    s.advance("b", 41).unwrap();
    // The last one too, once it holds enough delivered data.
    assert!(s.segments.len() <= 1);
    assert!(s.total_bytes() < 1024, "{}", s.total_bytes());
    assert_eq!(s.append(0, &sample(0)).unwrap().seq, 41);
}

#[test]
fn read_hint_follows_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), 8192, &keys(&["a"])).unwrap();
    for i in 0..50 {
        s.append(i as i64, &sample(i)).unwrap();
    }
    let mut pos = None;
    let mut seen = Vec::new();
    loop {
        let got = s.read("a", 3, &mut pos).unwrap();
        if got.is_empty() {
            break;
        }
        let next = got.last().unwrap().seq + 1;
        seen.extend(seqs(&got));
        s.advance("a", next).unwrap();
    }
    assert_eq!(seen, (1..=50).collect::<Vec<_>>());
}

#[test]
fn unreadable_cursor_replays_everything_kept() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        for i in 0..3 {
            s.append(i as i64, &sample(i)).unwrap();
        }
        s.advance("a", 3).unwrap();
    }
    fs::write(dir.path().join("cursors").join("a"), "").unwrap();
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
    assert_eq!(seqs(&s.read("a", 10, &mut None).unwrap()), vec![1, 2, 3]);
}

#[test]
fn scrapes_ride_along_and_old_records_have_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["rw"])).unwrap();
    let prom = Scraped {
        ms: 1_700_000_000_250,
        instance: "pi".into(),
        text: "node_load1 0.5\nx{a=\"q\\\"\"} 1\n".into(),
    };
    s.append(1, &sample(1)).unwrap();
    s.append_with(2, &Value::Null, Some(&prom)).unwrap();
    let got = s.read("rw", 10, &mut None).unwrap();
    assert_eq!(got[0].prom, None);
    assert_eq!(got[1].prom.as_ref(), Some(&prom));
    assert_eq!(got[1].sample.get(), "null");
    drop(s);
    // Reopening validates the segment with the new field.
    let s = Spool::open(dir.path(), 1 << 20, &keys(&["rw"])).unwrap();
    assert_eq!(s.next_seq(), 3);
}

#[test]
fn unwritable_cursor_does_not_keep_the_spool_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        for i in 0..3 {
            s.append(i as i64, &sample(i)).unwrap();
        }
        s.advance("a", 2).unwrap();
    }
    // The cursor's temp file cannot be created (as on a full disk, or a
    // directory turned read-only): the backlog must still be deliverable.
    fs::create_dir(dir.path().join("cursors").join("a.tmp")).unwrap();
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a", "new"])).unwrap();
    assert_eq!(seqs(&s.read("a", 10, &mut None).unwrap()), vec![2, 3]);
    assert!(s.advance("a", 4).is_err());
    assert!(s.read("a", 10, &mut None).unwrap().is_empty());
    assert_eq!(s.append(9, &sample(9)).unwrap().seq, 4);
    assert_eq!(seqs(&s.read("new", 10, &mut None).unwrap()), vec![4]);
}

#[test]
fn cursor_ahead_of_the_data_starts_a_new_segment() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        for i in 0..3 {
            s.append(i as i64, &sample(i)).unwrap();
        }
    }
    // E.g. the records the cursor went past were cut off as damaged.
    cursor::write(&dir.path().join("cursors").join("a"), 10, true).unwrap();
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        assert_eq!(s.append(10, &sample(10)).unwrap().seq, 10);
        assert_eq!(s.append(11, &sample(11)).unwrap().seq, 11);
    }
    // The seq gap must not make the next start cut off spooled samples.
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
    assert_eq!(s.next_seq(), 12);
    assert_eq!(seqs(&s.read("a", 10, &mut None).unwrap()), vec![10, 11]);
}

#[test]
fn fragment_left_by_a_failed_write_is_read_past_in_a_new_segment() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        s.append(1, &sample(1)).unwrap();
        // What a failed write whose truncation failed too leaves behind.
        let path = s.segments.back().unwrap().path.clone();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,\"ts\":2,\"sam").unwrap();
        s.active = false;
        assert_eq!(s.append(2, &sample(2)).unwrap().seq, 2);
        assert_eq!(s.segments.len(), 2);
        assert_eq!(seqs(&s.read("a", 10, &mut None).unwrap()), vec![1, 2]);
    }
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
    assert_eq!(s.next_seq(), 3);
    assert_eq!(seqs(&s.read("a", 10, &mut None).unwrap()), vec![1, 2]);
}

#[test]
fn late_advance_after_eviction_does_not_count_losses_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), 4096, &keys(&["a"])).unwrap();
    s.append(0, &sample(0)).unwrap();
    let in_flight = s.read("a", 1, &mut None).unwrap();
    let (mut dropped, mut lost) = (0, 0);
    let mut tally = |appended: Appended| {
        dropped += appended.dropped;
        lost += appended.lost.iter().map(|(_, n)| n).sum::<u64>();
    };
    for i in 1..100 {
        tally(s.append(i, &sample(i as u64)).unwrap());
    }
    // The post of seq 1 succeeds after its segment was dropped by the cap.
    s.advance("a", in_flight[0].seq + 1).unwrap();
    assert!(s.cursor("a") > 2);
    for i in 100..200 {
        tally(s.append(i, &sample(i as u64)).unwrap());
    }
    assert!(dropped > 100, "{dropped}");
    assert!(lost <= dropped, "{lost} lost of {dropped} dropped");
}

#[test]
fn deferred_fsync_hides_a_sample_until_it_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
    let (queue, jobs) = std::sync::mpsc::channel();
    s.set_durability(Durability::Deferred(queue));
    assert_eq!(s.append(1, &sample(1)).unwrap().seq, 1);
    assert_eq!(s.append(2, &sample(2)).unwrap().seq, 2);
    // Written, not fsynced: nothing may be sent yet.
    let mut pos = None;
    assert!(s.read("a", 10, &mut pos).unwrap().is_empty());
    let queued: Vec<Job> = jobs.try_iter().collect();
    let through: Vec<u64> = queued
        .iter()
        .filter_map(|j| match j {
            Job::Data { through, .. } => Some(*through),
            _ => None,
        })
        .collect();
    assert_eq!(through, vec![2, 3]);
    assert!(matches!(queued[0], Job::Dir(_)), "{queued:?}");
    s.mark_durable(2);
    assert_eq!(seqs(&s.read("a", 10, &mut pos).unwrap()), vec![1]);
    s.mark_durable(3);
    // Not advanced yet: from the first again.
    assert_eq!(seqs(&s.read("a", 10, &mut pos).unwrap()), vec![1, 2]);
    // The cursor file is written behind, by the sync thread.
    s.advance("a", 3).unwrap();
    assert!(jobs.try_iter().any(|j| matches!(
        j,
        Job::Cursor {
            seq: 3,
            durable: true,
            ..
        }
    )));
}

#[test]
fn corrupt_lines_are_skipped_and_reported_once_per_segment() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Spool::open(dir.path(), 8192, &keys(&["a"])).unwrap();
        for i in 0..20 {
            s.append(i as i64, &sample(i)).unwrap();
        }
    }
    // Disk damage in the first (not the last) segment: records 2 and 4.
    let path = dir.path().join("segments").join(format!("{:020}.jsonl", 1));
    let text = fs::read_to_string(&path).unwrap();
    let damaged: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            1 | 3 => format!("{}\n", "#".repeat(line.len())),
            _ => format!("{line}\n"),
        })
        .collect();
    fs::write(&path, damaged).unwrap();
    let mut s = Spool::open(dir.path(), 8192, &keys(&["a"])).unwrap();
    s.cursors.insert("a".into(), 1);
    let got = seqs(&s.read("a", 100, &mut None).unwrap());
    let expected: Vec<u64> = (1..=20).filter(|n| *n != 2 && *n != 4).collect();
    assert_eq!(got, expected);
    assert_eq!(s.corrupt_seen, BTreeSet::from([1]));
}
