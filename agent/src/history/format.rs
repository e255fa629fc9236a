//! The history file's format, version 1: a small binary layout rather than
//! JSON, because the file is rewritten every 10 minutes on SD cards (a full
//! day is ~230 KB this way, about 3× that as JSON text) and a checksum
//! tells a torn or foreign file from ours. Little-endian throughout:
//!
//! ```text
//! magic "ssHIST\r\n" | version u32 | series: u16 count, then u8 length + name each
//! fine:   u32 count, then (t i64, N × f32) each          (stored slots only)
//! coarse: u32 count, then (t i64, N × f32 avg, N × f32 max) each
//! events: u32 count, then (kind u8, flags u8, started i64, ended i64, seen i64) each
//! FNV-1a 64 of everything before it, u64
//! ```
//!
//! Encoding and decoding are pure; `file` does the I/O.

use super::series::{Point, EMPTY, N, SERIES};
use super::tiers::{Coarse, Tiers};
use crate::power::{Kind, PowerEvent};

pub const MAGIC: &[u8; 8] = b"ssHIST\r\n";
pub const VERSION: u32 = 1;

/// The format version a file's first bytes announce (None: not ours).
pub fn version_of(bytes: &[u8]) -> Option<u32> {
    let v = bytes.strip_prefix(MAGIC.as_slice())?.get(..4)?;
    Some(u32::from_le_bytes(v.try_into().ok()?))
}

/// Why a file cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const NO_TIME: i64 = i64::MIN;

/// The size of a full file: both tiers full and the most events kept.
pub fn max_len() -> usize {
    use super::tiers::{COARSE_SLOTS, FINE_SLOTS};
    let names: usize = SERIES.iter().map(|n| 1 + n.len()).sum();
    MAGIC.len()
        + 4
        + 2
        + names
        + 4
        + FINE_SLOTS * (8 + 4 * N)
        + 4
        + COARSE_SLOTS * (8 + 8 * N)
        + 4
        + crate::power::MAX_EVENTS * 26
        + 8
}

