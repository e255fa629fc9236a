//! ext2/3/4 error counters: what the kernel recorded in a filesystem's
//! superblock since its last fsck (`/sys/fs/ext4/<dev>/errors_count`,
//! `first_error_time`, `last_error_time`), the first sign of a failing SD
//! card. Parsers are pure; `read` is the only file access.

use super::files::Roots;
use crate::snapshot::Filesystem;

/// The counters of one filesystem; times are Unix seconds, None when the
/// kernel recorded no error (it writes 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ext4Errors {
    pub count: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// Filesystem types the ext4 driver serves (and lists under `/sys/fs/ext4`).
fn is_ext(fstype: &str) -> bool {
    matches!(fstype, "ext2" | "ext3" | "ext4")
}

/// The kernel's name for a mount's block device (`device`, of `major:minor`
/// `dev`) as `/sys/fs/ext4` lists it: found by number among the block
/// devices (`dm-0` for `/dev/mapper/…`), else the device's basename
/// (`/dev/mmcblk0p2` → `mmcblk0p2`). None for other filesystem types.
pub fn sysfs_name(
    fstype: &str,
    device: &str,
    dev: Option<(u32, u32)>,
    block_devs: &[(String, (u32, u32))],
) -> Option<String> {
    if !is_ext(fstype) {
        return None;
    }
    let by_number = dev
        .and_then(|d| block_devs.iter().find(|(_, bd)| *bd == d))
        .map(|(name, _)| name.rsplit('/').next().unwrap_or(name).to_string());
    by_number.or_else(|| {
        device
            .strip_prefix("/dev/")
            .and_then(|d| d.rsplit('/').next())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    })
}

/// A sysfs counter: a decimal number.
pub fn parse_count(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// A sysfs error time: Unix seconds, 0 meaning "none".
pub fn parse_time(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|t| *t > 0)
}

/// The counters of `/sys/fs/ext4/<name>`; None when it has none (not
/// mounted through the ext4 driver, or an old kernel).
pub fn read(roots: &Roots, name: &str) -> Option<Ext4Errors> {
    let value = |file: &str| roots.sys(&format!("fs/ext4/{name}/{file}"));
    Some(Ext4Errors {
        count: value("errors_count").and_then(|t| parse_count(&t))?,
        first: value("first_error_time").and_then(|t| parse_time(&t)),
        last: value("last_error_time").and_then(|t| parse_time(&t)),
    })
}

/// Put the counters into a `filesystems` entry (times as RFC 3339 UTC).
pub fn apply(fs: &mut Filesystem, errors: Option<Ext4Errors>) {
    let utc = |t: Option<i64>| {
        t.and_then(|t| crate::units::rfc3339_at_offset(t, chrono::FixedOffset::east_opt(0)?))
    };
    fs.errors_count = errors.map(|e| e.count);
    fs.first_error_time = utc(errors.and_then(|e| e.first));
    fs.last_error_time = utc(errors.and_then(|e| e.last));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_name_by_number_else_the_basename() {
        let devs = vec![
            ("mmcblk0p2".to_string(), (179, 2)),
            ("dm-0".to_string(), (254, 0)),
        ];
        let name = |device, fstype, dev| sysfs_name(fstype, device, dev, &devs);
        assert_eq!(
            name("/dev/mapper/vg-root", "ext4", Some((254, 0))).as_deref(),
            Some("dm-0")
        );
        assert_eq!(
            name("/dev/mmcblk0p2", "ext4", None).as_deref(),
            Some("mmcblk0p2")
        );
        assert_eq!(
            name("/dev/sda1", "ext3", Some((8, 1))).as_deref(),
            Some("sda1")
        );
        assert_eq!(name("/dev/sda2", "vfat", None), None);
        assert_eq!(name("server:/x", "ext4", None), None);
    }

    #[test]
    fn counters_and_times_parse() {
        assert_eq!(parse_count("3\n"), Some(3));
        assert_eq!(parse_count("x"), None);
        assert_eq!(parse_time("1763626502\n"), Some(1_763_626_502));
        assert_eq!(parse_time("0\n"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn applied_as_utc_times_and_nulls() {
        let mut fs = Filesystem::default();
        apply(
            &mut fs,
            Some(Ext4Errors {
                count: 3,
                first: Some(1_763_626_502),
                last: Some(1_763_713_200),
            }),
        );
        assert_eq!(fs.errors_count, Some(3));
        assert_eq!(
            fs.first_error_time.as_deref(),
            Some("2025-11-20T08:15:02+00:00")
        );
        assert_eq!(
            fs.last_error_time.as_deref(),
            Some("2025-11-21T08:20:00+00:00")
        );
        apply(&mut fs, Some(Ext4Errors::default()));
        assert_eq!(
            (fs.errors_count, fs.first_error_time.as_deref()),
            (Some(0), None)
        );
        apply(&mut fs, None);
        assert_eq!(
            (fs.errors_count, fs.last_error_time.as_deref()),
            (None, None)
        );
    }
}
