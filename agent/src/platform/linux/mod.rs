//! The Linux collector: reads procfs/sysfs under configurable roots (so a
//! container can report its host, and tests can use captured trees) and
//! assembles the snapshot from the pure section builders.

pub mod address_watch;
pub mod addresses;
pub mod counters;
pub mod cpu;
pub mod cpuinfo;
pub mod discovery;
pub mod disk_io;
pub mod ext4_errors;
pub mod files;
pub mod filesystems;
pub mod interfaces;
pub mod links;
pub mod memory;
pub mod midr;
pub mod mount_table;
pub mod netclass;
pub mod netlink_watch;
pub mod network;
pub mod node_collectors;
pub mod open_files;
pub mod os_release;
pub mod robustness;
pub use robustness::parse_every_source;
pub mod rpi;
pub mod sensors;
pub mod source_clock;
pub mod system;

use crate::collect::guard::KernelGuard;
use crate::collect::{Collected, Want};
use crate::cpu_usage::{CpuReading, CpuState};
use crate::platform::{disk_usage, Sources};
use crate::snapshot::{Cpu, Filesystem, Network, Snapshot, System};
use discovery::{DiscoveryCache, REFRESH};
use files::{list_dir, Roots};
use source_clock::SourceClock;
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
    board: rpi::Board,
    kernel: system::KernelIdentity,
}

pub struct LinuxCollector {
    roots: Roots,
    disk_path: PathBuf,
    textfile_dir: Option<PathBuf>,
    info: StaticInfo,
    discovery: DiscoveryCache,
    cpu_counters: counters::CpuCounterGuard,
    guard: KernelGuard,
    addresses: addresses::AddressSource,
    netclass: netclass::NetclassCache,
}

impl LinuxCollector {
    pub fn new(sources: &Sources) -> LinuxCollector {
        let roots = Roots::new(sources.procfs.clone(), sources.sysfs.clone());
        let cpuinfo = roots.proc("cpuinfo").map(|t| cpuinfo::CpuInfo::parse(&t));
        let kernel = system::KernelIdentity::read(&roots);
        let info = StaticInfo {
            processor: cpuinfo
                .as_ref()
                .and_then(|c| c.processor_name(system::device_tree_model(&roots).as_deref())),
            physical_cores: cpu::physical_cores(&roots, cpuinfo.as_ref()),
            cpuinfo_mhz: cpuinfo.as_ref().and_then(|c| c.average_mhz()),
            cpufreq_dirs: cpu::cpufreq_dirs(&roots),
            architecture: system::architecture(),
            libc: system::libc_version(),
            page_size: rustix::param::page_size() as u64,
            board: rpi::Board {
                model: kernel.model.clone().or_else(|| {
                    cpuinfo
                        .as_ref()
                        .and_then(|c| c.board_field("Model").map(str::to_string))
                }),
                revision: cpuinfo
                    .as_ref()
                    .and_then(|c| c.board_field("Revision").map(str::to_string)),
                serial: cpuinfo
                    .as_ref()
                    .and_then(|c| c.board_field("Serial").map(str::to_string)),
            },
            kernel,
        };
        LinuxCollector {
            discovery: DiscoveryCache::new(&roots, REFRESH),
            guard: KernelGuard::default(),
            addresses: addresses::AddressSource::for_roots(&roots),
            cpu_counters: counters::CpuCounterGuard::default(),
            netclass: Default::default(),
            roots,
            disk_path: sources.disk_path.clone(),
            textfile_dir: sources.textfile_dir.clone(),
            info,
        }
    }
}

impl LinuxCollector {
    /// statvfs of the disk path: the one its mount's entry of `filesystems`
    /// already made (guarded as that mount's type needs), else a bounded call.
    fn disk_stat(&self, filesystems: &[Filesystem]) -> Option<crate::snapshot::FsStat> {
        match filesystems
            .iter()
            .find(|f| self.roots.root_path(&f.mount) == self.disk_path)
        {
            Some(f) => f.stat,
            None => self.guard.statvfs(&self.disk_path),
        }
    }
}

impl crate::collect::Collector for LinuxCollector {
    fn read_cpu(&self) -> Option<(CpuReading, u64)> {
        cpu::read_stat(&self.roots)
    }

