//! The history file on disk: written atomically (common's `fsutil`: temp
//! file, fsync, rename, fsync of the directory), read back at start-up; a file that cannot be
//! read back (truncated, corrupt, foreign) is logged at warning and renamed
//! aside to `history.bin.corrupt`, never fatal. A file in a newer format
//! (an older agent after an upgrade was rolled back) is never overwritten:
//! it is kept as `history.bin.v<N>` for a newer agent, and this one starts
//! empty, saying why.

use super::format::{decode, version_of, FormatError, VERSION};
use super::tiers::Tiers;
use crate::power::PowerEvent;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use system_stats_common::fsutil::free_name;

pub const FILE_NAME: &str = "history.bin";
pub const ASIDE_NAME: &str = "history.bin.corrupt";

pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Replace the history file with `bytes`, atomically and durably (through
/// `history.bin.tmp`).
pub fn save(dir: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(v) = newer_version_at(&path(dir)) {
        return Err(io::Error::other(format!(
            "{FILE_NAME} there is in format {v}, newer than this agent's {VERSION}: not overwritten"
        )));
    }
    system_stats_common::fsutil::write_atomically(&path(dir), bytes)
}

/// The format version of the file at `path` when it is newer than ours.
fn newer_version_at(path: &Path) -> Option<u32> {
    use std::io::Read;
    let mut head = [0u8; 12];
    File::open(path).ok()?.read_exact(&mut head).ok()?;
    version_of(&head).filter(|v| *v > VERSION)
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
    /// Written by a newer agent in format `.0`: kept under the path given
    /// (or left in place, the error says why), untouched.
    Newer(u32, Result<PathBuf, String>),
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
        Err(_) if version_of(&bytes).is_some_and(|v| v > VERSION) => {
            let v = version_of(&bytes).unwrap_or_default();
            let kept = free_name(dir, &format!("{FILE_NAME}.v{v}"));
            Loaded::Newer(
                v,
                fs::rename(&file, &kept)
                    .map(|()| kept)
                    .map_err(|e| e.to_string()),
            )
        }
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
        Loaded::Newer(v, Ok(kept)) => {
            tracing::warn!(path = %file.display(), format = v, "history file {} was written by a newer system-stats (format {v}; this agent reads format {VERSION}): kept untouched as {}, starting empty; a newer agent reads it again when it is renamed back to {FILE_NAME}", file.display(), kept.display());
            None
        }
        Loaded::Newer(v, Err(e)) => {
            tracing::warn!(path = %file.display(), format = v, "history file {} was written by a newer system-stats (format {v}; this agent reads format {VERSION}) and cannot be renamed aside ({e}): left untouched, the history is kept in memory only", file.display());
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
    fn a_newer_format_is_kept_as_v_n_never_overwritten_nor_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut newer = crate::history::format::MAGIC.to_vec();
        newer.extend_from_slice(&(VERSION + 1).to_le_bytes());
        newer.extend_from_slice(b"a body this agent cannot read");
        // saving never replaces it
        fs::write(path(dir.path()), &newer).expect("write");
        let err = save(dir.path(), &encode(&Tiers::default(), &[])).expect_err("refused");
        assert!(err.to_string().contains("newer"), "{err}");
        assert_eq!(fs::read(path(dir.path())).expect("still there"), newer);
        assert!(!dir.path().join("history.bin.tmp").exists());
        // loading keeps it aside, byte for byte, under a name giving its format
        let kept = dir.path().join(format!("history.bin.v{}", VERSION + 1));
        match load(dir.path()) {
            Loaded::Newer(v, Ok(p)) => assert_eq!((v, p), (VERSION + 1, kept.clone())),
            other => panic!("{other:?}"),
        }
        assert_eq!(fs::read(&kept).expect("kept"), newer);
        assert!(matches!(load(dir.path()), Loaded::Nothing));
        // a second one (another rollback) does not replace the first
        fs::write(path(dir.path()), &newer).expect("write");
        assert!(matches!(load(dir.path()), Loaded::Newer(_, Ok(_))));
        assert!(kept.exists());
        assert!(dir
            .path()
            .join(format!("history.bin.v{}.1", VERSION + 1))
            .exists());
        // the history then starts and saves normally
        save(dir.path(), &encode(&Tiers::default(), &[])).expect("saved");
        assert!(matches!(load(dir.path()), Loaded::Restored(..)));
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
