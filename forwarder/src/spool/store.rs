//! What the spool thread serves from: the disk [`Spool`] while it can be
//! written, else (read-only, failing or missing disk) the bounded
//! [`Memory`] queue after whatever the disk still holds, trying the disk
//! again every [`RETRY_EVERY`]. One warning per change of state, mirrored
//! in systemd's `STATUS=`.

use super::durability::Durability;
use super::memory::{Memory, MEMORY_SAMPLES};
use super::{Appended, ReadPos, Record, Scraped, Spool};
use serde_json::Value;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use system_stats_common::notify;
use tracing::{info, warn};

/// How often an unwritable spool is tried again (at the next poll after).
pub const RETRY_EVERY: Duration = Duration::from_secs(5);

static DEGRADED: AtomicBool = AtomicBool::new(false);

/// A note for systemd's `STATUS=` while samples are kept in memory only.
pub fn health_note() -> &'static str {
    if DEGRADED.load(Ordering::Relaxed) {
        "; spool unwritable, forwarding from memory"
    } else {
        ""
    }
}

/// How to open the spool again when it could not be opened at start.
#[derive(Debug, Clone)]
pub struct Reopen {
    pub dir: PathBuf,
    pub max_bytes: u64,
    pub keys: Vec<String>,
    pub renames: Vec<(String, String)>,
}

/// Where an appended sample went.
pub enum Stored {
    /// Written to disk: readable once its fsync returns.
    Disk(Appended),
    /// Kept in memory: readable now.
    Memory(Appended),
}

#[derive(Debug)]
pub struct Store {
    disk: Option<Spool>,
    memory: Memory,
    /// Why the disk cannot be written, while it cannot.
    degraded: Option<String>,
    next_try: Instant,
    reopen: Reopen,
    durability: Option<Durability>,
}

impl Store {
    /// Serve from `disk`, or (when it could not be opened, `why`) from memory.
    pub fn new(disk: Result<Spool, String>, reopen: Reopen) -> Store {
        let mut store = Store {
            disk: None,
            memory: Memory::default(),
            degraded: None,
            next_try: Instant::now(),
            reopen,
            durability: None,
        };
        match disk {
            Ok(spool) => store.disk = Some(spool),
            Err(why) => store.degrade(why),
        }
        store
    }

    /// Run the disk work on `durability` (also for a spool opened later).
    pub fn set_durability(&mut self, durability: Durability) {
        if let Some(disk) = &mut self.disk {
            disk.set_durability(durability.clone_sender());
        }
        self.durability = Some(durability);
    }

    pub fn disk(&mut self) -> Option<&mut Spool> {
        self.disk.as_mut()
    }

    fn degrade(&mut self, why: String) {
        self.next_try = Instant::now() + RETRY_EVERY;
        if let Some(disk) = &mut self.disk {
            disk.set_read_only(true);
        }
        if self.degraded.is_none() {
            warn!(
                spool = %self.reopen.dir.display(),
                "the spool cannot be written ({why}): forwarding from memory (the last {MEMORY_SAMPLES} \
                 samples) and trying the disk again every {}s",
                RETRY_EVERY.as_secs()
            );
            notify::status(&format!(
                "spool {} unwritable ({why}): forwarding from memory",
                self.reopen.dir.display()
            ));
            DEGRADED.store(true, Ordering::Relaxed);
        }
        self.degraded = Some(why);
    }

    /// Append one sample: to disk when it can be written, else to memory.
    pub fn append(
        &mut self,
        timestamp: i64,
        sample: &Value,
        prom: Option<&Scraped>,
    ) -> io::Result<Stored> {
        if self.degraded.is_some() && Instant::now() >= self.next_try {
            self.recover();
        }
        if self.degraded.is_none() {
            if let Some(disk) = &mut self.disk {
                match disk.append_with(timestamp, sample, prom) {
                    Ok(appended) => return Ok(Stored::Disk(appended)),
                    Err(e) => self.degrade(e.to_string()),
                }
            }
        }
        let from = self.disk.as_ref().map_or(1, Spool::next_seq);
        let seq = self.memory.push(from, timestamp, sample, prom.cloned())?;
        Ok(Stored::Memory(Appended {
            seq,
            ..Appended::default()
        }))
    }

    /// Open the spool if need be and move the samples kept in memory to
    /// it; on success, spool to disk again.
    fn recover(&mut self) {
        self.next_try = Instant::now() + RETRY_EVERY;
        if self.disk.is_none() {
            let r = &self.reopen;
            let Ok(mut spool) = Spool::open_renaming(&r.dir, r.max_bytes, &r.keys, &r.renames)
            else {
                return;
            };
            if let Some(durability) = &self.durability {
                spool.set_durability(durability.clone_sender());
            }
            spool.set_read_only(true);
            self.memory.rebase(spool.next_seq());
            self.disk = Some(spool);
        }
        let Some(disk) = self.disk.as_mut() else {
            return;
        };
        if let Err(e) = disk.write_probe() {
            self.degraded = Some(e.to_string());
            return;
        }
        let mut moved = 0;
        let mut failed = None;
        for record in self.memory.records() {
            disk.skip_to(record.seq);
            let sample: Value = serde_json::from_str(record.sample.get()).unwrap_or(Value::Null);
            if let Err(e) = disk.append_with(record.timestamp, &sample, record.prom.as_ref()) {
                failed = Some(e);
                break;
            }
            moved += 1;
        }
        // Destinations that already had memory samples keep their place.
        for key in &self.reopen.keys {
            if let Some(seq) = self.memory.explicit_cursor(key) {
                disk.advance_quietly(key, seq);
            }
        }
        self.memory.forget_before(disk.next_seq());
        if let Some(e) = failed {
            self.degraded = Some(e.to_string());
            return;
        }
        disk.set_read_only(false);
        self.degraded = None;
        DEGRADED.store(false, Ordering::Relaxed);
        info!(
            spool = %self.reopen.dir.display(),
            "the spool can be written again: {moved} samples kept in memory moved to it; spooling resumes"
        );
        notify::status(&format!(
            "spool {} writable again",
            self.reopen.dir.display()
        ));
    }

