//! Real mounted filesystems: of the mount table (`mount_table`), pseudo
//! filesystems dropped, `/dev/root` resolved to the real block device; the list is
//! discovered on the slow cadence and only statvfs runs per snapshot.

use super::ext4_errors;
use super::files::{list_dir, Roots};
pub use super::mount_table::{parse_mountinfo, parse_mounts, Mount};
use crate::collect::guard::KernelGuard;
use crate::platform::disk_usage::usage;
use crate::snapshot::{Filesystem, FsStat};

/// Kernel, memory and container plumbing: never a disk a person cares about.
const PSEUDO_FSTYPES: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "fusectl",
    "fuse.lxcfs",
    "fuse.gvfsd-fuse",
    "fuse.portal",
    "hugetlbfs",
    "mqueue",
    "nsfs",
    "nfsd",
    "overlay",
    "proc",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "squashfs",
    "sysfs",
    "tmpfs",
    "tracefs",
    "aufs",
    "shm",
    "none",
];

const PSEUDO_MOUNT_PREFIXES: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/run/credentials",
    "/var/lib/docker",
    "/var/lib/containers",
    "/var/lib/kubelet",
    "/snap",
];

pub fn is_real(m: &Mount) -> bool {
    let under = |prefix: &str| {
        m.mount == prefix
            || m.mount
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    !PSEUDO_FSTYPES.contains(&m.fstype.as_str()) && !PSEUDO_MOUNT_PREFIXES.iter().any(|p| under(p))
}

/// The `root=` device from the kernel command line, when it names one.
pub fn cmdline_root(cmdline: &str) -> Option<String> {
    cmdline
        .split_whitespace()
        .find_map(|a| a.strip_prefix("root="))
        .filter(|r| r.starts_with("/dev/") && *r != "/dev/root")
        .map(str::to_string)
}

/// `/dev/root` (what the kernel calls the boot filesystem) → `/dev/<name>`,
/// by the mount's major:minor among the block devices, else from `root=`.
pub fn resolve_device(
    m: &Mount,
    block_devs: &[(String, (u32, u32))],
    cmdline: Option<&str>,
) -> String {
    if m.device != "/dev/root" {
        return m.device.clone();
    }
    m.dev
        .and_then(|d| block_devs.iter().find(|(_, bd)| *bd == d))
        .map(|(name, _)| format!("/dev/{name}"))
        .or_else(|| cmdline.and_then(cmdline_root))
        .unwrap_or_else(|| m.device.clone())
}

/// Real mounts, devices resolved, each device once (its first mount wins).
pub fn select(
    mounts: Vec<Mount>,
    block_devs: &[(String, (u32, u32))],
    cmdline: Option<&str>,
) -> Vec<Mount> {
    let mut out: Vec<Mount> = Vec::new();
    for mut m in mounts.into_iter().filter(is_real) {
        m.device = resolve_device(&m, block_devs, cmdline);
        if !out.iter().any(|o| o.device == m.device) {
            out.push(m);
        }
    }
    out
}

fn parse_dev(text: &str) -> Option<(u32, u32)> {
    let (a, b) = text.trim().split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Disks and their partitions with their major:minor (`/sys/block/*[/*]/dev`).
pub fn block_devices(roots: &Roots) -> Vec<(String, (u32, u32))> {
    let mut out = Vec::new();
    for disk in list_dir(&roots.sys_path("block")) {
        let rel = format!("block/{disk}");
        if let Some(d) = roots
            .sys_value(&format!("{rel}/dev"))
            .and_then(|t| parse_dev(&t))
        {
            out.push((disk.replace('!', "/"), d));
        }
        for part in list_dir(&roots.sys_path(&rel))
            .into_iter()
            .filter(|p| p.starts_with(&disk))
        {
            if let Some(d) = roots
                .sys_value(&format!("{rel}/{part}/dev"))
                .and_then(|t| parse_dev(&t))
            {
                out.push((part.replace('!', "/"), d));
            }
        }
    }
    out
}

/// The host's real filesystems (`discover_table`; none when its mount
/// table cannot be read).
pub fn discover(roots: &Roots) -> Vec<Mount> {
    discover_table(roots).unwrap_or_default()
}

/// The host's mount table: pid 1's view (the host's, even from a service
/// with its own mount namespace), else ours, else `/proc/mounts`; its real
/// filesystems, or None when no mount table could be read.
pub fn discover_table(roots: &Roots) -> Option<Vec<Mount>> {
    let mounts = ["1/mountinfo", "self/mountinfo"]
        .iter()
        .filter_map(|rel| roots.proc(rel))
        .map(|t| parse_mountinfo(&t))
        .find(|m| !m.is_empty())
        .or_else(|| roots.proc("mounts").map(|t| parse_mounts(&t)))?;
    let devs = block_devices(roots);
    let mut mounts = select(mounts, &devs, roots.proc("cmdline").as_deref());
    for m in &mut mounts {
        m.ext4 = ext4_errors::sysfs_name(&m.fstype, &m.device, m.dev, &devs);
    }
    Some(mounts)
}

/// Sizes with psutil's disk_usage semantics (as the `disk` key).
pub fn filesystem(m: &Mount, stat: Option<FsStat>) -> Filesystem {
    let sizes = stat.map(usage);
    Filesystem {
        device: m.device.clone(),
        mount: m.mount.clone(),
        fstype: m.fstype.clone(),
        // the mount table is as old as the discovery; statvfs is live
        readonly: m.readonly || stat.is_some_and(|s| s.readonly),
        total: sizes.map(|s| s.total),
        used: sizes.map(|s| s.used),
        free: sizes.map(|s| s.free),
        percent: sizes.map(|s| s.percent),
        stat,
        ..Default::default()
    }
}

/// Sizes and health of every mount; network mounts that stopped answering
/// have null sizes.
pub fn read(roots: &Roots, mounts: &[Mount], guard: &KernelGuard) -> Vec<Filesystem> {
    mounts
        .iter()
        .map(|m| {
            let stat = guard.statvfs_mount(&roots.root_path(&m.mount), &m.fstype);
            let mut fs = filesystem(m, stat);
            let errors = m.ext4.as_deref().and_then(|n| ext4_errors::read(roots, n));
            ext4_errors::apply(&mut fs, errors);
            fs
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PI_MOUNTINFO: &str = "\
22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/root rw
23 22 0:5 / /dev rw,relatime shared:2 - devtmpfs devtmpfs rw,size=1809304k
24 22 0:22 / /proc rw,relatime shared:12 - proc proc rw
25 22 0:23 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=776460k
30 22 179:1 / /boot/firmware rw,relatime shared:20 - vfat /dev/mmcblk0p1 rw,fmask=0022
31 22 8:1 / /media/usb\\040disk ro,relatime shared:21 - ext4 /dev/sda1 ro
32 22 179:2 /srv /srv rw,noatime shared:1 - ext4 /dev/root rw
33 22 0:40 / /var/lib/docker/overlay2/x/merged rw - overlay overlay rw
";

    #[test]
    fn mountinfo_real_filesystems_with_dev_root_resolved() {
        let devs = vec![
            ("mmcblk0".to_string(), (179, 0)),
            ("mmcblk0p1".to_string(), (179, 1)),
            ("mmcblk0p2".to_string(), (179, 2)),
        ];
        let got = select(parse_mountinfo(PI_MOUNTINFO), &devs, None);
        let brief: Vec<(&str, &str, &str, bool)> = got
            .iter()
            .map(|m| {
                (
                    m.device.as_str(),
                    m.mount.as_str(),
                    m.fstype.as_str(),
                    m.readonly,
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                ("/dev/mmcblk0p2", "/", "ext4", false),
                ("/dev/mmcblk0p1", "/boot/firmware", "vfat", false),
                ("/dev/sda1", "/media/usb disk", "ext4", true),
            ]
        );
    }

    #[test]
    fn dev_root_falls_back_to_the_kernel_command_line() {
        let m = Mount {
            device: "/dev/root".into(),
            mount: "/".into(),
            fstype: "ext4".into(),
            ..Default::default()
        };
        assert_eq!(
            resolve_device(&m, &[], Some("console=tty1 root=/dev/mmcblk0p2 rootwait")),
            "/dev/mmcblk0p2"
        );
        assert_eq!(
            resolve_device(&m, &[], Some("root=PARTUUID=1234-02")),
            "/dev/root"
        );
        assert_eq!(cmdline_root("quiet"), None);
    }

    #[test]
    fn proc_mounts_of_the_pi4_fixture() {
        let text = include_str!("../../../tests/fixtures/pi4/proc/mounts");
        let got = select(parse_mounts(text), &[], None);
        let brief: Vec<(&str, &str, &str)> = got
            .iter()
            .map(|m| (m.device.as_str(), m.mount.as_str(), m.fstype.as_str()))
            .collect();
        assert_eq!(
            brief,
            vec![
                ("/dev/mmcblk0p2", "/", "ext4"),
                ("/dev/mmcblk0p1", "/boot/firmware", "vfat")
            ]
        );
    }

    #[test]
    fn psutil_sizes_and_null_when_unreadable() {
        let m = Mount {
            device: "/dev/sda1".into(),
            mount: "/".into(),
            fstype: "ext4".into(),
            ..Default::default()
        };
        let stat = FsStat {
            blocks: 100,
            bfree: 40,
            bavail: 30,
            bsize: 4096,
            frsize: 4096,
            files: 0,
            ffree: 0,
            readonly: false,
        };
        let f = filesystem(&m, Some(stat));
        assert_eq!(
            (f.total, f.used, f.free, f.percent),
            (Some(409_600), Some(245_760), Some(122_880), Some(66.7))
        );
        let none = filesystem(&m, None);
        assert_eq!((none.total, none.percent), (None, None));
    }
}
