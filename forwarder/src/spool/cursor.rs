//! Per-destination cursor files: the sequence number of the next sample a
//! destination still needs, replaced atomically (write temp, optionally
//! fsync, rename) so a crash leaves either the old or the new value, never a
//! torn one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

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

/// Atomically replace the cursor file at `path` with `seq`. The rename alone
/// survives `kill -9`; `durable` also fsyncs the data first, for power cuts.
pub fn write(path: &Path, seq: u64, durable: bool) -> io::Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = Path::new(&tmp_name);
    let mut file = File::create(tmp)?;
    file.write_all(format!("{seq}\n").as_bytes())?;
    if durable {
        super::fsync::sync_data(&file)?;
    }
    drop(file);
    fs::rename(tmp, path)
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
