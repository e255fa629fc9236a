//! One entry point that runs every procfs/sysfs text parser on the same
//! input (and the Prometheus text parser, which reads textfiles), for the
//! fuzz target and the robustness tests: none may panic.

use super::{cpu, cpuinfo, disk_io, ext4_errors, filesystems, memory, network, system};

/// Parse `data` as each kind of source file and discard the results.
pub fn parse_every_source(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = cpu::parse_stat(&text);
    if let Some(m) = memory::parse_meminfo(&text) {
        let _ = memory::memory(&m);
        let _ = memory::swap(&m, Some(&text), 4096);
    }
    let _ = memory::parse_vmstat_swap(&text);
    let info = cpuinfo::CpuInfo::parse(&text);
    let _ = (
        info.processor_name(None),
        info.physical_cores(),
        info.average_mhz(),
    );
    if let Some(d) = disk_io::parse_diskstats(&text) {
        let _ = disk_io::disk_io(&d, &["sda".to_string(), "mmcblk0".to_string()]);
    }
    if let Some(d) = network::parse_net_dev(&text) {
        let _ = network::io_counters(&d);
    }
    let _ = network::default_route_interface(&text);
    let _ = system::load_avg(&text);
    let _ = filesystems::parse_mountinfo(&text);
    let _ = filesystems::parse_mounts(&text);
    let _ = (
        ext4_errors::parse_count(&text),
        ext4_errors::parse_time(&text),
    );
    // the Prometheus text parser (common's), through the textfile collector
    let _ = system_stats_common::exposition::parse(&text);
    let _ = crate::metrics::node::textfile::parse(&text, "fuzz.prom");
}
