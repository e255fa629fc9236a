//! The history file on disk: written atomically (common's `fsutil`: temp
//! file, fsync, rename, fsync of the directory), read back at start-up; a file that cannot be
//! read back (truncated, corrupt, foreign) is logged at warning and renamed
//! aside to `history.bin.corrupt`, never fatal.

use super::format::{decode, FormatError};
use super::tiers::Tiers;
use crate::power::PowerEvent;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "history.bin";
pub const ASIDE_NAME: &str = "history.bin.corrupt";

pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Replace the history file with `bytes`, atomically and durably (through
/// `history.bin.tmp`).
pub fn save(dir: &Path, bytes: &[u8]) -> io::Result<()> {
    system_stats_common::fsutil::write_atomically(&path(dir), bytes)
}

/// What was in the directory at start-up.
#[derive(Debug)]
pub enum Loaded {
    /// No history file yet.
    Nothing,
    Restored(Tiers, Vec<PowerEvent>),
    /// The file could not be read back; it was renamed aside (or could not
    /// be, the second string says why).
    SetAside(FormatError, Option<String>),
    /// It could not be read at all (permissions, I/O error).
    Unreadable(String),
}

pub fn load(dir: &Path) -> Loaded {
    let file = path(dir);
    let bytes = match fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Loaded::Nothing,
        Err(e) => return Loaded::Unreadable(e.to_string()),
    };
    match decode(&bytes) {
        Ok((tiers, events)) => Loaded::Restored(tiers, events),
        Err(why) => {
            let moved = fs::rename(&file, dir.join(ASIDE_NAME))
                .err()
                .map(|e| e.to_string());
            Loaded::SetAside(why, moved)
        }
    }
}

/// Load and log what happened; None when nothing was restored.
pub fn load_logged(dir: &Path) -> Option<(Tiers, Vec<PowerEvent>)> {
    let file = path(dir);
    match load(dir) {
        Loaded::Nothing => None,
        Loaded::Restored(tiers, events) => {
            tracing::info!(
                path = %file.display(),
                points = tiers.fine.stored().count() + tiers.coarse.stored().count(),
                events = events.len(),
                "history restored from {}",
                file.display()
            );
            Some((tiers, events))
        }
        Loaded::SetAside(why, None) => {
            tracing::warn!(path = %file.display(), "history file {} unreadable ({why}); renamed to {ASIDE_NAME}, starting empty", file.display());
            None
        }
        Loaded::SetAside(why, Some(e)) => {
            tracing::warn!(path = %file.display(), "history file {} unreadable ({why}) and cannot be renamed aside ({e}); starting empty", file.display());
            None
        }
        Loaded::Unreadable(e) => {
            tracing::warn!(path = %file.display(), "cannot read history file {}: {e}; starting empty", file.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::format::encode;
    use crate::history::series::N;

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = Tiers::default();
        t.record(1000, [2.0; N]);
        save(dir.path(), &encode(&t, &[])).expect("saved");
        assert!(!dir.path().join("history.bin.tmp").exists());
        match load(dir.path()) {
            Loaded::Restored(t2, e) => {
                assert_eq!(t2.fine.get(1000).map(|p| p[0]), Some(2.0));
                assert!(e.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_file_is_set_aside_and_the_next_start_is_clean() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = Tiers::default();
        t.record(1000, [2.0; N]);
        let bytes = encode(&t, &[]);
        fs::write(path(dir.path()), &bytes[..bytes.len() - 20]).expect("write");
        assert!(matches!(load(dir.path()), Loaded::SetAside(_, None)));
        assert!(dir.path().join(ASIDE_NAME).exists());
        assert!(!path(dir.path()).exists());
        assert!(matches!(load(dir.path()), Loaded::Nothing));
    }
}
