//! The spool's line format: one sample as stored and read back, with the
//! optional `/metrics` scrape of the same poll for remote write.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One spooled sample.
#[derive(Debug, Deserialize)]
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
