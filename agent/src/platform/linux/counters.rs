//! The raw counters for the node_exporter-compatible metrics, read per
//! scrape: per-CPU times, every meminfo field, per-device disk and network
//! counters, and uname fields from `/proc/sys/kernel`.

use super::files::Roots;
use super::{cpu, disk_io};
use crate::metrics::raw::{DiskCounters, NetCounters, RawCounters, Uname};
use procfs_core::net::InterfaceDeviceStatus;
use procfs_core::DiskStats;

/// Linux reports `/proc/stat` times in USER_HZ, 100 on every architecture.
pub const USER_HZ: f64 = 100.0;

/// Every `Key: value [kB]` line, with node_exporter's key (`Active(anon)` →
/// `Active_anon`); kB values are converted to bytes.
pub fn parse_meminfo_fields(text: &str) -> Vec<(String, u64, bool)> {
    text.lines()
        .filter_map(|line| {
            let (key, rest) = line.split_once(':')?;
            let mut f = rest.split_whitespace();
            let value: u64 = f.next()?.parse().ok()?;
            let kb = f.next() == Some("kB");
            let key = key.trim().replacen('(', "_", 1).replacen(')', "", 1);
            Some((
                key,
                if kb {
                    value.saturating_mul(1024)
                } else {
                    value
                },
                kb,
            ))
        })
        .collect()
}

pub fn disks(stats: &DiskStats) -> Vec<DiskCounters> {
    stats
        .0
        .iter()
        .map(|d| DiskCounters {
            device: d.name.clone(),
            reads_completed: d.reads,
            writes_completed: d.writes,
            read_bytes: d.sectors_read.saturating_mul(512),
            written_bytes: d.sectors_written.saturating_mul(512),
            read_time_ms: d.time_reading,
            write_time_ms: d.time_writing,
            io_time_ms: d.time_in_progress,
        })
        .collect()
}

pub fn net(dev: &InterfaceDeviceStatus) -> Vec<NetCounters> {
    let mut v: Vec<NetCounters> = dev
        .0
        .values()
        .map(|d| NetCounters {
            device: d.name.clone(),
            receive_bytes: d.recv_bytes,
            transmit_bytes: d.sent_bytes,
            receive_packets: d.recv_packets,
            transmit_packets: d.sent_packets,
            receive_errs: d.recv_errs,
            transmit_errs: d.sent_errs,
            receive_drop: d.recv_drop,
            transmit_drop: d.sent_drop,
        })
        .collect();
    v.sort_by(|a, b| a.device.cmp(&b.device));
    v
}

/// uname fields from procfs; `machine` is the running kernel's (not in procfs).
pub fn uname(roots: &Roots, machine: &str) -> Option<Uname> {
    let value = |rel: &str| roots.proc(rel).map(|s| s.trim().to_string());
    Some(Uname {
        sysname: value("sys/kernel/ostype").unwrap_or_else(|| "Linux".into()),
        release: value("sys/kernel/osrelease")?,
        version: value("sys/kernel/version").unwrap_or_default(),
        machine: machine.to_string(),
        nodename: value("sys/kernel/hostname").unwrap_or_default(),
        domainname: value("sys/kernel/domainname")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "(none)".into()),
    })
}

/// Everything but the meminfo text and net/dev table, which the snapshot already read.
pub fn read(
    roots: &Roots,
    machine: &str,
    meminfo_text: Option<&str>,
    net_dev: Option<&InterfaceDeviceStatus>,
) -> RawCounters {
    let stat = cpu::read_stat(roots);
    RawCounters {
        ticks_per_second: USER_HZ,
        boot_time: stat.as_ref().map(|(_, b)| *b).filter(|b| *b > 0),
        cpu_times: stat.map(|(r, _)| r.per_core).unwrap_or_default(),
        meminfo: meminfo_text.map(parse_meminfo_fields).unwrap_or_default(),
        disks: roots
            .proc("diskstats")
            .and_then(|t| disk_io::parse_diskstats(&t))
            .map(|s| disks(&s))
            .unwrap_or_default(),
        network: net_dev.map(net).unwrap_or_default(),
        uname: uname(roots, machine),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_fields_like_node_exporter() {
        let f = parse_meminfo_fields("MemTotal:        3882300 kB\nActive(anon):       3200 kB\nHugePages_Total:       0\nbogus\n");
        assert_eq!(
            f,
            vec![
                ("MemTotal".to_string(), 3_975_475_200, true),
                ("Active_anon".to_string(), 3_276_800, true),
                ("HugePages_Total".to_string(), 0, false),
            ]
        );
    }
}
