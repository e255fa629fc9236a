//! Opening the spool: take the directory's lock, list the segments, cut off
//! a sample torn by a crash, and load (or create) each destination's cursor.

use super::cursor;
use super::durability::Durability;
use super::fsync::sync_dir;
use super::record::scan_valid;
use super::{Segment, Spool, SEGMENT_MAX};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// Why the spool cannot be opened: callers treat the two differently.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Another forwarder holds the directory's lock.
    #[error("another forwarder is running on the spool {} (its lock is held)", dir.display())]
    InUse { dir: PathBuf },
    /// The directory cannot be used (permissions, a full or broken disk).
    #[error("cannot use {} as the spool: {source}", dir.display())]
    Unusable {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// How long a busy spool lock is retried before the spool counts as in use.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

impl Spool {
    /// Open (or create) the spool in `dir` for the destinations `keys`.
    /// A destination seen for the first time starts at the next new sample.
    pub fn open(dir: &Path, max_bytes: u64, keys: &[String]) -> Result<Spool, OpenError> {
        Spool::open_renaming(dir, max_bytes, keys, &[])
    }

    /// [`Spool::open`], first renaming each cursor file `renames` lists as
    /// (old key, key) when only the old one exists: a destination whose key
    /// changed keeps its position instead of counting as new.
    pub fn open_renaming(
        dir: &Path,
        max_bytes: u64,
        keys: &[String],
        renames: &[(String, String)],
    ) -> Result<Spool, OpenError> {
        let unusable = |source| OpenError::Unusable {
            dir: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(dir.join("segments")).map_err(unusable)?;
        fs::create_dir_all(dir.join("cursors")).map_err(unusable)?;
        let lock = open_lock(&dir.join("lock")).map_err(unusable)?;
        use rustix::fs::{flock, FlockOperation};
        // A lock that is busy for a moment is not "in use": a process that
        // just exited, or a child forked by this process that has not yet
        // exec'd (it holds copies of our descriptors until then), still
        // has it. Only a lock held for LOCK_PATIENCE counts.
        let mut waited = std::time::Duration::ZERO;
        loop {
            match flock(&lock, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => break,
                Err(rustix::io::Errno::WOULDBLOCK) if waited < LOCK_PATIENCE => {
                    std::thread::sleep(LOCK_RETRY);
                    waited += LOCK_RETRY;
                }
                Err(rustix::io::Errno::WOULDBLOCK) => {
                    return Err(OpenError::InUse {
                        dir: dir.to_path_buf(),
                    })
                }
                Err(e) => return Err(unusable(e.into())),
            }
        }
        Spool::load(dir, lock, max_bytes, keys, renames).map_err(unusable)
    }

    /// The rest of [`Spool::open_renaming`], once the lock is held.
    fn load(
        dir: &Path,
        lock: File,
        max_bytes: u64,
        keys: &[String],
        renames: &[(String, String)],
    ) -> io::Result<Spool> {
        match super::format::settle(dir)? {
            super::format::Settled::Readable => {}
            super::format::Settled::SetAside { found, kept } => warn!(
                spool = %dir.display(),
                kept = %kept.display(),
                "the spool in {} is in a format this forwarder cannot read ({}; it reads format {}), \
                 written by a newer system-stats-forwarder: its samples and cursors are kept untouched \
                 in {}, and an empty spool starts (a newer forwarder can read them there)",
                dir.display(),
                match &found {
                    super::format::Marker::Version(v) => format!("format {v}"),
                    super::format::Marker::Unknown(t) => format!("an unknown format marker {t:?}"),
                },
                super::format::VERSION,
                kept.display()
            ),
        }
        let seg_dir = dir.join("segments");
        let cur_dir = dir.join("cursors");
        for (old, key) in renames {
            let (from, to) = (cur_dir.join(old), cur_dir.join(key));
            if from.is_file() && !to.exists() {
                match fs::rename(&from, &to) {
                    Ok(()) => info!(destination = %key, "cursor file {old} renamed to {key}"),
                    Err(e) => warn!(destination = %key, "cannot rename the cursor file {old}: {e}"),
                }
            }
        }

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
        let active = segments.back().is_some() && next_seq == scanned_next;
        let total_bytes = segments.iter().map(|s| s.bytes).sum();
        // No segment above an eighth of the cap, nor of the filesystem: a
        // full disk then costs an eighth of the queue, not all of it.
        let room = filesystem_bytes(dir).map_or(max_bytes, |fs| fs.min(max_bytes));
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            segments,
            active,
            next_seq,
            total_bytes,
            max_bytes,
            segment_max: (room / 8).clamp(1, SEGMENT_MAX),
            durable_seq: next_seq,
            cursors,
            synced: BTreeMap::new(),
            corrupt_seen: BTreeSet::new(),
            disk_full: false,
            read_only: false,
            durability: Durability::Inline,
            _lock: lock,
        };
        spool.collect_garbage();
        Ok(spool)
    }
}

/// The lock file, opened read-only (flock needs no more): no file of the
/// spool stays open for writing, or the filesystem could not be remounted
/// read-only (and back) while the forwarder runs.
fn open_lock(path: &Path) -> io::Result<File> {
    match File::open(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            drop(File::create(path)?);
            File::open(path)
        }
        other => other,
    }
}

/// Size of the filesystem holding `dir`, when it can be known.
fn filesystem_bytes(dir: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(dir).ok()?;
    Some(stat.f_blocks.saturating_mul(stat.f_frsize)).filter(|n| *n > 0)
}
