//! The procfs and sysfs roots a Linux collector reads from, and the only
//! place that touches their files (reads, listings, existence, symlink
//! targets, the host root filesystem). Parsers elsewhere get text.

use super::open_files::OpenFiles;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Roots {
    pub procfs: PathBuf,
    pub sysfs: PathBuf,
    /// procfs/sysfs files kept open between reads, shared by every clone.
    pub open_files: Arc<OpenFiles>,
}

impl Roots {
    pub fn new(procfs: PathBuf, sysfs: PathBuf) -> Roots {
        Roots {
            procfs,
            sysfs,
            open_files: Arc::default(),
        }
    }

    pub fn proc_path(&self, rel: &str) -> PathBuf {
        self.procfs.join(rel)
    }

    pub fn sys_path(&self, rel: &str) -> PathBuf {
        self.sysfs.join(rel)
    }

    /// A procfs file as text; None when missing or unreadable.
    pub fn proc(&self, rel: &str) -> Option<String> {
        self.open_files.read(&self.proc_path(rel)).map(lossy_text)
    }

    /// A sysfs file as text; None when missing or unreadable.
    pub fn sys(&self, rel: &str) -> Option<String> {
        self.open_files.read(&self.sys_path(rel)).map(lossy_text)
    }

    /// A one-value sysfs/procfs file, trimmed.
    pub fn sys_value(&self, rel: &str) -> Option<String> {
        self.sys(rel).map(|s| s.trim().to_string())
    }
}

/// Read a small text file (lossy UTF-8).
pub fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(lossy_text)
}

fn lossy_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Names of the entries of a directory, sorted; empty when it is missing.
pub fn list_dir(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Run a third-party parser on input we do not control, turning both its
/// errors and any panic into None so one bad file never takes the service down.
pub fn parse_guarded<T, E>(text: &str, parse: impl FnOnce(&[u8]) -> Result<T, E>) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(text.as_bytes())))
        .ok()?
        .ok()
}

impl Roots {
    pub fn sys_exists(&self, rel: &str) -> bool {
        self.sys_path(rel).exists()
    }

    /// Where a sysfs path really is, symlinks followed; None when it does not exist.
    pub fn sys_canonical(&self, rel: &str) -> Option<PathBuf> {
        std::fs::canonicalize(self.sys_path(rel)).ok()
    }

    /// The host's root filesystem: the parent of the procfs root when that is
    /// a directory named `proc` (`/proc` → `/`, `/host/proc` → `/host`, a
    /// fixture's `proc/` → the fixture), else `/`.
    pub fn rootfs(&self) -> PathBuf {
        match (self.procfs.file_name(), self.procfs.parent()) {
            (Some(name), Some(parent)) if name == "proc" => {
                if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                }
            }
            _ => PathBuf::from("/"),
        }
    }

    /// A path of the host's filesystem (`/etc/os-release`, a mount point).
    pub fn root_path(&self, absolute: &str) -> PathBuf {
        self.rootfs().join(absolute.trim_start_matches('/'))
    }

    /// A file of the host's filesystem as text.
    pub fn root_file(&self, absolute: &str) -> Option<String> {
        read_text(&self.root_path(absolute))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(procfs: &str) -> Roots {
        Roots::new(PathBuf::from(procfs), PathBuf::from("/sys"))
    }

    #[test]
    fn a_panicking_parser_is_none() {
        let parsed: Option<u32> =
            parse_guarded("x", |_| -> Result<u32, ()> { panic!("bad input") });
        assert_eq!(parsed, None);
        assert_eq!(
            parse_guarded("7", |b| std::str::from_utf8(b).map(|s| s.len())),
            Some(1)
        );
    }

    #[test]
    fn rootfs_is_the_parent_of_a_proc_directory() {
        assert_eq!(roots("/proc").rootfs(), PathBuf::from("/"));
        assert_eq!(roots("/host/proc").rootfs(), PathBuf::from("/host"));
        assert_eq!(roots("/srv/procfs").rootfs(), PathBuf::from("/"));
        assert_eq!(
            roots("/host/proc").root_path("/etc/os-release"),
            PathBuf::from("/host/etc/os-release")
        );
        assert_eq!(roots("/proc").root_path("/"), PathBuf::from("/"));
    }
}