pub fn encode(tiers: &Tiers, events: &[PowerEvent]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 * 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(N as u16).to_le_bytes());
    for name in SERIES {
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
    }
    let point = |out: &mut Vec<u8>, p: &Point| {
        for v in p {
            out.extend_from_slice(&v.to_le_bytes());
        }
    };
    let fine: Vec<_> = tiers.fine.stored().collect();
    out.extend_from_slice(&(fine.len() as u32).to_le_bytes());
    for (t, p) in fine {
        out.extend_from_slice(&t.to_le_bytes());
        point(&mut out, p);
    }
    let coarse: Vec<_> = tiers.coarse.stored().collect();
    out.extend_from_slice(&(coarse.len() as u32).to_le_bytes());
    for (t, c) in coarse {
        out.extend_from_slice(&t.to_le_bytes());
        point(&mut out, &c.avg);
        point(&mut out, &c.max);
    }
    out.extend_from_slice(&(events.len() as u32).to_le_bytes());
    for e in events {
        out.push(e.kind.index() as u8);
        out.push(u8::from(e.before_agent_start) | (u8::from(e.ongoing) << 1));
        for t in [e.started_at, e.ended_at, Some(e.seen_at)] {
            out.extend_from_slice(&t.unwrap_or(NO_TIME).to_le_bytes());
        }
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// A cursor over the bytes that fails with "truncated" instead of panicking.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        if self.bytes.len() < n {
            return Err(FormatError("truncated".into()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn array<const K: usize>(&mut self) -> Result<[u8; K], FormatError> {
        let mut a = [0u8; K];
        a.copy_from_slice(self.take(K)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, FormatError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, FormatError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn point(&mut self) -> Result<Point, FormatError> {
        let mut p = EMPTY;
        for v in p.iter_mut() {
            *v = f32::from_le_bytes(self.array()?);
        }
        Ok(p)
    }
    /// A count of records of `size` bytes, checked against what is left.
    fn count(&mut self, size: usize) -> Result<usize, FormatError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size) > self.bytes.len() {
            return Err(FormatError("truncated".into()));
        }
        Ok(n)
    }
}

pub fn decode(bytes: &[u8]) -> Result<(Tiers, Vec<PowerEvent>), FormatError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(FormatError("not a system-stats history file".into()));
    }
    if bytes.len() < MAGIC.len() + 4 + 8 {
        return Err(FormatError("truncated".into()));
    }
    let body_len = bytes.len() - 8;
    let (body, sum) = bytes.split_at(body_len);
    let mut r = Reader {
        bytes: &body[MAGIC.len()..],
    };
    let version = r.u32()?;
    if version != VERSION {
        return Err(FormatError(format!("unknown version {version}")));
    }
    if sum.len() != 8 || fnv1a(body).to_le_bytes() != sum {
        return Err(FormatError(
            "checksum mismatch (truncated or corrupt)".into(),
        ));
    }
    let n = r.u16()? as usize;
    let mut names = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let len = r.u8()? as usize;
        names.push(String::from_utf8_lossy(r.take(len)?).into_owned());
    }
    if names != SERIES {
        return Err(FormatError(format!(
            "written with other series: {}",
            names.join(",")
        )));
    }
    let mut tiers = Tiers::default();
    for _ in 0..r.count(8 + 4 * N)? {
        let t = r.i64()?;
        tiers.fine.put(t, r.point()?);
    }
    for _ in 0..r.count(8 + 8 * N)? {
        let t = r.i64()?;
        let (avg, max) = (r.point()?, r.point()?);
        tiers.coarse.put(t, Coarse { avg, max });
    }
    let mut events = Vec::new();
    for _ in 0..r.count(26)? {
        let kind = r.u8()?;
        let kind = Kind::from_index(kind as usize)
            .ok_or_else(|| FormatError(format!("unknown event kind {kind}")))?;
        let flags = r.u8()?;
        let time = |t: i64| (t != NO_TIME).then_some(t);
        let (started, ended, seen) = (r.i64()?, r.i64()?, r.i64()?);
        events.push(PowerEvent {
            kind,
            started_at: time(started),
            ended_at: time(ended),
            seen_at: seen,
            before_agent_start: flags & 1 != 0,
            ongoing: flags & 2 != 0,
        });
    }
    if !r.bytes.is_empty() {
        return Err(FormatError("trailing bytes".into()));
    }
    Ok((tiers, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_read_from_the_first_bytes_only() {
        let bytes = encode(&Tiers::default(), &[]);
        assert_eq!(version_of(&bytes), Some(VERSION));
        let mut newer = MAGIC.to_vec();
        newer.extend_from_slice(&7u32.to_le_bytes());
        assert_eq!(version_of(&newer), Some(7));
        assert!(decode(&newer).is_err());
        assert_eq!(version_of(b"ssHIST\r\n\x01"), None);
        assert_eq!(version_of(b"something else entirely"), None);
    }

    fn sample() -> (Tiers, Vec<PowerEvent>) {
        let mut t = Tiers::default();
        for k in 0..30 {
            let mut p = EMPTY;
            p[0] = k as f32;
            p[4] = 50.0 + k as f32;
            t.record(1_700_000_000 + 5 * k, p);
        }
        let e = vec![PowerEvent {
            kind: Kind::UnderVoltage,
            started_at: Some(1_700_000_010),
            ended_at: None,
            seen_at: 1_700_000_010,
            before_agent_start: false,
            ongoing: true,
        }];
        (t, e)
    }

    fn same(a: &Tiers, b: &Tiers) -> bool {
        let bits = |p: &Point| p.map(f32::to_bits);
        let fine = |t: &Tiers| {
            let mut v: Vec<_> = t.fine.stored().map(|(t, p)| (t, bits(p))).collect();
            v.sort_by_key(|x| x.0);
            v
        };
        let coarse = |t: &Tiers| {
            let mut v: Vec<_> = t
                .coarse
                .stored()
                .map(|(t, c)| (t, bits(&c.avg), bits(&c.max)))
                .collect();
            v.sort_by_key(|x| x.0);
            v
        };
        fine(a) == fine(b) && coarse(a) == coarse(b)
    }

    #[test]
    fn round_trip_keeps_every_point_and_event() {
        let (t, e) = sample();
        let bytes = encode(&t, &e);
        let (t2, e2) = decode(&bytes).expect("decodes");
        assert!(same(&t, &t2));
        assert_eq!(t2.fine.stored().count(), 30);
        assert_eq!(e, e2);
    }

    #[test]
    fn a_full_day_is_a_few_hundred_kilobytes() {
        let mut t = Tiers::default();
        for k in 0..(86_400 / 5) {
            t.record(1_700_000_000 + 5 * k, [1.0; N]);
        }
        let (_, e) = sample();
        let events = vec![e[0]; crate::power::MAX_EVENTS];
        let bytes = encode(&t, &events).len();
        assert_eq!(bytes, max_len());
        assert!(bytes < 300 * 1024, "{bytes}");
    }

    #[test]
    fn every_truncation_and_a_flipped_byte_are_errors_not_panics() {
        let (t, e) = sample();
        let bytes = encode(&t, &e);
        for cut in [0, 5, 8, 12, 40, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 3] ^= 0x40;
        let err = decode(&flipped).expect_err("corrupt");
        assert!(err.0.contains("checksum"), "{err}");
        assert!(decode(b"{\"json\": true}").is_err());
    }
}
