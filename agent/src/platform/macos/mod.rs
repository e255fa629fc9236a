//! The macOS collector: a thin shim over sysctl(3) (the `sysctl` crate),
//! Mach host statistics and getloadavg(3). It only fetches raw values; all
//! parsing and psutil arithmetic live in `platform::macos_parse`, which is
//! compiled and unit-tested on every platform. The unsafe calls are in `ffi`.
//!
//! Not covered on macOS: disk_io (needs IOKit), temperatures, filesystems
//! and Raspberry Pi facts; those fields stay null/empty.

mod ffi;

use super::macos_parse as parse;
use super::shared::{self, kernel_addresses};
use super::{disk_usage, Sources};
use crate::collect::guard::KernelGuard;
use crate::collect::{Collected, Want};
use crate::cpu_usage::{CpuReading, CpuState};
use crate::metrics::RawCounters;
use crate::snapshot::{Cpu, Network, Snapshot, System};
use std::path::PathBuf;
use sysctl::{Ctl, CtlValue, Sysctl};

/// One sysctl by name; None when it does not exist (e.g. hw.cpufrequency on
/// Apple silicon) or cannot be read.
fn value(name: &str) -> Option<CtlValue> {
    Ctl::new(name).ok()?.value().ok()
}

/// Integer sysctls come back as whichever variant their format declares
/// ("I", "IU", "L", "LU", "Q" → Int, Uint, Long, Ulong, S64).
fn value_u64(name: &str) -> Option<u64> {
    match value(name)? {
        CtlValue::Int(v) | CtlValue::S32(v) => u64::try_from(v).ok(),
        CtlValue::Uint(v) | CtlValue::U32(v) => Some(v as u64),
        CtlValue::Long(v) | CtlValue::S64(v) => u64::try_from(v).ok(),
        CtlValue::Ulong(v) | CtlValue::U64(v) => Some(v),
        CtlValue::U16(v) => Some(v as u64),
        CtlValue::U8(v) => Some(v as u64),
        _ => None,
    }
}

fn value_string(name: &str) -> Option<String> {
    match value(name)? {
        CtlValue::String(s) => parse::non_empty(&s),
        _ => None,
    }
}

/// kern.boottime: the sysctl crate returns the raw `struct timeval` as
/// CtlValue::Struct (format "S,timeval"); accept the text form too.
fn boot_time() -> Option<u64> {
    match value("kern.boottime")? {
        CtlValue::Struct(b) | CtlValue::Node(b) => parse::boot_time_from_timeval(&b),
        CtlValue::String(s) => parse::boot_time_from_text(&s),
        _ => None,
    }
}

/// vm.swapusage: the raw `struct xsw_usage` (format "S,xsw_usage"), or the
/// text `sysctl vm.swapusage` prints.
fn swap_usage() -> Option<parse::SwapUsage> {
    match value("vm.swapusage")? {
        CtlValue::Struct(b) | CtlValue::Node(b) => parse::swap_usage_from_struct(&b),
        CtlValue::String(s) => parse::swap_usage_from_text(&s),
        _ => None,
    }
}

/// Facts read once at start-up: they do not change while the host runs.
#[derive(Debug, Clone)]
struct StaticInfo {
    processor: Option<String>,
    physical_cores: Option<u32>,
    logical_cores: Option<u32>,
    frequency_mhz: Option<f64>,
    min_frequency_mhz: Option<f64>,
    max_frequency_mhz: Option<f64>,
    memory_total: Option<u64>,
    page_size: u64,
    os_release: Option<String>,
    os_version: Option<String>,
    architecture: Option<String>,
    platform: String,
    model: Option<String>,
}

pub struct MacosCollector {
    disk_path: PathBuf,
    textfile_dir: Option<PathBuf>,
    guard: KernelGuard,
    host: libc::mach_port_t,
    info: StaticInfo,
}

