//! The durable on-disk queue. Samples are appended (and fsynced) to
//! append-only JSON-lines segment files `segments/<first seq>.jsonl`, one
//! `{"seq":N,"ts":T,"sample":{..}}` per line; each destination has a cursor
//! file `cursors/<key>` holding the next seq it still needs. Segments every
//! destination has passed are deleted; when the total exceeds the cap the
//! oldest segment goes first. A torn last line after a crash is cut off.
//! A record may also carry `"prom":{"ms":..,"instance":..,"text":..}`, the
//! agent's `/metrics` scrape of the same poll, for remote-write destinations.

use crate::cursor;
use crate::record::scan_valid;
pub use crate::record::{Record, Scraped};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
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
}

#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    segments: VecDeque<Segment>,
    active: Option<File>,
    next_seq: u64,
    total_bytes: u64,
    max_bytes: u64,
    segment_max: u64,
    cursors: BTreeMap<String, u64>,
    synced: BTreeMap<String, Instant>,
    _lock: File,
}

fn invalid(msg: String) -> io::Error {
    io::Error::other(msg)
}

impl Spool {
    /// Open (or create) the spool in `dir` for the destinations `keys`.
    /// A destination seen for the first time starts at the next new sample.
    pub fn open(dir: &Path, max_bytes: u64, keys: &[String]) -> io::Result<Spool> {
        let seg_dir = dir.join("segments");
        let cur_dir = dir.join("cursors");
        fs::create_dir_all(&seg_dir)?;
        fs::create_dir_all(&cur_dir)?;
        let lock = File::create(dir.join("lock"))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
            .map_err(|_| invalid(format!("{} is in use by another forwarder", dir.display())))?;

        let mut segments = Vec::new();
        for entry in fs::read_dir(&seg_dir)? {
            let path = entry?.path();
            let first = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".jsonl"))
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(first) = first {
                let bytes = fs::metadata(&path)?.len();
                segments.push(Segment { first, bytes, path });
            }
        }
        segments.sort_by_key(|s| s.first);
        let mut segments: VecDeque<Segment> = segments.into();

        let mut next_seq = 1;
        if let Some(last) = segments.back_mut() {
            let (valid_bytes, next) = scan_valid(&last.path, last.first)?;
            if valid_bytes < last.bytes {
                warn!(
                    segment = %last.path.display(),
                    "cutting off {} bytes of a sample torn by a crash (it was never sent)",
                    last.bytes - valid_bytes
                );
                OpenOptions::new()
                    .write(true)
                    .open(&last.path)?
                    .set_len(valid_bytes)?;
                last.bytes = valid_bytes;
            }
            next_seq = next;
        }
        let scanned_next = next_seq;
        let oldest = segments.front().map_or(next_seq, |s| s.first);
        let mut cursors = BTreeMap::new();
        for key in keys {
            match cursor::read(&cur_dir.join(key)) {
                Ok(Some(seq)) => {
                    next_seq = next_seq.max(seq);
                    cursors.insert(key.clone(), seq);
                }
                Ok(None) => {}
                Err(e) => {
                    // Unknown progress: replay everything kept (at-least-once).
                    warn!(destination = %key, "unreadable cursor ({e}); resending every spooled sample");
                    cursors.insert(key.clone(), oldest);
                }
            }
        }
        let oldest = oldest.min(next_seq);
        for key in keys {
            // A destination seen for the first time starts with the next sample.
            let seq = cursors.entry(key.clone()).or_insert(next_seq);
            *seq = (*seq).clamp(oldest, next_seq);
            // A full disk or an unwritable directory must not strand the
            // backlog: deliver anyway; each delivery writes the cursor again.
            if let Err(e) = cursor::write(&cur_dir.join(key), *seq, true) {
                warn!(destination = %key, "cannot save the delivery cursor ({e}); delivering anyway");
            }
        }
        // Cursor files (and `segments/`, `cursors/`) created just now must
        // survive a power cut: a lost cursor's destination would count as
        // new and skip the backlog kept for it.
        for created in [&cur_dir, dir] {
            if let Err(e) = sync_dir(created) {
                warn!("cannot sync {}: {e}", created.display());
            }
        }
        // Records of a segment are consecutive (the check above relies on
        // it): when a cursor is ahead of the data, start a new segment.
        let active = match segments.back() {
            Some(last) if next_seq == scanned_next => {
                Some(OpenOptions::new().append(true).open(&last.path)?)
            }
            _ => None,
        };
        let total_bytes = segments.iter().map(|s| s.bytes).sum();
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            segments,
            active,
            next_seq,
            total_bytes,
            max_bytes,
            segment_max: (max_bytes / 8).clamp(1, SEGMENT_MAX),
            cursors,
            synced: BTreeMap::new(),
            _lock: lock,
        };
        spool.collect_garbage();
        Ok(spool)
    }

    /// Durably append one sample (fsynced before returning), enforcing the cap.
    pub fn append(&mut self, timestamp: i64, sample: &Value) -> io::Result<Appended> {
        self.append_with(timestamp, sample, None)
    }

    /// [`Spool::append`] with the poll's `/metrics` scrape attached.
    pub fn append_with(
        &mut self,
        timestamp: i64,
        sample: &Value,
        prom: Option<&Scraped>,
    ) -> io::Result<Appended> {
        let seq = self.next_seq;
        let mut record = serde_json::json!({"seq": seq, "ts": timestamp, "sample": sample});
        if let (Some(prom), Some(map)) = (prom, record.as_object_mut()) {
            map.insert(
                "prom".into(),
                serde_json::to_value(prom).map_err(io::Error::other)?,
            );
        }
        let mut line = serde_json::to_vec(&record).map_err(io::Error::other)?;
        line.push(b'\n');
        let roll = match (self.active.as_ref(), self.segments.back()) {
            (Some(_), Some(last)) => {
                last.bytes > 0 && last.bytes + line.len() as u64 > self.segment_max
            }
            _ => true,
        };
        if roll {
            let path = self.dir.join("segments").join(format!("{seq:020}.jsonl"));
            let file = OpenOptions::new().append(true).create(true).open(&path)?;
            sync_dir(&self.dir.join("segments"))?;
            self.segments.push_back(Segment {
                first: seq,
                bytes: 0,
                path,
            });
            self.active = Some(file);
        }
        let (Some(file), Some(last)) = (self.active.as_mut(), self.segments.back_mut()) else {
            return Err(invalid("spool has no active segment".into()));
        };
        if let Err(e) = file.write_all(&line).and_then(|()| file.sync_data()) {
            if file.set_len(last.bytes).is_err() {
                // Part of the record stays: nothing may follow it in this
                // segment (it would be glued to the fragment, and the next
                // start cuts off everything after it). Start a new one.
                self.active = None;
            }
            return Err(e);
        }
        last.bytes += line.len() as u64;
        self.total_bytes += line.len() as u64;
        self.next_seq += 1;
        let mut appended = Appended {
            seq,
            ..Appended::default()
        };
        self.enforce_cap(&mut appended);
        Ok(appended)
    }

    fn enforce_cap(&mut self, appended: &mut Appended) {
        while self.total_bytes > self.max_bytes && self.segments.len() > 1 {
            let Some(oldest) = self.segments.pop_front() else {
                break;
            };
            let new_oldest = self.segments.front().map_or(self.next_seq, |s| s.first);
            let _ = fs::remove_file(&oldest.path);
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
        }
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
        let mut out = Vec::new();
        if cursor >= self.next_seq || max == 0 {
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
            let mut file = File::open(&segment.path)?;
            file.seek(SeekFrom::Start(offset))?;
            let mut reader = BufReader::new(file);
            loop {
                line.clear();
                let n = reader.read_until(b'\n', &mut line)?;
                if n == 0 || line.last() != Some(&b'\n') {
                    break;
                }
                offset += n as u64;
                let Ok(record) = serde_json::from_slice::<Record>(&line) else {
                    continue; // corrupt line (cannot happen short of disk damage): skip
                };
                if record.seq < cursor {
                    continue;
                }
                let seq = record.seq;
                out.push(record);
                if out.len() >= max {
                    *pos = Some(ReadPos {
                        segment: segment.first,
                        offset,
                        seq: seq + 1,
                    });
                    return Ok(out);
                }
            }
            if index + 1 == self.segments.len() {
                if let Some(last) = out.last() {
                    *pos = Some(ReadPos {
                        segment: segment.first,
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
        let durable = to >= self.next_seq
            || self
                .synced
                .get(key)
                .is_none_or(|at| at.elapsed() >= CURSOR_SYNC_EVERY);
        cursor::write(&self.dir.join("cursors").join(key), to, durable)?;
        if durable {
            self.synced.insert(key.to_string(), Instant::now());
        }
        self.collect_garbage();
        Ok(())
    }

    /// Fsync every cursor (at shutdown).
    pub fn sync_cursors(&mut self) -> io::Result<()> {
        for (key, seq) in &self.cursors {
            cursor::write(&self.dir.join("cursors").join(key), *seq, true)?;
        }
        Ok(())
    }

    fn collect_garbage(&mut self) {
        let Some(min) = self.cursors.values().copied().min() else {
            return;
        };
        while self.segments.len() > 1 && self.segments.get(1).is_some_and(|s| s.first <= min) {
            if let Some(old) = self.segments.pop_front() {
                let _ = fs::remove_file(&old.path);
                self.total_bytes -= old.bytes;
            }
        }
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

/// Fsync a directory, making the entries created in it durable.
fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

#[cfg(test)]
#[path = "spool_tests.rs"]
mod tests;
