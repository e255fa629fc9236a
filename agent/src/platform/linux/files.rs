//! The procfs and sysfs roots a Linux collector reads from, and the only
//! place that touches their files. Parsers elsewhere get text or bytes.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Roots {
    pub procfs: PathBuf,
    pub sysfs: PathBuf,
}

impl Roots {
    pub fn proc_path(&self, rel: &str) -> PathBuf {
        self.procfs.join(rel)
    }

    pub fn sys_path(&self, rel: &str) -> PathBuf {
        self.sysfs.join(rel)
    }

    /// A procfs file as text; None when missing or unreadable.
    pub fn proc(&self, rel: &str) -> Option<String> {
        read_text(&self.proc_path(rel))
    }

    /// A sysfs file as text; None when missing or unreadable.
    pub fn sys(&self, rel: &str) -> Option<String> {
        read_text(&self.sys_path(rel))
    }

    /// A one-value sysfs/procfs file, trimmed.
    pub fn sys_value(&self, rel: &str) -> Option<String> {
        self.sys(rel).map(|s| s.trim().to_string())
    }
}

/// Read a small text file (lossy UTF-8).
pub fn read_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
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
