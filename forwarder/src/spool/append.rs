//! Writing samples to the spool: a record line appended to the last
//! segment (or a new one), its fsync queued, the oldest samples dropped
//! when the cap or a full disk requires it.

use super::durability::{Durability, Job};
use super::{room, Appended, Scraped, Segment, Spool};
use serde_json::Value;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::sync::Arc;

impl Spool {
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
        let mut appended = Appended {
            seq,
            ..Appended::default()
        };
        while let Err(e) = self.write_line(seq, &line) {
            // A full disk: the oldest samples go (as with the cap) so that
            // the newest can be kept; nothing left to drop is an error.
            if !room::is_disk_full(&e) || !self.make_room(&mut appended) {
                return Err(e);
            }
        }
        self.total_bytes += line.len() as u64;
        self.next_seq += 1;
        if matches!(self.durability, Durability::Inline) {
            self.durable_seq = self.next_seq;
        }
        self.enforce_cap(&mut appended);
        Ok(appended)
    }

    /// Write one record line to the last segment (a new one when it is
    /// full or may not be appended to) and queue its fsync.
    fn write_line(&mut self, seq: u64, line: &[u8]) -> io::Result<()> {
        let roll = !self.active
            || self.segments.back().is_none_or(|last| {
                last.bytes > 0 && last.bytes + line.len() as u64 > self.segment_max
            });
        let segments_dir = self.dir.join("segments");
        let file = if roll {
            let path = segments_dir.join(format!("{seq:020}.jsonl"));
            let file = OpenOptions::new().append(true).create(true).open(&path)?;
            self.durability.submit(Job::Dir(segments_dir))?;
            self.segments.push_back(Segment {
                first: seq,
                bytes: 0,
                path,
            });
            self.active = true;
            file
        } else {
            let path = self
                .segments
                .back()
                .map(|s| s.path.clone())
                .unwrap_or_default();
            OpenOptions::new().append(true).open(path)?
        };
        let Some(last) = self.segments.back_mut() else {
            return Err(io::Error::other("spool has no active segment"));
        };
        let file = Arc::new(file);
        let written = (&*file).write_all(line).and_then(|()| {
            self.durability.submit(Job::Data {
                file: Arc::clone(&file),
                path: last.path.clone(),
                through: seq + 1,
            })
        });
        if let Err(e) = written {
            if file.set_len(last.bytes).is_err() {
                // Part of the record stays: nothing may follow it in this
                // segment (it would be glued to the fragment, and the next
                // start cuts off everything after it). Start a new one.
                self.active = false;
            }
            return Err(e);
        }
        last.bytes += line.len() as u64;
        Ok(())
    }

    /// Number the next sample `seq` (samples before it were kept in memory
    /// only and are gone); it starts a new segment.
    pub fn skip_to(&mut self, seq: u64) {
        if seq > self.next_seq {
            self.next_seq = seq;
            self.active = false;
        }
    }

    /// Whether a file can be created in the spool now.
    pub fn write_probe(&self) -> io::Result<()> {
        let probe = self.dir.join("probe.tmp");
        std::fs::write(&probe, b"")?;
        std::fs::remove_file(probe)
    }
}
