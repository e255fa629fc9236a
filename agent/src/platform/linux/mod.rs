//! The Linux collector: reads procfs/sysfs under configurable roots (so a
//! container can report its host, and tests can use captured trees) and
//! assembles the snapshot from the pure section builders.

pub mod cpu;
pub mod cpuinfo;
pub mod disk_io;
pub mod files;
pub mod memory;
pub mod network;
pub mod system;

use crate::cpu_usage::CpuReading;
use crate::platform::{disk_usage, Sources};
use crate::sampler::CpuState;
use crate::snapshot::{Cpu, Network, Snapshot};
use files::{list_dir, Roots};
use std::path::PathBuf;

/// Facts read once at start-up: they do not change while the host runs.
#[derive(Debug, Clone)]
struct StaticInfo {
    processor: Option<String>,
    physical_cores: Option<u32>,
    cpuinfo_mhz: Option<f64>,
    cpufreq_dirs: Vec<String>,
    architecture: String,
    libc: Option<String>,
    page_size: u64,
}

pub struct Collector {
    roots: Roots,
    disk_path: PathBuf,
    info: StaticInfo,
}

impl Collector {
    pub fn new(sources: &Sources) -> Collector {
        let roots = Roots {
            procfs: sources.procfs.clone(),
            sysfs: sources.sysfs.clone(),
        };
        let cpuinfo = roots.proc("cpuinfo").map(|t| cpuinfo::CpuInfo::parse(&t));
        let info = StaticInfo {
            processor: cpuinfo.as_ref().and_then(|c| c.processor_name()),
            physical_cores: cpu::physical_cores(&roots, cpuinfo.as_ref()),
            cpuinfo_mhz: cpuinfo.as_ref().and_then(|c| c.average_mhz()),
            cpufreq_dirs: cpu::cpufreq_dirs(&roots),
            architecture: system::architecture(),
            libc: system::libc_version(),
            page_size: rustix::param::page_size() as u64,
        };
        Collector {
            roots,
            disk_path: sources.disk_path.clone(),
            info,
        }
    }

    /// Cumulative CPU times and the boot time, for the background sampler.
    pub fn read_cpu(&self) -> Option<(CpuReading, u64)> {
        cpu::read_stat(&self.roots)
    }

    /// Everything but the CPU window, read now; `cpu` is the sampler's latest state.
    pub fn snapshot(&self, cpu: &CpuState, now: chrono::DateTime<chrono::Utc>) -> Snapshot {
        let r = &self.roots;
        let freq = cpu::frequency(r, &self.info.cpufreq_dirs, self.info.cpuinfo_mhz);
        let meminfo = r.proc("meminfo").and_then(|t| memory::parse_meminfo(&t));
        let vmstat = r.proc("vmstat");
        let net_dev = r.proc("net/dev").and_then(|t| network::parse_net_dev(&t));
        let mut names: Vec<String> = net_dev
            .as_ref()
            .map(|d| d.0.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        let whole_disks = list_dir(&r.sys_path("block"));
        Snapshot {
            collected_at: crate::units::rfc3339_utc(now),
            cpu: Cpu {
                percent: cpu.window.as_ref().map(|w| w.percent),
                logical_cores: cpu.logical_cores,
                physical_cores: self.info.physical_cores,
                frequency_mhz: freq.current,
                min_frequency_mhz: freq.min,
                max_frequency_mhz: freq.max,
                processor: self.info.processor.clone(),
            },
            memory: meminfo.as_ref().map(memory::memory),
            swap: meminfo
                .as_ref()
                .map(|m| memory::swap(m, vmstat.as_deref(), self.info.page_size)),
            disk: disk_usage::read_disk(&self.disk_path),
            disk_io: r
                .proc("diskstats")
                .and_then(|t| disk_io::parse_diskstats(&t))
                .map(|s| disk_io::disk_io(&s, &whole_disks)),
            network: Network {
                io_counters: net_dev.as_ref().map(network::io_counters),
                primary_interface: network::primary_interface(
                    r,
                    r.proc("net/route").as_deref(),
                    &names,
                    &network::ipv4_addresses(),
                ),
            },
            uptime: cpu
                .boot_time
                .and_then(|b| system::uptime(b, now.timestamp())),
            system: system::system(r, &self.info.architecture, self.info.libc.as_deref()),
            load_avg: r.proc("loadavg").and_then(|t| system::load_avg(&t)),
        }
    }
}
