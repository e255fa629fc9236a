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
