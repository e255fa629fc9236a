//! Writing a file so that a power loss leaves the old or the new content, never
//! half: common's `fsutil::replace` (a temporary file in the same directory,
//! its mode set before the data, fsynced, renamed over the target), then the
//! directory fsynced where the filesystem allows it (the card's FAT may not).

use std::fs;
use std::path::Path;
use system_stats_common::fsutil::{replace, Durability, Replace};

/// Writes `data` to `path` with `mode` (ignored where the filesystem has no
/// modes, as on FAT). The error names the path.
pub fn write_atomically(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    let how = Replace {
        temp_suffix: ".bootconf-tmp",
        mode: Some(mode),
        durability: Durability::Data,
        ..Replace::default()
    };
    replace(path, data, &how).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    sync_dir(path);
    Ok(())
}

/// fsyncs the directory holding `path` (a rename or removal in it is durable),
/// as far as its filesystem can.
pub fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
