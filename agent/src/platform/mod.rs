//! The operating systems' collectors (`collect::Collector` implementations;
//! `HostCollector` is this OS's). Each OS module is a thin shim that reads its
//! sources and hands the bytes to pure parsers; the snapshot it returns has
//! the same shape everywhere.

pub mod disk_usage;
pub mod shared;
pub mod textfile;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "linux")]
pub use linux::LinuxCollector as HostCollector;

#[cfg(target_os = "macos")]
pub mod macos;
pub mod macos_parse;
#[cfg(target_os = "macos")]
pub use macos::MacosCollector as HostCollector;

use std::path::PathBuf;

/// Where a collector reads from (from the validated configuration).
#[derive(Debug, Clone)]
pub struct Sources {
    pub procfs: PathBuf,
    pub sysfs: PathBuf,
    pub disk_path: PathBuf,
    /// The textfile collector's directory of `*.prom` files (None: off).
    pub textfile_dir: Option<PathBuf>,
}
