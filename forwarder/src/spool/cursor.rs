//! Per-destination cursor files: the sequence number of the next sample a
//! destination still needs, replaced atomically (common's `fsutil`: write
//! temp, optionally fsync, rename) so a crash leaves either the old or the
//! new value, never a torn one.

use std::fs;
use std::io;
use std::path::Path;
use system_stats_common::fsutil::{self, Durability, Replace};

/// Read a cursor file: `Ok(None)` when absent, an error when it exists but
/// does not hold a number (e.g. emptied by a power cut before its fsync).
pub fn read(path: &Path) -> io::Result<Option<u64>> {
    match fs::read_to_string(path) {
        Ok(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| io::Error::other(format!("{} does not hold a number", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Atomically replace the cursor file at `path` with `seq` (through
/// `<path>.tmp`). The rename alone survives `kill -9`; `durable` also fsyncs
/// the data first, for power cuts.
pub fn write(path: &Path, seq: u64, durable: bool) -> io::Result<()> {
    let how = Replace {
        durability: if durable {
            Durability::Data
        } else {
            Durability::Rename
        },
        sync: super::fsync::sync_data,
        ..Replace::default()
    };
    fsutil::replace(path, format!("{seq}\n").as_bytes(), &how)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c");
        assert_eq!(read(&p).unwrap(), None);
        write(&p, 42, true).unwrap();
        write(&p, 43, false).unwrap();
        assert_eq!(read(&p).unwrap(), Some(43));
        fs::write(&p, "").unwrap();
        assert!(read(&p).is_err());
        assert!(!dir.path().join("c.tmp").exists());
    }
}