impl MacosCollector {
    /// `sources.procfs`/`sysfs` do not exist on macOS and are ignored.
    pub fn new(sources: &Sources) -> MacosCollector {
        let u32_of = |name: &str| value_u64(name).and_then(|v| u32::try_from(v).ok());
        let mhz = |name: &str| value_u64(name).and_then(parse::hz_to_mhz);
        let os_release = value_string("kern.osrelease");
        let architecture = value_string("hw.machine");
        let info = StaticInfo {
            processor: value_string("machdep.cpu.brand_string"),
            physical_cores: u32_of("hw.physicalcpu"),
            logical_cores: u32_of("hw.logicalcpu").or_else(|| u32_of("hw.ncpu")),
            frequency_mhz: mhz("hw.cpufrequency"),
            min_frequency_mhz: mhz("hw.cpufrequency_min"),
            max_frequency_mhz: mhz("hw.cpufrequency_max"),
            memory_total: value_u64("hw.memsize"),
            page_size: rustix::param::page_size() as u64,
            platform: parse::platform_string(
                value_string("kern.osproductversion").as_deref(),
                os_release.as_deref(),
                architecture.as_deref(),
            ),
            os_version: value_string("kern.version"),
            model: value_string("hw.model"),
            os_release,
            architecture,
        };
        MacosCollector {
            disk_path: sources.disk_path.clone(),
            textfile_dir: sources.textfile_dir.clone(),
            guard: KernelGuard::default(),
            host: ffi::host_port(),
            info,
        }
    }
}

impl crate::collect::Collector for MacosCollector {
    /// Cumulative CPU ticks (user, system, idle, nice per core) and the boot
    /// time, for the background sampler.
    fn read_cpu(&self) -> Option<(CpuReading, u64)> {
        let ticks = ffi::cpu_load_ticks(self.host)?;
        Some((parse::cpu_reading(&ticks), boot_time().unwrap_or(0)))
    }

    /// macOS has no raw counters yet: a metrics collection gets the empty set
    /// plus the textfile collector's files.
    fn collect(&self, cpu: &CpuState, now: chrono::DateTime<chrono::Utc>, want: Want) -> Collected {
        Collected {
            snapshot: self.snapshot(cpu, now),
            raw: want.raw_counters.then(|| RawCounters {
                textfile: self
                    .textfile_dir
                    .as_deref()
                    .map(crate::platform::textfile::read),
                ..Default::default()
            }),
        }
    }
}

impl MacosCollector {
    /// The snapshot, read now; `cpu` is the sampler's latest state. Sections
    /// macOS does not provide (sensors, filesystems, Raspberry Pi, os-release)
    /// keep their defaults (empty/null).
    #[allow(clippy::needless_update)] // robust to sections added later
    fn snapshot(&self, cpu: &CpuState, now: chrono::DateTime<chrono::Utc>) -> Snapshot {
        let info = &self.info;
        let pages = ffi::vm_pages(self.host);
        let ifaces = ffi::iflist2().map(|b| parse::parse_iflist2(&b));
        let addresses = kernel_addresses();
        Snapshot {
            collected_at: crate::units::rfc3339_utc(now),
            cpu: Cpu {
                percent: cpu.window.as_ref().map(|w| w.percent),
                logical_cores: cpu.logical_cores.or(info.logical_cores),
                physical_cores: info.physical_cores,
                frequency_mhz: info.frequency_mhz,
                min_frequency_mhz: info.min_frequency_mhz,
                max_frequency_mhz: info.max_frequency_mhz,
                processor: info.processor.clone(),
                per_core: cpu.window.as_ref().map(|w| w.per_core.clone()),
                times_percent: cpu.window.as_ref().map(|w| w.times_percent.clone()),
                // no SMC sensor reading on macOS
                temperature_c: None,
            },
            memory: info
                .memory_total
                .zip(pages.as_ref())
                .map(|(total, p)| parse::memory(total, p, info.page_size)),
            swap: swap_usage().map(|u| parse::swap(u, pages.as_ref(), info.page_size)),
            disk: self
                .guard
                .statvfs(&self.disk_path)
                .map(|s| disk_usage::disk(s, &self.disk_path.to_string_lossy())),
            // per-disk counters need IOKit (out of scope): null
            disk_io: None,
            network: Network {
                io_counters: ifaces.as_deref().map(parse::io_counters),
                primary_interface: ifaces
                    .as_deref()
                    .and_then(|i| parse::primary_interface(i, &addresses)),
                interfaces: ifaces
                    .as_deref()
                    .map(|i| parse::interfaces(i, &addresses))
                    .unwrap_or_default(),
            },
            uptime: cpu
                .boot_time
                .or_else(boot_time)
                .and_then(|b| shared::uptime(b, now.timestamp())),
            system: System {
                hostname: value_string("kern.hostname"),
                os: "Darwin".into(),
                os_release: info.os_release.clone(),
                os_version: info.os_version.clone(),
                architecture: info.architecture.clone(),
                platform: Some(info.platform.clone()),
                model: info.model.clone(),
                ..Default::default()
            },
            load_avg: ffi::load_average().and_then(parse::load_avg),
            ..Default::default()
        }
    }
}
