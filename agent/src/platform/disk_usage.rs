//! psutil's disk_usage arithmetic, the one place it lives: used by the
//! `disk` key (statvfs of the disk path) and by every `filesystems` entry.

use crate::snapshot::{Disk, FsStat};
use crate::units::percent;

/// Sizes in bytes as psutil reports them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub total: u64,
    pub used: u64,
    pub free: u64,
    pub percent: f64,
}

/// total = blocks*frsize, free = bavail*frsize, used = (blocks-bfree)*frsize,
/// percent = used/(used+free) (what an unprivileged user can use).
pub fn usage(s: FsStat) -> Usage {
    let total = s.blocks.saturating_mul(s.frsize);
    let free = s.bavail.saturating_mul(s.frsize);
    let used = s.blocks.saturating_sub(s.bfree).saturating_mul(s.frsize);
    Usage {
        total,
        used,
        free,
        percent: percent(used as f64, used.saturating_add(free) as f64),
    }
}

/// The `disk` key for the filesystem holding `mount`.
pub fn disk(s: FsStat, mount: &str) -> Disk {
    let u = usage(s);
    Disk {
        total: u.total,
        used: u.used,
        free: u.free,
        percent: u.percent,
        mount: mount.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::guard::KernelGuard;
    use std::path::Path;

    #[test]
    fn psutil_semantics() {
        // 100 blocks of 4 KiB, 40 free of which 30 available to users
        let d = disk(
            FsStat {
                blocks: 100,
                bfree: 40,
                bavail: 30,
                frsize: 4096,
                ..Default::default()
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
        let s = KernelGuard::default()
            .statvfs(Path::new("/"))
            .expect("statvfs /");
        let d = disk(s, "/");
        assert!(d.total > 0 && d.used <= d.total && d.percent <= 100.0);
    }
}
