//! Writing a file so that a power loss leaves the old or the new content, never
//! half: a temporary file in the same directory, fsynced, renamed over the
//! target, then the directory fsynced.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `data` to `path` with `mode` (ignored where the filesystem has no
/// modes, as on FAT). The error names the path.
pub fn write_atomically(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    let err = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let tmp = path.with_extension("bootconf-tmp");
    let mut f = fs::File::create(&tmp).map_err(err)?;
    // Before the data: a secret is never readable by others, not even briefly.
    // FAT has no modes: setting them there fails and does not matter.
    let _ = f.set_permissions(fs::Permissions::from_mode(mode));
    f.write_all(data).map_err(err)?;
    f.sync_all().map_err(err)?;
    fs::rename(&tmp, path).map_err(err)?;
    sync_dir(path);
    Ok(())
}

/// fsyncs the directory holding `path` (a rename or removal in it is durable).
pub fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
