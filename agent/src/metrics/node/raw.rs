//! Raw counters that the node_exporter collectors need and the JSON
//! snapshot does not carry (it has sums and percents): per-CPU times,
//! meminfo fields, per-device disk and network counters, uname, timex, and
//! how each node_exporter collector fared (`node_scrape_collector_*`).

use super::textfile::Textfiles;
use super::{CollectorRun, CollectorStatus};
use crate::cpu_usage::CpuTimes;

/// One `/proc/diskstats` device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskCounters {
    pub device: String,
    pub reads_completed: u64,
    pub writes_completed: u64,
    pub read_bytes: u64,
    pub written_bytes: u64,
    pub read_time_ms: u64,
    pub write_time_ms: u64,
    pub io_time_ms: u64,
    pub major: i32,
    pub minor: i32,
    pub reads_merged: u64,
    pub writes_merged: u64,
    pub io_in_progress: u64,
    pub io_time_weighted_ms: u64,
    /// Discard and flush fields: None on kernels whose diskstats lack them.
    pub discards_completed: Option<u64>,
    pub discards_merged: Option<u64>,
    pub discarded_sectors: Option<u64>,
    pub discard_time_ms: Option<u64>,
    pub flush_requests: Option<u64>,
    pub flush_time_ms: Option<u64>,
    /// udev's ID_PATH, ID_WWN, ID_MODEL, ID_SERIAL_SHORT, ID_REVISION ("" when unknown).
    pub udev: [String; 5],
}

/// One `/proc/net/dev` device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetCounters {
    pub device: String,
    pub receive_bytes: u64,
    pub transmit_bytes: u64,
    pub receive_packets: u64,
    pub transmit_packets: u64,
    pub receive_errs: u64,
    pub transmit_errs: u64,
    pub receive_drop: u64,
    pub transmit_drop: u64,
    pub receive_fifo: u64,
    pub receive_frame: u64,
    pub receive_compressed: u64,
    pub receive_multicast: u64,
    pub transmit_fifo: u64,
    pub transmit_colls: u64,
    pub transmit_carrier: u64,
    pub transmit_compressed: u64,
}

/// uname(2) fields (from `/proc/sys/kernel` so a captured tree reports its host).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uname {
    pub sysname: String,
    pub release: String,
    pub version: String,
    pub machine: String,
    pub nodename: String,
    pub domainname: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCounters {
    /// Clock ticks per second of the `/proc/stat` times (USER_HZ, 100 on Linux).
    pub ticks_per_second: f64,
    /// Per-CPU cumulative times in ticks, keyed by the kernel's CPU number
    /// (`cpuN` in `/proc/stat`: offline CPUs leave gaps), never decreasing.
    pub cpu_times: Vec<(u32, CpuTimes)>,
    pub boot_time: Option<u64>,
    /// meminfo fields in file order: node_exporter's key (`Active_anon`), the
    /// value (bytes when the file says kB), and whether it was in kB.
    pub meminfo: Vec<(String, u64, bool)>,
    pub disks: Vec<DiskCounters>,
    pub network: Vec<NetCounters>,
    pub uname: Option<Uname>,
    /// The kernel's clock discipline (`adjtimex`), for `node_timex_*`.
    pub timex: Option<system_stats_common::timex::Timex>,
    /// node_exporter's other collectors, run for this scrape.
    pub collectors: Vec<CollectorRun>,
    /// The collectors whose families are built from the snapshot and the
    /// fields above (`node::FROM_SNAPSHOT`): whether each source was read
    /// in this scrape and how long reading and parsing it took.
    pub sources: Vec<CollectorStatus>,
    /// The textfile collector's files (None: no directory configured).
    pub textfile: Option<Textfiles>,
}
