//! The durable on-disk queue. Samples are appended (and fsynced) to
//! append-only JSON-lines segment files `segments/<first seq>.jsonl`, one
//! `{"seq":N,"ts":T,"sample":{..}}` per line; each destination has a cursor
//! file `cursors/<key>` holding the next seq it still needs. Segments every
//! destination has passed are deleted; when the total exceeds the cap the
//! oldest segment goes first. A torn last line after a crash is cut off.
//! `FORMAT` marks the layout's version (see [`format`]).
//! A record may also carry `"prom":{"ms":..,"instance":..,"text":..}`, the
//! agent's `/metrics` scrape of the same poll, for remote-write destinations.
//!
//! [`Spool`] is the queue's state; at run time it lives on its own thread
//! ([`actor`]) and its fsyncs on another ([`durability`]): a sample becomes
//! readable once its fsync returned.

pub mod actor;
mod append;
pub mod cursor;
pub mod durability;
pub mod format;
pub mod fsync;
pub mod memory;
mod open;
pub mod record;
mod room;
pub mod store;

pub use actor::SpoolHandle;
use durability::{Durability, Job};
pub use open::OpenError;
pub use record::{Record, Scraped};
pub use room::DELIVERED_KEEP;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::PathBuf;

use std::time::{Duration, Instant};
use tracing::warn;

/// Largest segment file; smaller when the cap is small, so that dropping
/// one segment never drops more than an eighth of the queue.
const SEGMENT_MAX: u64 = 1 << 20;

/// While a backlog drains, a cursor is fsynced at most this often (the
/// rename alone already survives `kill -9`); once caught up, every time.
const CURSOR_SYNC_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Segment {
    first: u64,
    bytes: u64,
    path: PathBuf,
}

/// Where a destination's next read starts, to avoid rescanning a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadPos {
    segment: u64,
    offset: u64,
    seq: u64,
}

/// What `append` did besides storing the sample.
#[derive(Debug, Default)]
pub struct Appended {
    pub seq: u64,
    /// Oldest samples deleted to respect the cap.
    pub dropped: u64,
    /// Per destination key: how many not yet delivered samples that cost.
    pub lost: Vec<(String, u64)>,
    /// Set when the sample was written but its fsync failed: it is kept
    /// and delivered, but may not survive a power cut.
    pub not_synced: Option<String>,
    /// Whether the disk was full and room was made (the drops are counted
    /// in `dropped` and `lost`).
    pub disk_full: DiskFull,
}

/// Whether a full disk made the spool drop its oldest samples.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum DiskFull {
    #[default]
    No,
    /// The first time in this episode: worth a warning.
    Started,
    /// Again, before any delivery freed space.
    Ongoing,
}

#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    segments: VecDeque<Segment>,
    /// Whether the last segment may be appended to (it is opened for each
    /// append: no file of the spool stays open for writing, so that the
    /// filesystem can be remounted read-only under it).
    active: bool,
    next_seq: u64,
    /// Samples before this one are fsynced, hence readable.
    durable_seq: u64,
    total_bytes: u64,
    max_bytes: u64,
    segment_max: u64,
    cursors: BTreeMap<String, u64>,
    synced: BTreeMap<String, Instant>,
    /// Segments whose corrupt line was logged already (once per segment).
    corrupt_seen: BTreeSet<u64>,
    /// Set by a full disk until a delivery frees space (one warning per episode).
    disk_full: bool,
    /// While the disk cannot be written: cursors are kept in memory only.
    read_only: bool,
    durability: Durability,
    _lock: File,
}

impl Spool {
    /// Samples before `through` are fsynced: make them readable.
    pub fn mark_durable(&mut self, through: u64) {
        self.durable_seq = self.durable_seq.max(through.min(self.next_seq));
    }

    /// Whether a sample is still waiting for its fsync.
    pub fn durable_seq(&self) -> u64 {
        self.durable_seq
    }

    /// Run the disk work on `durability` from now on.
    pub fn set_durability(&mut self, durability: Durability) {
        self.durability = durability;
    }

    /// Delete a segment nobody needs (here, not on the sync thread: the cap
    /// on disk must hold as soon as the spool says it does).
    fn remove_segment(&self, path: PathBuf) {
        let _ = std::fs::remove_file(path);
    }

