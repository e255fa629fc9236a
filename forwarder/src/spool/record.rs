//! The spool's line format: one sample as stored and read back, with the
//! optional `/metrics` scrape of the same poll for remote write, and the
//! check of how much of a segment file holds whole, consecutive records.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// One spooled sample.
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub seq: u64,
    #[serde(rename = "ts")]
    pub timestamp: i64,
    pub sample: Box<RawValue>,
    /// The `/metrics` scrape of the same poll (remote write only).
    #[serde(default)]
    pub prom: Option<Scraped>,
}

/// The agent's exposition text at one poll, for remote write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scraped {
    /// Unix time of the poll in milliseconds.
    pub ms: i64,
    /// The agent's hostname (the default `instance` label).
    pub instance: String,
    /// Sample lines of the exposition (comments left out).
    pub text: String,
}

/// Length of the valid prefix of a segment and the seq after its last
/// complete, well-formed, consecutive record.
pub fn scan_valid(path: &Path, first: u64) -> io::Result<(u64, u64)> {
    let mut reader = BufReader::new(File::open(path)?);
    let (mut valid, mut expected) = (0u64, first);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        match serde_json::from_slice::<Record>(&line) {
            Ok(r) if r.seq == expected => {
                valid += n as u64;
                expected += 1;
            }
            _ => break,
        }
    }
    Ok((valid, expected))
}
