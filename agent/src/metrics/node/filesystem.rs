//! node_exporter's `filesystem` collector: `node_filesystem_*` from the
//! snapshot's filesystems (statvfs with f_bsize, as node_exporter).

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(snap: &Snapshot, _raw: &RawCounters) -> Vec<MetricFamily> {
    filesystems(snap)
}

fn filesystems(snap: &Snapshot) -> Vec<MetricFamily> {
    let mut size = MetricFamily::gauge("node_filesystem_size_bytes", "Filesystem size in bytes.");
    let mut free = MetricFamily::gauge(
        "node_filesystem_free_bytes",
        "Filesystem free space in bytes.",
    );
    let mut avail = MetricFamily::gauge(
        "node_filesystem_avail_bytes",
        "Filesystem space available to non-root users in bytes.",
    );
    let mut files = MetricFamily::gauge("node_filesystem_files", "Filesystem total file nodes.");
    let mut files_free = MetricFamily::gauge(
        "node_filesystem_files_free",
        "Filesystem total free file nodes.",
    );
    let mut readonly =
        MetricFamily::gauge("node_filesystem_readonly", "Filesystem read-only status.");
    let mut error = MetricFamily::gauge(
        "node_filesystem_device_error",
        "Whether an error occurred while getting statistics for the given device.",
    );
    for fs in &snap.filesystems {
        let labels = || {
            vec![
                ("device", fs.device.clone()),
                ("fstype", fs.fstype.clone()),
                ("mountpoint", fs.mount.clone()),
            ]
        };
        error.push(labels(), if fs.stat.is_some() { 0.0 } else { 1.0 });
        // as node_exporter: read-only status even when statfs failed
        readonly.push(labels(), if fs.readonly { 1.0 } else { 0.0 });
        let Some(st) = fs.stat else {
            continue;
        };
        // node_exporter multiplies by f_bsize
        size.push(labels(), st.blocks.saturating_mul(st.bsize) as f64);
        free.push(labels(), st.bfree.saturating_mul(st.bsize) as f64);
        avail.push(labels(), st.bavail.saturating_mul(st.bsize) as f64);
        files.push(labels(), st.files as f64);
        files_free.push(labels(), st.ffree as f64);
    }
    vec![size, free, avail, files, files_free, readonly, error]
}