    /// Up to `max` oldest samples `key` has not had: the disk's first.
    pub fn read(
        &mut self,
        key: &str,
        max: usize,
        pos: &mut Option<ReadPos>,
    ) -> io::Result<Vec<Record>> {
        if let Some(disk) = &mut self.disk {
            if disk.cursor(key) < disk.next_seq() || self.memory.is_empty() {
                return disk.read(key, max, pos);
            }
        }
        *pos = None;
        Ok(self.memory.read(key, max))
    }

    /// `key` is done with every sample before `to`.
    pub fn advance(&mut self, key: &str, to: u64) -> io::Result<()> {
        let mut result = Ok(());
        if let Some(disk) = &mut self.disk {
            result = disk.advance(key, to.min(disk.next_seq()));
            if to <= disk.next_seq() {
                return result;
            }
        }
        self.memory.advance(key, to);
        result
    }

    pub fn pending(&self, key: &str) -> u64 {
        let on_disk = self.disk.as_ref().map_or(0, |d| d.pending(key));
        let in_memory = if self.memory.is_empty() {
            0
        } else {
            self.memory.pending(key)
        };
        on_disk + in_memory
    }
}

#[cfg(test)]
mod tests {
    use super::super::room::tests::Tmpfs;
    use super::*;
    use serde_json::json;

    fn seqs(records: &[Record]) -> Vec<u64> {
        records.iter().map(|r| r.seq).collect()
    }

    fn read(store: &mut Store) -> Vec<u64> {
        seqs(&store.read("a", 10, &mut None).unwrap())
    }

    #[test]
    fn disk_backlog_first_then_memory_then_back_to_disk_in_order() {
        let Some(fs) = Tmpfs::mount("1m") else {
            return;
        };
        let keys = vec!["a".to_string()];
        let reopen = Reopen {
            dir: fs.0.path().to_path_buf(),
            max_bytes: 1 << 20,
            keys: keys.clone(),
            renames: Vec::new(),
        };
        let spool = Spool::open(fs.0.path(), 1 << 20, &keys).unwrap();
        let mut store = Store::new(Ok(spool), reopen.clone());
        for i in 1..=3 {
            let stored = store.append(i, &json!({ "i": i }), None).unwrap();
            assert!(matches!(stored, Stored::Disk(_)));
        }
        store.advance("a", 2).unwrap();
        fs.remount("ro");
        for i in 4..=5 {
            let stored = store.append(i, &json!({ "i": i }), None).unwrap();
            assert!(matches!(stored, Stored::Memory(ref a) if a.seq == i as u64));
        }
        assert!(store.degraded.is_some());
        // What was on disk before the failure comes first, then memory.
        assert_eq!(read(&mut store), [2, 3]);
        store.advance("a", 4).unwrap();
        assert_eq!(read(&mut store), [4, 5]);
        assert_eq!(store.pending("a"), 2);
        store.advance("a", 5).unwrap();
        fs.remount("rw");
        store.next_try = Instant::now();
        let stored = store.append(6, &json!({ "i": 6 }), None).unwrap();
        assert!(matches!(stored, Stored::Disk(ref a) if a.seq == 6));
        assert!(store.degraded.is_none());
        assert_eq!(read(&mut store), [5, 6]);
        drop(store);
        // The samples kept in memory were moved to disk, with the cursor.
        let mut spool = Spool::open(fs.0.path(), 1 << 20, &keys).unwrap();
        assert_eq!(seqs(&spool.read("a", 10, &mut None).unwrap()), [5, 6]);
    }

    #[test]
    fn missing_at_start_numbers_on_from_the_spool_once_it_opens() {
        let Some(fs) = Tmpfs::mount("1m") else {
            return;
        };
        let dir = fs.0.path().join("spool");
        let keys = vec!["a".to_string()];
        {
            let mut spool = Spool::open(&dir, 1 << 20, &keys).unwrap();
            for i in 1..=4 {
                spool.append(i, &json!({ "i": i })).unwrap();
            }
            spool.advance("a", 5).unwrap();
        }
        fs.remount("ro");
        let reopen = Reopen {
            dir: dir.clone(),
            max_bytes: 1 << 20,
            keys: keys.clone(),
            renames: Vec::new(),
        };
        let mut store = Store::new(Err("read-only".into()), reopen);
        store.next_try = Instant::now() + Duration::from_secs(60);
        for i in 1..=2 {
            assert!(matches!(
                store.append(i, &json!({}), None).unwrap(),
                Stored::Memory(_)
            ));
        }
        assert_eq!(read(&mut store), [1, 2]);
        store.advance("a", 2).unwrap();
        fs.remount("rw");
        store.next_try = Instant::now();
        let stored = store.append(3, &json!({}), None).unwrap();
        assert!(
            matches!(stored, Stored::Disk(ref a) if a.seq == 7),
            "renumbered after 4"
        );
        // Sample 1 was delivered from memory: only the 2nd (now 6) and 7.
        assert_eq!(read(&mut store), [6, 7]);
    }
}
