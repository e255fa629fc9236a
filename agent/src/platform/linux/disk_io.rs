//! Disk I/O counters from `/proc/diskstats`, summed over whole disks (the
//! devices listed in `/sys/block`, as psutil does), in bytes and milliseconds.

use super::files::parse_guarded;
use crate::snapshot::DiskIo;
use procfs_core::{DiskStats, FromBufRead};

/// Sectors in diskstats are always 512 bytes, whatever the device's sector size.
const SECTOR_BYTES: u64 = 512;

pub fn parse_diskstats(text: &str) -> Option<DiskStats> {
    parse_guarded(text, |b| DiskStats::from_buf_read(b))
}

/// Sum the counters of the devices in `whole_disks`.
pub fn disk_io(stats: &DiskStats, whole_disks: &[String]) -> DiskIo {
    let mut io = DiskIo::default();
    for d in stats.0.iter().filter(|d| {
        // /sys/block names have '/' replaced by '!' (e.g. cciss!c0d0)
        let name = d.name.replace('/', "!");
        whole_disks.contains(&name)
    }) {
        io.read_count = io.read_count.saturating_add(d.reads);
        io.read_merged_count = io.read_merged_count.saturating_add(d.merged);
        io.read_bytes = io
            .read_bytes
            .saturating_add(d.sectors_read.saturating_mul(SECTOR_BYTES));
        io.read_time = io.read_time.saturating_add(d.time_reading);
        io.write_count = io.write_count.saturating_add(d.writes);
        io.write_merged_count = io.write_merged_count.saturating_add(d.writes_merged);
        io.write_bytes = io
            .write_bytes
            .saturating_add(d.sectors_written.saturating_mul(SECTOR_BYTES));
        io.write_time = io.write_time.saturating_add(d.time_writing);
        io.busy_time = io.busy_time.saturating_add(d.time_in_progress);
    }
    io
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATS: &str = "   7       0 loop0 10 0 20 5 0 0 0 0 0 4 5 0 0 0 0 0 0\n 179       0 mmcblk0 100 7 2000 50 40 3 800 60 0 90 110 0 0 0 0 0 0\n 179       2 mmcblk0p2 99 7 1990 49 40 3 800 60 0 89 109 0 0 0 0 0 0\n";

    #[test]
    fn sums_whole_disks_only() {
        let s = parse_diskstats(STATS).expect("parses");
        let io = disk_io(&s, &["loop0".into(), "mmcblk0".into()]);
        assert_eq!(io.read_count, 110);
        assert_eq!(io.read_bytes, 2020 * 512);
        assert_eq!(io.write_bytes, 800 * 512);
        assert_eq!(io.read_merged_count, 7);
        assert_eq!(io.busy_time, 94);
        assert_eq!((io.read_time, io.write_time), (55, 60));
    }
}
