//! The raw counters for the node_exporter-compatible metrics, read per
//! scrape: per-CPU times, every meminfo field, per-device disk and network
//! counters, and uname fields from `/proc/sys/kernel`.

use super::cpu;
use super::files::Roots;
use super::source_clock::SourceClock;
use super::system::{KernelIdentity, Names};
use crate::cpu_usage::CpuTimes;
use crate::metrics::node::raw::{DiskCounters, NetCounters, RawCounters, Uname};
use procfs_core::net::InterfaceDeviceStatus;
use procfs_core::DiskStats;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Linux reports `/proc/stat` times in USER_HZ, 100 on every architecture.
pub const USER_HZ: f64 = 100.0;

/// Every `Key: value [kB]` line, with node_exporter's key (`Active(anon)` →
/// `Active_anon`); kB values are converted to bytes. Keys that would not make
/// a valid metric name, and repeats of a key, are skipped.
pub fn parse_meminfo_fields(text: &str) -> Vec<(String, u64, bool)> {
    let mut seen = std::collections::BTreeSet::new();
    text.lines()
        .filter_map(|line| {
            let (key, rest) = line.split_once(':')?;
            let mut f = rest.split_whitespace();
            let value: u64 = f.next()?.parse().ok()?;
            let kb = f.next() == Some("kB");
            let key = key.trim().replacen('(', "_", 1).replacen(')', "", 1);
            let valid =
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid || !seen.insert(key.clone()) {
                return None;
            }
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

/// A drop of a CPU's idle time this large (3 s of ticks) means the CPU was
/// unplugged and replugged: its counters start again (node_exporter's rule).
const IDLE_JUMP_BACK: u64 = 3 * USER_HZ as u64;

/// Keeps `node_cpu_seconds_total` monotonic as node_exporter does: the kernel's
/// per-CPU idle and iowait times can step backwards (NO_HZ accounting), which
/// Prometheus would read as a counter reset and turn into a huge rate spike.
#[derive(Debug, Default)]
pub struct CpuCounterGuard {
    last: Mutex<BTreeMap<u32, CpuTimes>>,
}

impl CpuCounterGuard {
    /// Each field is the larger of this reading and the last one reported;
    /// CPUs gone offline are forgotten.
    pub fn monotonic(&self, readings: Vec<(u32, CpuTimes)>) -> Vec<(u32, CpuTimes)> {
        let mut last = match self.last.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let out: Vec<(u32, CpuTimes)> = readings
            .into_iter()
            .map(|(id, new)| {
                let old = last
                    .get(&id)
                    .copied()
                    .filter(|old| old.idle.saturating_sub(new.idle) < IDLE_JUMP_BACK)
                    .unwrap_or_default();
                let t = CpuTimes {
                    user: new.user.max(old.user),
                    nice: new.nice.max(old.nice),
                    system: new.system.max(old.system),
                    idle: new.idle.max(old.idle),
                    iowait: new.iowait.max(old.iowait),
                    irq: new.irq.max(old.irq),
                    softirq: new.softirq.max(old.softirq),
                    steal: new.steal.max(old.steal),
                    guest: new.guest.max(old.guest),
                    guest_nice: new.guest_nice.max(old.guest_nice),
                };
                (id, t)
            })
            .collect();
        *last = out.iter().copied().collect();
        out
    }
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
            major: d.major,
            minor: d.minor,
            reads_merged: d.merged,
            writes_merged: d.writes_merged,
            io_in_progress: d.in_progress,
            io_time_weighted_ms: d.weighted_time_in_progress,
            discards_completed: d.discards,
            discards_merged: d.discards_merged,
            discarded_sectors: d.sectors_discarded,
            discard_time_ms: d.time_discarding,
            flush_requests: d.flushes,
            flush_time_ms: d.time_flushing,
            udev: Default::default(),
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
            receive_fifo: d.recv_fifo,
            receive_frame: d.recv_frame,
            receive_compressed: d.recv_compressed,
            receive_multicast: d.recv_multicast,
            transmit_fifo: d.sent_fifo,
            transmit_colls: d.sent_colls,
            transmit_carrier: d.sent_carrier,
            transmit_compressed: d.sent_compressed,
        })
        .collect();
    v.sort_by(|a, b| a.device.cmp(&b.device));
    v
}

/// node_exporter's `node_disk_info` labels from a udev database entry
/// (`E:KEY=value` lines): ID_PATH, ID_WWN, ID_MODEL, ID_SERIAL_SHORT, ID_REVISION.
pub fn udev_properties(text: &str) -> [String; 5] {
    let keys = [
        "ID_PATH",
        "ID_WWN",
        "ID_MODEL",
        "ID_SERIAL_SHORT",
        "ID_REVISION",
    ];
    let mut out: [String; 5] = Default::default();
    for line in text.lines() {
        let Some((k, v)) = line.strip_prefix("E:").and_then(|p| p.split_once('=')) else {
            continue;
        };
        if let Some(i) = keys.iter().position(|key| *key == k) {
            out[i] = v.to_string();
        }
    }
    out
}

/// uname fields from procfs; `machine` is the running kernel's (not in procfs).
pub fn uname(kernel: &KernelIdentity, names: &Names, machine: &str) -> Option<Uname> {
    Some(Uname {
        sysname: kernel.ostype.clone().unwrap_or_else(|| "Linux".into()),
        release: kernel.release.clone()?,
        version: kernel.version.clone().unwrap_or_default(),
        machine: machine.to_string(),
        nodename: names.hostname.clone().unwrap_or_default(),
        domainname: names
            .domainname
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "(none)".into()),
    })
}

