//! Storage: the `disk` key (usage of the disk path), `disk_io` (whole-disk
//! counters), every real `filesystems` entry, and the statvfs numbers behind them.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Disk {
    pub total: u64,
    pub used: u64,
    pub free: u64,
    pub percent: f64,
    pub mount: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DiskIo {
    pub read_count: u64,
    pub write_count: u64,
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub read_time: u64,
    pub write_time: u64,
    pub read_merged_count: u64,
    pub write_merged_count: u64,
    pub busy_time: u64,
}

/// statvfs numbers kept for the node_exporter-compatible metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FsStat {
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub bsize: u64,
    pub frsize: u64,
    pub files: u64,
    pub ffree: u64,
    /// `ST_RDONLY`: the mount or its superblock is read-only right now.
    pub readonly: bool,
}

/// One real mounted filesystem; sizes are null when statvfs fails.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Filesystem {
    /// The block device (`/dev/root` resolved to the real one), or the source.
    pub device: String,
    pub mount: String,
    pub fstype: String,
    /// Read-only: `ro` in the mount's or the superblock's options (the
    /// kernel's `errors=remount-ro` sets the latter only), or statvfs says so.
    pub readonly: bool,
    pub total: Option<u64>,
    pub used: Option<u64>,
    pub free: Option<u64>,
    pub percent: Option<f64>,
    /// ext2/3/4 errors recorded in the superblock since the last fsck
    /// (`/sys/fs/ext4/<dev>/errors_count`); null for other filesystems.
    pub errors_count: Option<u64>,
    /// When the first and the latest of those errors happened (RFC 3339,
    /// UTC); null without errors or for other filesystems.
    pub first_error_time: Option<String>,
    pub last_error_time: Option<String>,
    #[serde(skip)]
    pub stat: Option<FsStat>,
}
