//! File access that `files.rs` does not cover, under the same roots:
//! existence checks, symlink targets, the host root filesystem (for
//! `/etc/os-release` and mount points) and statvfs of a mount point.

use super::files::{read_text, Roots};
use crate::snapshot::FsStat;
use std::path::{Path, PathBuf};

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

    /// statvfs(2) of a mount point of the host; None when it cannot be read.
    pub fn statvfs_mount(&self, mount: &str) -> Option<FsStat> {
        statvfs(&self.root_path(mount))
    }
}

pub fn statvfs(path: &Path) -> Option<FsStat> {
    let s = rustix::fs::statvfs(path).ok()?;
    Some(FsStat {
        blocks: s.f_blocks,
        bfree: s.f_bfree,
        bavail: s.f_bavail,
        bsize: s.f_bsize,
        frsize: s.f_frsize,
        files: s.f_files,
        ffree: s.f_ffree,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(procfs: &str) -> Roots {
        Roots {
            procfs: PathBuf::from(procfs),
            sysfs: PathBuf::from("/sys"),
        }
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