/// Per-CPU times from `/proc/stat` text, keyed by CPU number, and the boot time.
pub fn cpu_times(text: &str) -> Option<(Vec<(u32, CpuTimes)>, u64)> {
    let (reading, btime) = cpu::parse_stat(text)?;
    Some((
        cpu::stat_cpu_ids(text)
            .into_iter()
            .zip(reading.per_core)
            .collect(),
        btime,
    ))
}

/// What the collector read for the snapshot and the counters share.
pub struct Shared<'a> {
    pub stat_text: Option<&'a str>,
    pub meminfo_text: Option<&'a str>,
    pub diskstats: Option<&'a DiskStats>,
    pub net_dev: Option<&'a InterfaceDeviceStatus>,
    pub kernel: &'a KernelIdentity,
    pub names: &'a Names,
    pub machine: &'a str,
}

/// The raw counters from the texts the collector already read (`Shared`)
/// and the udev database; the parsing and reading is charged to its
/// node_exporter collector on `clock`.
pub fn read(
    roots: &Roots,
    shared: &Shared,
    guard: &CpuCounterGuard,
    clock: &SourceClock,
) -> RawCounters {
    let stat = clock.time("cpu", || shared.stat_text.and_then(cpu_times));
    RawCounters {
        ticks_per_second: USER_HZ,
        boot_time: stat.as_ref().map(|(_, b)| *b).filter(|b| *b > 0),
        cpu_times: clock.time("cpu", || {
            guard.monotonic(stat.map(|(t, _)| t).unwrap_or_default())
        }),
        meminfo: clock.time("meminfo", || {
            shared
                .meminfo_text
                .map(parse_meminfo_fields)
                .unwrap_or_default()
        }),
        disks: clock.time("diskstats", || {
            shared
                .diskstats
                .map(|s| {
                    let mut d = disks(s);
                    for disk in &mut d {
                        let rel = format!("/run/udev/data/b{}:{}", disk.major, disk.minor);
                        if let Some(text) = roots.root_file(&rel) {
                            disk.udev = udev_properties(&text);
                        }
                    }
                    d
                })
                .unwrap_or_default()
        }),
        network: clock.time("netdev", || shared.net_dev.map(net).unwrap_or_default()),
        uname: clock.time("uname", || {
            uname(shared.kernel, shared.names, shared.machine)
        }),
        // the live kernel's, set by the collector
        timex: None,
        collectors: Vec::new(),
        sources: Vec::new(),
        textfile: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT_CPU1_OFFLINE: &str = "cpu  30 0 30 300 10 0 0 0 0 0\n\
cpu0 10 0 10 100 5 0 0 0 0 0\n\
cpu2 20 0 20 200 5 0 0 0 0 0\n\
intr 0\nctxt 1\nbtime 1700000000\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n";

    #[test]
    fn meminfo_keys_become_valid_unique_metric_names() {
        let fields = parse_meminfo_fields(
            "MemTotal: 100 kB\nActive(anon): 7 kB\nBad Key: 1 kB\nMemTotal: 5 kB\nHugePages_Total: 0\n: 3\n",
        );
        let got: Vec<(&str, u64, bool)> = fields
            .iter()
            .map(|(k, v, kb)| (k.as_str(), *v, *kb))
            .collect();
        assert_eq!(
            got,
            vec![
                ("MemTotal", 102_400, true),
                ("Active_anon", 7 * 1024, true),
                ("HugePages_Total", 0, false)
            ]
        );
    }

    #[test]
    fn cpu_times_keep_the_kernels_cpu_numbers() {
        let (times, btime) = cpu_times(STAT_CPU1_OFFLINE).expect("parses");
        let ids: Vec<u32> = times.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![0, 2]);
        assert_eq!(times[1].1.user, 20);
        assert_eq!(btime, 1_700_000_000);
    }

    #[test]
    fn cpu_counters_never_go_backwards_but_reset_on_replug() {
        let t = |idle: u64, iowait: u64| CpuTimes {
            user: 50,
            idle,
            iowait,
            ..Default::default()
        };
        let guard = CpuCounterGuard::default();
        assert_eq!(
            guard.monotonic(vec![(0, t(1000, 40))]),
            vec![(0, t(1000, 40))]
        );
        // iowait and idle stepping back a little: the last values stay
        assert_eq!(
            guard.monotonic(vec![(0, t(999, 38))]),
            vec![(0, t(1000, 40))]
        );
        assert_eq!(
            guard.monotonic(vec![(0, t(1010, 41))]),
            vec![(0, t(1010, 41))]
        );
        // idle back by 3 s or more: the CPU was replugged, its counters restart
        assert_eq!(guard.monotonic(vec![(0, t(10, 1))]), vec![(0, t(10, 1))]);
        // a CPU that went offline is forgotten
        guard.monotonic(vec![(1, t(5, 0))]);
        assert_eq!(guard.monotonic(vec![(0, t(3, 0))]), vec![(0, t(3, 0))]);
    }

    #[test]
    fn udev_labels() {
        let u = udev_properties("S:disk/by-id/x\nE:ID_MODEL=Samsung_SSD\nE:ID_SERIAL_SHORT=S3Z\nE:ID_PATH=pci-0000:00:1f.2-ata-1\nE:ID_OTHER=1\n");
        assert_eq!(u[0], "pci-0000:00:1f.2-ata-1");
        assert_eq!(
            (u[1].as_str(), u[2].as_str(), u[3].as_str()),
            ("", "Samsung_SSD", "S3Z")
        );
    }

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