    /// Up to `max` oldest samples `key` has not yet had, oldest first.
    /// `pos` is the caller's read hint from the previous call.
    pub fn read(
        &mut self,
        key: &str,
        max: usize,
        pos: &mut Option<ReadPos>,
    ) -> io::Result<Vec<Record>> {
        let cursor = self.cursor(key);
        // Only fsynced samples are read: nothing is sent before it is durable.
        let limit = self.durable_seq;
        let mut out = Vec::new();
        if cursor >= limit || max == 0 {
            return Ok(out);
        }
        let hinted = pos.filter(|p| p.seq == cursor).and_then(|p| {
            self.segments
                .iter()
                .position(|s| s.first == p.segment)
                .map(|i| (i, p.offset))
        });
        let (mut index, mut offset) = hinted.unwrap_or_else(|| {
            let i = self
                .segments
                .iter()
                .rposition(|s| s.first <= cursor)
                .unwrap_or(0);
            (i, 0)
        });
        let mut line = Vec::new();
        while let Some(segment) = self.segments.get(index) {
            let (first, path) = (segment.first, segment.path.clone());
            let mut file = File::open(&path)?;
            file.seek(SeekFrom::Start(offset))?;
            let mut reader = BufReader::new(file);
            let mut done = first >= limit;
            while !done {
                line.clear();
                let n = reader.read_until(b'\n', &mut line)?;
                if n == 0 || line.last() != Some(&b'\n') {
                    break;
                }
                let Ok(record) = serde_json::from_slice::<Record>(&line) else {
                    // Only disk damage makes one: skip it, say so once per segment.
                    offset += n as u64;
                    if self.corrupt_seen.insert(first) {
                        warn!(
                            segment = %path.display(),
                            "skipping a corrupt line at byte {} of a spool segment (disk damage?)",
                            offset - n as u64
                        );
                    }
                    continue;
                };
                if record.seq >= limit {
                    done = true; // written, its fsync still running
                    break;
                }
                offset += n as u64;
                if record.seq < cursor {
                    continue;
                }
                out.push(record);
                done = out.len() >= max;
            }
            if done || index + 1 == self.segments.len() {
                if let Some(last) = out.last() {
                    *pos = Some(ReadPos {
                        segment: first,
                        offset,
                        seq: last.seq + 1,
                    });
                }
                break;
            }
            index += 1;
            offset = 0;
        }
        Ok(out)
    }

    /// The next seq `key` needs (clamped to what the spool still holds).
    pub fn cursor(&self, key: &str) -> u64 {
        let oldest = self.segments.front().map_or(self.next_seq, |s| s.first);
        self.cursors
            .get(key)
            .copied()
            .unwrap_or(self.next_seq)
            .max(oldest.min(self.next_seq))
    }

    /// Record that `key` is done with every sample before `to` (delivered or
    /// rejected): persist the cursor, then delete segments nobody needs.
    pub fn advance(&mut self, key: &str, to: u64) -> io::Result<()> {
        // Memory first: even if the file cannot be written, this run must
        // not resend (or re-reject) the same samples forever. Never back:
        // the cap may have moved the cursor on while the batch was posted.
        let to = to.max(self.cursor(key)).min(self.next_seq);
        self.cursors.insert(key.to_string(), to);
        if self.read_only {
            self.collect_garbage();
            return Ok(());
        }
        let durable = to >= self.next_seq
            || self
                .synced
                .get(key)
                .is_none_or(|at| at.elapsed() >= CURSOR_SYNC_EVERY);
        self.durability.submit(Job::Cursor {
            path: self.dir.join("cursors").join(key),
            seq: to,
            durable,
        })?;
        if durable {
            self.synced.insert(key.to_string(), Instant::now());
        }
        self.collect_garbage();
        Ok(())
    }

    /// Move `key` on without writing its cursor file (the disk cannot be
    /// written; [`Spool::set_read_only`] writes every cursor when it can).
    pub fn advance_quietly(&mut self, key: &str, to: u64) {
        let to = to.max(self.cursor(key)).min(self.next_seq);
        self.cursors.insert(key.to_string(), to);
    }

    /// Whether the disk cannot be written (cursors stay in memory); back
    /// to writable, every cursor is written.
    pub fn set_read_only(&mut self, read_only: bool) {
        let was = std::mem::replace(&mut self.read_only, read_only);
        if was && !read_only {
            if let Err(e) = self.sync_cursors() {
                warn!("cannot save the delivery cursors: {e}");
            }
        }
    }

    /// Fsync every cursor (at shutdown).
    pub fn sync_cursors(&mut self) -> io::Result<()> {
        for (key, seq) in &self.cursors {
            self.durability.submit(Job::Cursor {
                path: self.dir.join("cursors").join(key),
                seq: *seq,
                durable: true,
            })?;
        }
        Ok(())
    }

    /// Samples `key` still has to receive.
    pub fn pending(&self, key: &str) -> u64 {
        self.next_seq - self.cursor(key)
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }
}

#[cfg(test)]
mod tests;
