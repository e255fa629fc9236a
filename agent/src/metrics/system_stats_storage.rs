//! The `system_stats_filesystem_*` families: storage health node_exporter
//! does not export (ext2/3/4 error counters from `/sys/fs/ext4`).

use super::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(snap: &Snapshot) -> Vec<MetricFamily> {
    let mut errors = MetricFamily::counter(
        "system_stats_filesystem_errors_total",
        "Errors the kernel recorded in an ext2/3/4 filesystem since its last fsck (sysfs errors_count).",
    );
    for fs in &snap.filesystems {
        if let Some(count) = fs.errors_count {
            errors.push(
                vec![
                    ("device", fs.device.clone()),
                    ("mountpoint", fs.mount.clone()),
                ],
                count as f64,
            );
        }
    }
    vec![errors]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Filesystem;

    #[test]
    fn ext4_counters_only() {
        let snap = Snapshot {
            filesystems: vec![
                Filesystem {
                    device: "/dev/mmcblk0p2".into(),
                    mount: "/".into(),
                    errors_count: Some(3),
                    ..Default::default()
                },
                Filesystem {
                    device: "/dev/mmcblk0p1".into(),
                    mount: "/boot/firmware".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let f = families(&snap);
        assert_eq!(f[0].samples.len(), 1);
        assert_eq!(
            f[0].value(&[("device", "/dev/mmcblk0p2"), ("mountpoint", "/")]),
            Some(3.0)
        );
    }
}
