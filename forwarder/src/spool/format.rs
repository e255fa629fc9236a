//! The spool's format marker: an empty file `format-v<N>` in the spool
//! directory naming the version of the segment and cursor layout (empty, so
//! that it costs no data block on a full disk). A spool without one was
//! written before the marker existed and is format 1 (the same layout). A
//! spool in a newer format (an older forwarder after an upgrade was rolled
//! back) is never read nor deleted: its `segments/`, `cursors/` and marker
//! move into `spool.v<N>/`, untouched, and an empty spool starts there.

use super::fsync::sync_dir;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use system_stats_common::fsutil::free_name;

/// The layout this forwarder reads and writes.
pub const VERSION: u32 = 1;
/// The marker's name is this prefix and the version.
pub const PREFIX: &str = "format-v";

/// What a marker's name says (pure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    Version(u32),
    /// Not a version number: treated as a format this forwarder cannot read.
    Unknown(String),
}

/// The marker a directory entry's name is, if it is one.
pub fn parse(name: &str) -> Option<Marker> {
    let rest = name.strip_prefix(PREFIX)?;
    Some(match rest.parse::<u32>() {
        Ok(v) if v > 0 => Marker::Version(v),
        _ => Marker::Unknown(rest.chars().take(40).collect()),
    })
}

/// The marker's file name for this forwarder.
pub fn file_name() -> String {
    format!("{PREFIX}{VERSION}")
}

/// What [`settle`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Settled {
    /// Ours (or from before the marker, now marked): read it.
    Readable,
    /// Not ours: moved aside to the directory given; the spool is empty.
    SetAside { found: Marker, kept: PathBuf },
}

/// Check the marker of the spool in `dir` (lock held, `segments/` and
/// `cursors/` created) and make it this forwarder's.
pub fn settle(dir: &Path) -> io::Result<Settled> {
    let mut markers = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(m) = parse(&name) {
            markers.push((name, m));
        }
    }
    let foreign = markers
        .iter()
        .find(|(_, m)| *m != Marker::Version(VERSION))
        .map(|(_, m)| m.clone());
    let Some(found) = foreign else {
        if markers.is_empty() {
            write_marker(dir)?;
        }
        return Ok(Settled::Readable);
    };
    let name = match &found {
        Marker::Version(v) => format!("spool.v{v}"),
        Marker::Unknown(_) => "spool.unknown-format".to_string(),
    };
    let kept = free_name(dir, &name);
    fs::create_dir(&kept)?;
    let mut entries: Vec<String> = vec!["segments".into(), "cursors".into()];
    entries.extend(markers.into_iter().map(|(n, _)| n));
    for entry in entries {
        let from = dir.join(&entry);
        if from.exists() {
            fs::rename(&from, kept.join(&entry))?;
        }
    }
    sync_dir(&kept)?;
    fs::create_dir_all(dir.join("segments"))?;
    fs::create_dir_all(dir.join("cursors"))?;
    write_marker(dir)?;
    Ok(Settled::SetAside { found, kept })
}

/// Create the (empty) marker durably.
fn write_marker(dir: &Path) -> io::Result<()> {
    fs::File::create(dir.join(file_name()))?;
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse() {
        assert_eq!(parse("format-v1"), Some(Marker::Version(1)));
        assert_eq!(parse("format-v3"), Some(Marker::Version(3)));
        assert_eq!(parse("format-v0"), Some(Marker::Unknown("0".into())));
        assert_eq!(parse("format-vtwo"), Some(Marker::Unknown("two".into())));
        assert_eq!(parse("segments"), None);
        assert_eq!(file_name(), "format-v1");
    }

    use crate::spool::Spool;
    use serde_json::json;

    fn keys() -> Vec<String> {
        vec!["a".to_string()]
    }

    /// A spool with 3 samples, the destination at the 2nd.
    fn filled(dir: &Path) {
        let mut s = Spool::open(dir, 1 << 20, &keys()).unwrap();
        for i in 0..3 {
            s.append(i, &json!({ "n": i })).unwrap();
        }
        s.advance("a", 2).unwrap();
    }

    fn seqs(s: &mut Spool) -> Vec<u64> {
        let got = s.read("a", 10, &mut None).unwrap();
        got.iter().map(|r| r.seq).collect()
    }

    #[test]
    fn a_spool_from_before_the_marker_is_read_and_marked() {
        let dir = tempfile::tempdir().unwrap();
        filled(dir.path());
        let marker = dir.path().join("format-v1");
        assert!(marker.is_file());
        // as the forwarder before the marker left it
        fs::remove_file(&marker).unwrap();
        let mut s = Spool::open(dir.path(), 1 << 20, &keys()).unwrap();
        assert_eq!(seqs(&mut s), vec![2, 3]);
        assert!(marker.is_file());
    }

    #[test]
    fn a_newer_spool_is_kept_untouched_and_an_empty_one_starts() {
        let dir = tempfile::tempdir().unwrap();
        filled(dir.path());
        // a newer forwarder's spool: its marker replaced ours
        fs::rename(dir.path().join("format-v1"), dir.path().join("format-v2")).unwrap();
        let snapshot = |root: &Path| -> Vec<(String, Vec<u8>)> {
            let mut files = Vec::new();
            for sub in ["segments", "cursors"] {
                for e in fs::read_dir(root.join(sub)).unwrap() {
                    let p = e.unwrap().path();
                    files.push((
                        format!("{sub}/{}", p.file_name().unwrap().to_string_lossy()),
                        fs::read(&p).unwrap(),
                    ));
                }
            }
            files.sort();
            files
        };
        let before = snapshot(dir.path());
        assert!(!before.is_empty());
        let mut s = Spool::open(dir.path(), 1 << 20, &keys()).unwrap();
        let kept = dir.path().join("spool.v2");
        assert_eq!(snapshot(&kept), before, "moved byte for byte");
        assert!(kept.join("format-v2").is_file());
        assert!(dir.path().join("format-v1").is_file() && !dir.path().join("format-v2").exists());
        assert!(seqs(&mut s).is_empty(), "an empty spool");
        assert_eq!(s.append(9, &json!({"n": 9})).unwrap().seq, 1);
        assert_eq!(seqs(&mut s), vec![1]);
        drop(s);
        // opened again: ours now, nothing more is moved
        let mut s = Spool::open(dir.path(), 1 << 20, &keys()).unwrap();
        assert_eq!(seqs(&mut s), vec![1]);
        assert!(!dir.path().join("spool.v2.1").exists());
        assert_eq!(snapshot(&kept), before);
    }

    #[test]
    fn an_unknown_marker_is_kept_aside_too() {
        let dir = tempfile::tempdir().unwrap();
        filled(dir.path());
        fs::rename(dir.path().join("format-v1"), dir.path().join("format-vX")).unwrap();
        let found = settle(dir.path()).unwrap();
        let kept = dir.path().join("spool.unknown-format");
        assert_eq!(
            found,
            Settled::SetAside {
                found: Marker::Unknown("X".into()),
                kept: kept.clone()
            }
        );
        assert!(kept.join("segments").is_dir() && kept.join("cursors").is_dir());
    }
}
