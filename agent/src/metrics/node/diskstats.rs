//! node_exporter's `diskstats` collector: `node_disk_*` per `/proc/diskstats`
//! device, with node_exporter 1.5's default device exclusions.

use super::raw::{DiskCounters, RawCounters};
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(_snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    disks(raw)
}

/// node_exporter 1.5's default `--collector.diskstats.ignored-devices`:
/// `^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`. zram devices (the
/// compressed swap of Raspberry Pi OS and many VMs) are reported, as 1.5
/// reports them; only node_exporter 1.8 added `z?` to that pattern.
pub fn disk_excluded(name: &str) -> bool {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() == name.len() {
        return false; // needs trailing digits
    }
    if matches!(stem, "ram" | "loop" | "fd") {
        return true;
    }
    let b = stem.as_bytes();
    let xd = |prefix: &[u8]| {
        b.len() == prefix.len() + 2
            && b.starts_with(prefix)
            && b[prefix.len()] == b'd'
            && b[prefix.len() + 1].is_ascii_lowercase()
    };
    if xd(b"h") || xd(b"s") || xd(b"v") || xd(b"xv") {
        return true;
    }
    // nvme<digits>n<digits>p
    stem.strip_prefix("nvme")
        .and_then(|r| r.strip_suffix('p'))
        .and_then(|r| r.split_once('n'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

fn disks(raw: &RawCounters) -> Vec<MetricFamily> {
    let mut read = MetricFamily::counter(
        "node_disk_read_bytes_total",
        "The total number of bytes read successfully.",
    );
    let mut written = MetricFamily::counter(
        "node_disk_written_bytes_total",
        "The total number of bytes written successfully.",
    );
    let mut reads = MetricFamily::counter(
        "node_disk_reads_completed_total",
        "The total number of reads completed successfully.",
    );
    let mut writes = MetricFamily::counter(
        "node_disk_writes_completed_total",
        "The total number of writes completed successfully.",
    );
    let mut read_time = MetricFamily::counter(
        "node_disk_read_time_seconds_total",
        "The total number of seconds spent by all reads.",
    );
    let mut write_time = MetricFamily::counter(
        "node_disk_write_time_seconds_total",
        "This is the total number of seconds spent by all writes.",
    );
    let mut io_time = MetricFamily::counter(
        "node_disk_io_time_seconds_total",
        "Total seconds spent doing I/Os.",
    );
    for d in raw.disks.iter().filter(|d| !disk_excluded(&d.device)) {
        let l = || vec![("device", d.device.clone())];
        read.push(l(), d.read_bytes as f64);
        written.push(l(), d.written_bytes as f64);
        reads.push(l(), d.reads_completed as f64);
        writes.push(l(), d.writes_completed as f64);
        read_time.push(l(), d.read_time_ms as f64 / 1000.0);
        write_time.push(l(), d.write_time_ms as f64 / 1000.0);
        io_time.push(l(), d.io_time_ms as f64 / 1000.0);
    }
    let mut out = vec![read, written, reads, writes, read_time, write_time, io_time];
    out.extend(disk_extras(raw));
    out
}

/// Merges, queue, weighted time, discards, flushes and `node_disk_info`:
/// the diskstats families node_exporter adds to the seven above.
fn disk_extras(raw: &RawCounters) -> Vec<MetricFamily> {
    type Get = fn(&DiskCounters) -> Option<f64>;
    let specs: [(&str, bool, &str, Get); 10] = [
        ("node_disk_reads_merged_total", true, "Reads merged.", |d| {
            Some(d.reads_merged as f64)
        }),
        (
            "node_disk_writes_merged_total",
            true,
            "Writes merged.",
            |d| Some(d.writes_merged as f64),
        ),
        (
            "node_disk_io_now",
            false,
            "I/Os currently in progress.",
            |d| Some(d.io_in_progress as f64),
        ),
        (
            "node_disk_io_time_weighted_seconds_total",
            true,
            "Weighted seconds spent doing I/Os.",
            |d| Some(d.io_time_weighted_ms as f64 / 1000.0),
        ),
        (
            "node_disk_discards_completed_total",
            true,
            "Discards completed successfully.",
            |d| d.discards_completed.map(|v| v as f64),
        ),
        (
            "node_disk_discards_merged_total",
            true,
            "Discards merged.",
            |d| d.discards_merged.map(|v| v as f64),
        ),
        (
            "node_disk_discarded_sectors_total",
            true,
            "Sectors discarded successfully.",
            |d| d.discarded_sectors.map(|v| v as f64),
        ),
        (
            "node_disk_discard_time_seconds_total",
            true,
            "Seconds spent by all discards.",
            |d| d.discard_time_ms.map(|v| v as f64 / 1000.0),
        ),
        (
            "node_disk_flush_requests_total",
            true,
            "Flush requests completed successfully.",
            |d| d.flush_requests.map(|v| v as f64),
        ),
        (
            "node_disk_flush_requests_time_seconds_total",
            true,
            "Seconds spent by all flush requests.",
            |d| d.flush_time_ms.map(|v| v as f64 / 1000.0),
        ),
    ];
    let disks: Vec<&DiskCounters> = raw
        .disks
        .iter()
        .filter(|d| !disk_excluded(&d.device))
        .collect();
    let mut out: Vec<MetricFamily> = specs
        .iter()
        .map(|(name, counter, help, get)| {
            let mut f = if *counter {
                MetricFamily::counter(*name, *help)
            } else {
                MetricFamily::gauge(*name, *help)
            };
            for d in &disks {
                if let Some(v) = get(d) {
                    f.push(vec![("device", d.device.clone())], v);
                }
            }
            f
        })
        .collect();
    let mut info = MetricFamily::gauge(
        "node_disk_info",
        "Identity of a block device (udev properties); always 1.",
    );
    for d in &disks {
        let [path, wwn, model, serial, revision] = d.udev.clone();
        info.push(
            vec![
                ("device", d.device.clone()),
                ("major", d.major.to_string()),
                ("minor", d.minor.to_string()),
                ("model", model),
                ("path", path),
                ("revision", revision),
                ("serial", serial),
                ("wwn", wwn),
            ],
            1.0,
        );
    }
    out.push(info);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_exporter_disk_exclusions() {
        for x in [
            "loop0",
            "ram1",
            "fd0",
            "sda1",
            "vda2",
            "hdb3",
            "xvda1",
            "nvme0n1p2",
        ] {
            assert!(disk_excluded(x), "{x}");
        }
        for k in [
            "mmcblk0",
            "mmcblk0p1",
            "sda",
            "vda",
            "nvme0n1",
            "dm-0",
            "md0",
            "loop",
            "zram0",
            "zram12",
        ] {
            assert!(!disk_excluded(k), "{k}");
        }
    }
}
