//! Replacing a file atomically, the one way the project does it: the new
//! content goes to a temporary file beside the target, is fsynced, renamed
//! over the target, and the directory is fsynced. Killed at any point, the
//! target holds the old content or the new, never a mix. The history file,
//! the forwarder's spool cursors and the boot configuration use it.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How far a replacement survives a power cut (any of them survives the
/// process being killed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Rename only: after a power cut the file may be empty or torn.
    Rename,
    /// The data is fsynced before the rename: after a power cut, the old
    /// content or the new.
    Data,
    /// The data, then the directory after the rename: after a power cut,
    /// the new content.
    Full,
}

/// A replacement: where the temporary file goes, its mode, its durability,
/// and the fsync to use (a caller may wrap it, e.g. to time or slow it).
#[derive(Debug, Clone, Copy)]
pub struct Replace<'a> {
    /// Appended to the target's file name for the temporary file.
    pub temp_suffix: &'a str,
    /// Permission bits, set before the data is written (a secret is never
    /// readable by others, not even briefly). Filesystems without modes (FAT)
    /// ignore them.
    pub mode: Option<u32>,
    pub durability: Durability,
    /// Fsyncs a file or a directory.
    pub sync: fn(&File) -> io::Result<()>,
}

impl Default for Replace<'_> {
    fn default() -> Self {
        Replace {
            temp_suffix: ".tmp",
            mode: None,
            durability: Durability::Full,
            sync: File::sync_all,
        }
    }
}

/// The temporary file of `path`: `<path><suffix>`, in the same directory.
pub fn temp_path(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Replaces `path` with `data` as `how` says. When the temporary file cannot
/// be written it is removed and the target is untouched.
pub fn replace(path: &Path, data: &[u8], how: &Replace) -> io::Result<()> {
    let temp = temp_path(path, how.temp_suffix);
    let written = (|| {
        let mut f = File::create(&temp)?;
        #[cfg(unix)]
        if let Some(mode) = how.mode {
            use std::os::unix::fs::PermissionsExt;
            let _ = f.set_permissions(fs::Permissions::from_mode(mode));
        }
        f.write_all(data)?;
        if how.durability != Durability::Rename {
            (how.sync)(&f)?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    fs::rename(&temp, path)?;
    if how.durability == Durability::Full {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        (how.sync)(&File::open(dir.unwrap_or(Path::new(".")))?)?;
    }
    Ok(())
}

/// `name`, or `name.1`, `name.2`...: the first that does not exist in `dir`
/// (where a file is kept aside without overwriting an earlier one).
pub fn free_name(dir: &Path, name: &str) -> PathBuf {
    let mut p = dir.join(name);
    let mut n = 0;
    while p.exists() {
        n += 1;
        p = dir.join(format!("{name}.{n}"));
    }
    p
}

/// [`replace`] with the defaults: `.tmp`, the umask's mode, `Full`.
pub fn write_atomically(path: &Path, data: &[u8]) -> io::Result<()> {
    replace(path, data, &Replace::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn replaces_the_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    static SYNCS: AtomicUsize = AtomicUsize::new(0);
    fn counted(f: &File) -> io::Result<()> {
        SYNCS.fetch_add(1, Ordering::SeqCst);
        f.sync_all()
    }

    #[test]
    fn durability_decides_the_fsyncs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c");
        for (durability, syncs) in [
            (Durability::Rename, 0),
            (Durability::Data, 1),
            (Durability::Full, 2),
        ] {
            let before = SYNCS.load(Ordering::SeqCst);
            let how = Replace {
                durability,
                sync: counted,
                temp_suffix: ".part",
                ..Replace::default()
            };
            replace(&p, b"x", &how).unwrap();
            assert_eq!(
                SYNCS.load(Ordering::SeqCst) - before,
                syncs,
                "{durability:?}"
            );
        }
        assert!(!dir.path().join("c.part").exists());
    }

    #[cfg(unix)]
    #[test]
    fn the_mode_is_set() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret");
        let how = Replace {
            mode: Some(0o600),
            ..Replace::default()
        };
        replace(&p, b"s", &how).unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_failed_write_leaves_the_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write_atomically(&p, b"old").unwrap();
        // the temporary file's name is taken by a directory: it cannot be created
        fs::create_dir(dir.path().join("f.tmp")).unwrap();
        assert!(write_atomically(&p, b"new").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"old");
    }
}
