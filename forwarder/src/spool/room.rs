//! Giving disk space back: segments every destination has passed are
//! deleted, a fully delivered last segment is rotated away (so a caught-up
//! spool holds little delivered data), and the oldest segments go first
//! when the cap is exceeded or the disk is full.

use super::{Appended, DiskFull, Spool};
use std::io;
use tracing::info;

/// A caught-up spool rotates its last segment once it holds this much
/// (delivered) data, so a healthy spool never keeps more than this.
pub const DELIVERED_KEEP: u64 = 16 * 1024;

/// Whether `error` says the filesystem (or the user's quota) is full.
pub fn is_disk_full(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

impl Spool {
    /// Drop the oldest segments while the total exceeds the cap (the last
    /// segment stays: it holds the sample just written).
    pub(super) fn enforce_cap(&mut self, appended: &mut Appended) {
        while self.total_bytes > self.max_bytes && self.segments.len() > 1 {
            self.drop_oldest(appended);
        }
    }

    /// After ENOSPC: delete delivered data, else the oldest segment (even
    /// the last one). False when nothing is left to delete.
    pub(super) fn make_room(&mut self, appended: &mut Appended) -> bool {
        if self.segments.is_empty() {
            return false;
        }
        appended.disk_full = match (self.disk_full, appended.disk_full) {
            (_, DiskFull::Started) | (false, _) => DiskFull::Started,
            (true, _) => DiskFull::Ongoing,
        };
        self.disk_full = true;
        if self.all_delivered() {
            while let Some(old) = self.segments.pop_front() {
                self.remove_segment(old.path);
                self.total_bytes -= old.bytes;
            }
            self.active = false;
            return true;
        }
        self.drop_oldest(appended)
    }

    /// Delete the oldest segment, moving every cursor in it past it and
    /// counting what that cost.
    fn drop_oldest(&mut self, appended: &mut Appended) -> bool {
        let Some(oldest) = self.segments.pop_front() else {
            return false;
        };
        if self.segments.is_empty() {
            self.active = false;
        }
        let new_oldest = self.segments.front().map_or(self.next_seq, |s| s.first);
        self.remove_segment(oldest.path.clone());
        self.total_bytes -= oldest.bytes;
        appended.dropped += new_oldest - oldest.first;
        for (key, seq) in self.cursors.iter_mut() {
            if *seq < new_oldest {
                let lost = new_oldest - *seq;
                match appended.lost.iter_mut().find(|(k, _)| k == key) {
                    Some((_, n)) => *n += lost,
                    None => appended.lost.push((key.clone(), lost)),
                }
                *seq = new_oldest;
            }
        }
        true
    }

    /// Whether every destination has had every sample.
    fn all_delivered(&self) -> bool {
        self.cursors.values().all(|seq| *seq >= self.next_seq)
    }

    /// Delete the segments every destination has passed; once all are
    /// caught up, also the last one when it holds [`DELIVERED_KEEP`] or
    /// more (the next sample starts a new one).
    pub(super) fn collect_garbage(&mut self) {
        let Some(min) = self.cursors.values().copied().min() else {
            return;
        };
        let mut freed = false;
        while self.segments.len() > 1 && self.segments.get(1).is_some_and(|s| s.first <= min) {
            if let Some(old) = self.segments.pop_front() {
                self.remove_segment(old.path);
                self.total_bytes -= old.bytes;
                freed = true;
            }
        }
        let keep = DELIVERED_KEEP.min(self.segment_max);
        let rotate = self.all_delivered()
            && self.segments.len() == 1
            && self.segments.front().is_some_and(|s| s.bytes >= keep);
        if rotate {
            if let Some(old) = self.segments.pop_front() {
                self.remove_segment(old.path);
                self.total_bytes -= old.bytes;
                self.active = false;
                freed = true;
            }
        }
        if freed && self.disk_full {
            self.disk_full = false;
            info!("the spool's disk has room again (delivered samples deleted)");
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;
    use std::process::Command;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir.join("segments")).unwrap().count()
    }

    /// A tmpfs of `size` mounted on a temporary directory, unmounted on drop.
    pub(in crate::spool) struct Tmpfs(pub tempfile::TempDir);

    impl Tmpfs {
        pub(in crate::spool) fn mount(size: &str) -> Option<Tmpfs> {
            let dir = tempfile::tempdir().ok()?;
            let ok = Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
                return None;
            }
            Some(Tmpfs(dir))
        }

        /// `mount -o remount,<how>` (retried while a write is in progress).
        pub(in crate::spool) fn remount(&self, how: &str) {
            for _ in 0..200 {
                let ok = Command::new("mount")
                    .args(["-o", &format!("remount,{how}")])
                    .arg(self.0.path())
                    .output()
                    .is_ok_and(|o| o.status.success());
                if ok {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            panic!("cannot remount {how}");
        }
    }

    impl Drop for Tmpfs {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
        }
    }

    #[test]
    fn caught_up_spool_gives_the_delivered_segment_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        let pad = "x".repeat(1000);
        let mut last = 0;
        while s.total_bytes() < DELIVERED_KEEP {
            last = s.append(0, &json!({ "pad": pad })).unwrap().seq;
        }
        assert_eq!(files(dir.path()), 1);
        s.advance("a", last).unwrap();
        assert_eq!(files(dir.path()), 1, "one sample still pending");
        s.advance("a", last + 1).unwrap();
        assert_eq!(files(dir.path()), 0);
        assert_eq!(s.total_bytes(), 0);
        // Numbering goes on, also across a restart (the cursor holds it).
        assert_eq!(s.append(0, &json!({})).unwrap().seq, last + 1);
        drop(s);
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        let read = s.read("a", 10, &mut None).unwrap();
        assert_eq!(read.iter().map(|r| r.seq).collect::<Vec<_>>(), [last + 1]);
    }

    #[test]
    fn small_caught_up_segment_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::open(dir.path(), 1 << 20, &keys(&["a"])).unwrap();
        s.append(0, &json!({})).unwrap();
        s.advance("a", 2).unwrap();
        assert_eq!(
            files(dir.path()),
            1,
            "rotating every sample would wear the card"
        );
    }

    #[test]
    fn full_disk_drops_the_oldest_segment_and_keeps_the_new_sample() {
        let Some(fs) = Tmpfs::mount("64k") else {
            return;
        };
        let mut s = Spool::open(fs.0.path(), 1 << 30, &keys(&["a"])).unwrap();
        assert_eq!(s.segment_max, 8 * 1024, "an eighth of the filesystem");
        let pad = "x".repeat(700);
        let mut episodes = Vec::new();
        for i in 0..400u64 {
            let appended = s.append(i as i64, &json!({ "i": i, "pad": pad })).unwrap();
            assert_eq!(appended.seq, i + 1);
            if appended.disk_full != DiskFull::No {
                episodes.push(appended.disk_full);
            }
        }
        assert_eq!(episodes.first(), Some(&DiskFull::Started));
        assert!(episodes[1..].iter().all(|e| *e == DiskFull::Ongoing));
        // What is left is the newest samples, consecutive, ending with the last.
        let left = s.read("a", 1000, &mut None).unwrap();
        let seqs: Vec<u64> = left.iter().map(|r| r.seq).collect();
        assert_eq!(seqs.last(), Some(&400));
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
        assert!(seqs.len() > 40, "{}", seqs.len());
        // A delivery frees space and ends the episode.
        s.advance("a", 401).unwrap();
        assert!(!s.disk_full);
        assert!(files(fs.0.path()) <= 1);
        assert!(s.total_bytes() < s.segment_max, "{}", s.total_bytes());
        assert_eq!(s.append(0, &json!({})).unwrap().disk_full, DiskFull::No);
    }
}
