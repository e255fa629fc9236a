//! Fsyncs of the spool's files and directories, and the hidden test seam
//! that makes each of them slower (a worn SD card on demand).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// Hidden test seam: `SYSTEM_STATS_SPOOL_SLOW_FSYNC_MS=<ms>` adds that delay
/// before every fsync of the spool, standing in for a worn SD card. Not a
/// setting (not in `--help`); a warning is logged whenever it is active.
pub const SLOW_FSYNC_ENV: &str = "SYSTEM_STATS_SPOOL_SLOW_FSYNC_MS";

/// The extra delay per fsync (zero unless the test seam is set).
pub fn slow_fsync() -> Duration {
    static DELAY: OnceLock<Duration> = OnceLock::new();
    *DELAY.get_or_init(|| {
        std::env::var(SLOW_FSYNC_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(Duration::ZERO, Duration::from_millis)
    })
}

/// `file.sync_data()`, after the test seam's delay.
pub fn sync_data(file: &File) -> io::Result<()> {
    std::thread::sleep(slow_fsync());
    file.sync_data()
}

/// Fsync a directory, making the entries created in it durable.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    std::thread::sleep(slow_fsync());
    File::open(path)?.sync_all()
}
