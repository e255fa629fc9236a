//! Usage of the filesystem holding a path (statvfs), with psutil's
//! disk_usage semantics; works on every Unix.

use crate::snapshot::Disk;
use crate::units::percent;
use std::path::Path;

/// The raw statvfs numbers psutil uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatVfs {
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub frsize: u64,
}

/// total = blocks*frsize, free = bavail*frsize, used = (blocks-bfree)*frsize,
/// percent = used/(used+free) (what an unprivileged user can use).
pub fn disk_from_statvfs(s: StatVfs, mount: &str) -> Disk {
    let total = s.blocks.saturating_mul(s.frsize);
    let free = s.bavail.saturating_mul(s.frsize);
    let used = s.blocks.saturating_sub(s.bfree).saturating_mul(s.frsize);
    Disk {
        total,
        used,
        free,
        percent: percent(used as f64, used.saturating_add(free) as f64),
        mount: mount.to_string(),
    }
}

/// statvfs(2) of `path`; None when it cannot be read.
pub fn read_disk(path: &Path) -> Option<Disk> {
    let s = rustix::fs::statvfs(path).ok()?;
    Some(disk_from_statvfs(
        StatVfs {
            blocks: s.f_blocks,
            bfree: s.f_bfree,
            bavail: s.f_bavail,
            frsize: s.f_frsize,
        },
        &path.to_string_lossy(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psutil_semantics() {
        // 100 blocks of 4 KiB, 40 free of which 30 available to users
        let d = disk_from_statvfs(
            StatVfs {
                blocks: 100,
                bfree: 40,
                bavail: 30,
                frsize: 4096,
            },
            "/",
        );
        assert_eq!(d.total, 409_600);
        assert_eq!(d.used, 245_760);
        assert_eq!(d.free, 122_880);
        assert_eq!(d.percent, 66.7); // 60 / (60 + 30)
        assert_eq!(d.mount, "/");
    }

    #[test]
    fn live_root_is_readable() {
        let d = read_disk(Path::new("/")).expect("statvfs /");
        assert!(d.total > 0 && d.used <= d.total && d.percent <= 100.0);
        assert!(read_disk(Path::new("/definitely/not/here")).is_none());
    }
}