    fn collect(&self, cpu: &CpuState, now: chrono::DateTime<chrono::Utc>, want: Want) -> Collected {
        let r = &self.roots;
        // node_exporter's collectors' reads, timed for node_scrape_collector_*
        let clock = SourceClock::default();
        let found = self.discovery.get(r);
        let (zones, chips) = sensors::by_collector(&found.sensors);
        let mut sensors = clock.time("thermal_zone", || sensors::read(r, zones));
        let hwmon_dir = clock.time("hwmon", || {
            sensors.extend(sensors::read(r, chips));
            // node_exporter's hwmon fails without the directory (/metrics only)
            want.raw_counters && r.sys_exists("class/hwmon")
        });
        let v4 = self.addresses.read();
        let v6 = r
            .proc("net/if_inet6")
            .map(|t| interfaces::parse_if_inet6(&t))
            .unwrap_or_default();
        let freq = cpu::frequency(r, &self.info.cpufreq_dirs, self.info.cpuinfo_mhz);
        let (meminfo_text, meminfo) = clock.time("meminfo", || {
            let text = r.proc("meminfo");
            let parsed = text.as_deref().and_then(memory::parse_meminfo);
            (text, parsed)
        });
        let vmstat = clock.time("vmstat", || r.proc("vmstat"));
        let net_dev = clock.time("netdev", || {
            r.proc("net/dev").and_then(|t| network::parse_net_dev(&t))
        });
        let mut names: Vec<String> = net_dev
            .as_ref()
            .map(|d| d.0.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        let whole_disks = list_dir(&r.sys_path("block"));
        let diskstats = clock.time("diskstats", || {
            r.proc("diskstats")
                .and_then(|t| disk_io::parse_diskstats(&t))
        });
        let kernel_names = clock.time("uname", || system::Names::read(r, want.raw_counters));
        let filesystems = clock.time("filesystem", || {
            filesystems::read(r, &found.mounts, &self.guard)
        });
        // the running kernel's clock, whatever tree is read
        let timex = clock.time("timex", system_stats_common::timex::read);
        let load_avg = clock.time("loadavg", || {
            r.proc("loadavg").and_then(|t| system::load_avg(&t))
        });
        let os_release = clock.time("os", || found.os_release.clone());
        let snapshot = Snapshot {
            collected_at: crate::units::rfc3339_utc(now),
            cpu: Cpu {
                percent: cpu.window.as_ref().map(|w| w.percent),
                logical_cores: cpu.logical_cores,
                physical_cores: self.info.physical_cores,
                frequency_mhz: freq.current,
                min_frequency_mhz: freq.min,
                max_frequency_mhz: freq.max,
                processor: self.info.processor.clone(),
                per_core: cpu.window.as_ref().map(|w| w.per_core.clone()),
                times_percent: cpu.window.as_ref().map(|w| w.times_percent.clone()),
                temperature_c: sensors::cpu_temperature(&sensors),
            },
            memory: meminfo.as_ref().map(memory::memory),
            swap: meminfo
                .as_ref()
                .map(|m| memory::swap(m, vmstat.as_deref(), self.info.page_size)),
            disk: self
                .disk_stat(&filesystems)
                .map(|s| disk_usage::disk(s, &self.disk_path.to_string_lossy())),
            disk_io: diskstats
                .as_ref()
                .map(|s| disk_io::disk_io(s, &whole_disks)),
            network: Network {
                io_counters: net_dev.as_ref().map(network::io_counters),
                primary_interface: network::primary_interface(
                    r,
                    &found.links,
                    r.proc("net/route").as_deref(),
                    &names,
                    &v4,
                ),
                interfaces: net_dev
                    .as_ref()
                    .map(|d| interfaces::interfaces(r, &found.links, d, &v4, &v6))
                    .unwrap_or_default(),
            },
            uptime: cpu
                .boot_time
                .and_then(|b| crate::platform::shared::uptime(b, now.timestamp())),
            system: System {
                clock_synchronized: timex.map(|t| t.synchronized()),
                ..system::system(
                    &self.info.kernel,
                    &kernel_names,
                    &self.info.architecture,
                    self.info.libc.as_deref(),
                )
            },
            load_avg,
            sensors,
            raspberry_pi: rpi::read(r, &self.info.board, &found.pi),
            filesystems,
            os_release,
        };
        let raw = want.raw_counters.then(|| {
            let stat = clock.time("cpu", || r.proc("stat"));
            let shared = counters::Shared {
                stat_text: stat.as_deref(),
                meminfo_text: meminfo_text.as_deref(),
                diskstats: diskstats.as_ref(),
                net_dev: net_dev.as_ref(),
                kernel: &self.info.kernel,
                names: &kernel_names,
                machine: &self.info.architecture,
            };
            let mut raw = counters::read(r, &shared, &self.cpu_counters, &clock);
            raw.collectors = node_collectors::run(
                r,
                &self.netclass,
                stat.as_deref(),
                vmstat.as_deref(),
                self.info.page_size,
            );
            // vmstat's read is shared with the snapshot's swap
            clock.add_to(&mut raw.collectors);
            if let Some(dir) = &self.textfile_dir {
                let start = std::time::Instant::now();
                raw.textfile = Some(crate::platform::textfile::read(dir));
                // as node_exporter: the collector runs; bad files show in
                // node_textfile_scrape_error
                raw.collectors
                    .push(crate::metrics::node::CollectorRun::read(
                        "textfile",
                        Some(Vec::new()),
                        start.elapsed().as_secs_f64(),
                    ));
            }
            raw.timex = timex;
            // success as node_exporter's collector: its source was read (an
            // existing source with nothing in it, e.g. no sensors, is success)
            raw.sources = vec![
                clock.status("cpu", !raw.cpu_times.is_empty()),
                clock.status("meminfo", !raw.meminfo.is_empty()),
                clock.status("loadavg", snapshot.load_avg.is_some()),
                clock.status("diskstats", diskstats.is_some()),
                clock.status("netdev", net_dev.is_some()),
                clock.status("filesystem", found.mount_table),
                // zones that cannot be read are skipped, never a failure
                clock.status("thermal_zone", true),
                clock.status("hwmon", hwmon_dir),
                clock.status("uname", raw.uname.is_some()),
                clock.status("os", snapshot.os_release.is_some()),
                clock.status("timex", timex.is_some()),
            ];
            raw
        });
        Collected { snapshot, raw }
    }

    fn filesystems(&self) -> Vec<Filesystem> {
        let mounts = filesystems::discover(&self.roots);
        let read = filesystems::read(&self.roots, &mounts, &self.guard);
        self.discovery.set_mounts(mounts);
        read
    }

    fn raspberry_pi(&self) -> Option<crate::snapshot::RaspberryPi> {
        let found = self.discovery.get(&self.roots);
        rpi::read(&self.roots, &self.info.board, &found.pi)
    }
}
