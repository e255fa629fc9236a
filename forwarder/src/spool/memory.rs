//! The bounded in-memory queue used while the spool cannot be written (a
//! read-only, failing or missing disk): the last [`MEMORY_SAMPLES`]
//! samples, numbered on from the disk's, with a cursor per destination.

use super::{Record, Scraped};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::io;

/// Samples kept in memory at most; the oldest go first.
pub const MEMORY_SAMPLES: usize = 1000;

#[derive(Debug, Default)]
pub struct Memory {
    records: VecDeque<Record>,
    /// Seq of the next sample pushed.
    next_seq: u64,
    /// Destinations that have passed the disk's samples: the next seq each needs.
    cursors: BTreeMap<String, u64>,
}

impl Memory {
    /// Keep one sample (numbered at least `from`); returns its seq.
    pub fn push(
        &mut self,
        from: u64,
        timestamp: i64,
        sample: &Value,
        prom: Option<Scraped>,
    ) -> io::Result<u64> {
        if self.records.is_empty() {
            self.next_seq = self.next_seq.max(from);
        }
        let seq = self.next_seq;
        self.records.push_back(Record {
            seq,
            timestamp,
            sample: serde_json::value::to_raw_value(sample).map_err(io::Error::other)?,
            prom,
        });
        self.next_seq += 1;
        while self.records.len() > MEMORY_SAMPLES {
            self.records.pop_front();
        }
        Ok(seq)
    }

    fn first(&self) -> u64 {
        self.records.front().map_or(self.next_seq, |r| r.seq)
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The next seq `key` needs.
    pub fn cursor(&self, key: &str) -> u64 {
        let first = self.first();
        self.cursors.get(key).map_or(first, |c| (*c).max(first))
    }

    /// Where `key` is, when it has been given memory samples.
    pub fn explicit_cursor(&self, key: &str) -> Option<u64> {
        self.cursors.get(key).copied()
    }

    pub fn read(&self, key: &str, max: usize) -> Vec<Record> {
        let cursor = self.cursor(key);
        self.records
            .iter()
            .filter(|r| r.seq >= cursor)
            .take(max)
            .cloned()
            .collect()
    }

    pub fn advance(&mut self, key: &str, to: u64) {
        let to = to.min(self.next_seq).max(self.cursor(key));
        self.cursors.insert(key.to_string(), to);
    }

    pub fn pending(&self, key: &str) -> u64 {
        self.next_seq.saturating_sub(self.cursor(key))
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Renumber everything so that the oldest sample gets at least `first`
    /// (a spool opened late continues its own numbering).
    pub fn rebase(&mut self, first: u64) {
        let shift = first.saturating_sub(self.first());
        for record in &mut self.records {
            record.seq += shift;
        }
        for cursor in self.cursors.values_mut() {
            *cursor += shift;
        }
        self.next_seq += shift;
    }

    /// The kept samples, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter()
    }

    /// Forget the samples before `seq` (now on disk).
    pub fn forget_before(&mut self, seq: u64) {
        while self.records.front().is_some_and(|r| r.seq < seq) {
            self.records.pop_front();
        }
        if self.records.is_empty() {
            self.cursors.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_the_last_samples_in_order_with_a_cursor_each() {
        let mut m = Memory::default();
        for i in 0..1005 {
            assert_eq!(
                m.push(7, i, &json!({ "i": i }), None).unwrap(),
                7 + i as u64
            );
        }
        let read = m.read("a", 3);
        assert_eq!(read.iter().map(|r| r.seq).collect::<Vec<_>>(), [12, 13, 14]);
        m.advance("a", 14);
        assert_eq!(m.read("a", 1)[0].seq, 14);
        assert_eq!(m.pending("a"), 1012 - 14);
        assert_eq!(m.pending("b"), 1000);
        m.rebase(100);
        assert_eq!(m.read("a", 1)[0].seq, 102);
        m.forget_before(m.next_seq());
        assert!(m.is_empty() && m.explicit_cursor("a").is_none());
    }
}
