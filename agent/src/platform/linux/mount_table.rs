//! The kernel's mount tables parsed (pure): `/proc/<pid>/mountinfo`
//! through procfs-core, `/proc/mounts` by hand, with the read-only flag
//! taken from the mount's and the superblock's options.

use procfs_core::process::MountInfo;

/// One mount as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mount {
    pub device: String,
    pub mount: String,
    pub fstype: String,
    pub readonly: bool,
    /// `major:minor` of the filesystem (mountinfo only).
    pub dev: Option<(u32, u32)>,
    /// Its directory under `/sys/fs/ext4` (ext2/3/4 only).
    pub ext4: Option<String>,
}

/// Undo the kernel's octal escapes (`\040` is a space).
fn unescape(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') as u32 * 64
                + (b[i + 2] - b'0') as u32 * 8
                + (b[i + 3] - b'0') as u32;
            if let Ok(byte) = u8::try_from(v) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `ro`, or ext4's `emergency_ro`: what `errors=remount-ro` sets since
/// Linux 6.15, in the superblock's options only (before 6.12 it set the
/// superblock `ro`), statvfs not seeing it.
fn is_ro(option: &str) -> bool {
    option == "ro" || option == "emergency_ro"
}

fn readonly(options: &str) -> bool {
    options.split(',').any(is_ro)
}

/// `/proc/mounts`: `device mount fstype options 0 0`.
pub fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            (f.len() >= 4).then(|| Mount {
                device: unescape(f[0]),
                mount: unescape(f[1]),
                fstype: f[2].to_string(),
                readonly: readonly(f[3]),
                dev: None,
                ext4: None,
            })
        })
        .collect()
}

/// `/proc/<pid>/mountinfo` through procfs-core's `MountInfo`, line by line
/// so one malformed line costs only that line.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let info = MountInfo::from_line(line).ok()?;
            let (maj, min) = info.majmin.split_once(':')?;
            Some(Mount {
                device: unescape(info.mount_source.as_deref().unwrap_or("none")),
                mount: unescape(&info.mount_point.to_string_lossy()),
                fstype: info.fs_type,
                // the mount's flags or the superblock's (`ro`, `emergency_ro`)
                readonly: (info.mount_options.keys())
                    .chain(info.super_options.keys())
                    .any(|k| is_ro(k)),
                dev: Some((maj.parse().ok()?, min.parse().ok()?)),
                ext4: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_superblock_remounted_read_only_by_the_kernel_is_read_only() {
        for sb in ["ro,errors=remount-ro", "rw,errors=remount-ro,emergency_ro"] {
            let line = format!("22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/root {sb}");
            assert!(parse_mountinfo(&line)[0].readonly, "{sb}");
        }
        assert!(parse_mounts("/dev/sda1 / ext4 rw,emergency_ro 0 0")[0].readonly);
    }

    #[test]
    fn garbage_is_ignored() {
        assert!(parse_mounts("x\n\n").is_empty());
        assert!(parse_mountinfo("1 2 3 - x\nfoo\n").is_empty());
        assert_eq!(unescape("a\\040b\\"), "a b\\");
    }
}
