//! CPU sources on Linux: cumulative times from `/proc/stat`, core counts from
//! sysfs topology (else cpuinfo), frequency from cpufreq (else cpuinfo).

use super::cpuinfo::CpuInfo;
use super::files::{list_dir, parse_guarded, Roots};
use crate::cpu_usage::{CpuReading, CpuTimes};
use procfs_core::{ExplicitSystemInfo, FromBufReadSI, KernelStats};

fn times(t: &procfs_core::CpuTime) -> CpuTimes {
    CpuTimes {
        user: t.user,
        nice: t.nice,
        system: t.system,
        idle: t.idle,
        iowait: t.iowait.unwrap_or(0),
        irq: t.irq.unwrap_or(0),
        softirq: t.softirq.unwrap_or(0),
        steal: t.steal.unwrap_or(0),
        guest: t.guest.unwrap_or(0),
        guest_nice: t.guest_nice.unwrap_or(0),
    }
}

/// Parse `/proc/stat` text (raw ticks are kept; the tick rate does not matter).
pub fn parse_stat(text: &str) -> Option<(CpuReading, u64)> {
    let info = ExplicitSystemInfo {
        boot_time_secs: 0,
        ticks_per_second: 100,
        page_size: 4096,
        is_little_endian: cfg!(target_endian = "little"),
    };
    let stats = parse_guarded(text, |b| KernelStats::from_buf_read(b, &info))?;
    let reading = CpuReading {
        total: times(&stats.total),
        per_core: stats.cpu_time.iter().map(times).collect(),
    };
    Some((reading, stats.btime))
}

/// The kernel's number of each per-CPU line of `/proc/stat`, in the order
/// `parse_stat` lists them (offline CPUs have no line, so `cpu0 cpu2` is
/// possible); a line without a number keeps its position as its number.
pub fn stat_cpu_ids(text: &str) -> Vec<u32> {
    text.lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .enumerate()
        .map(|(i, l)| {
            let token = l.split_whitespace().next().unwrap_or("");
            token["cpu".len()..]
                .parse()
                .unwrap_or(u32::try_from(i).unwrap_or(u32::MAX))
        })
        .collect()
}

pub fn read_stat(roots: &Roots) -> Option<(CpuReading, u64)> {
    parse_stat(&roots.proc("stat")?)
}

/// `cpuN` directory names under a sysfs cpu directory, in numeric order.
fn cpu_dirs(roots: &Roots) -> Vec<String> {
    let mut dirs: Vec<(u32, String)> = list_dir(&roots.sys_path("devices/system/cpu"))
        .into_iter()
        .filter_map(|name| {
            let n = name.strip_prefix("cpu")?.parse::<u32>().ok()?;
            Some((n, name))
        })
        .collect();
    dirs.sort();
    dirs.into_iter().map(|(_, name)| name).collect()
}

/// Distinct cores from sysfs topology lists (psutil's method), else from
/// cpuinfo's (physical id, core id) pairs.
pub fn physical_cores(roots: &Roots, cpuinfo: Option<&CpuInfo>) -> Option<u32> {
    for list in ["core_cpus_list", "thread_siblings_list"] {
        let distinct: std::collections::BTreeSet<String> = cpu_dirs(roots)
            .iter()
            .filter_map(|cpu| roots.sys_value(&format!("devices/system/cpu/{cpu}/topology/{list}")))
            .collect();
        if !distinct.is_empty() {
            return Some(distinct.len() as u32);
        }
    }
    cpuinfo.and_then(CpuInfo::physical_cores)
}

/// Current, min and max frequency in MHz.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Frequency {
    pub current: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

fn khz_to_mhz(value: Option<String>) -> Option<f64> {
    value?.parse::<f64>().ok().map(|khz| khz / 1000.0)
}

fn average(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The cpufreq directories (policies, else per-cpu), relative to the sysfs root.
pub fn cpufreq_dirs(roots: &Roots) -> Vec<String> {
    let mut policies: Vec<(u32, String)> = list_dir(&roots.sys_path("devices/system/cpu/cpufreq"))
        .into_iter()
        .filter_map(|name| {
            let n = name.strip_prefix("policy")?.parse::<u32>().ok()?;
            Some((n, format!("devices/system/cpu/cpufreq/{name}")))
        })
        .collect();
    policies.sort();
    if !policies.is_empty() {
        return policies.into_iter().map(|(_, p)| p).collect();
    }
    cpu_dirs(roots)
        .into_iter()
        .map(|cpu| format!("devices/system/cpu/{cpu}/cpufreq"))
        .filter(|dir| roots.sys_path(dir).is_dir())
        .collect()
}

/// Averages over cpufreq directories as psutil's cpu_freq(); cpuinfo's
/// "cpu MHz" when there is no cpufreq (min/max then unknown).
pub fn frequency(roots: &Roots, dirs: &[String], cpuinfo_mhz: Option<f64>) -> Frequency {
    let (mut cur, mut min, mut max) = (Vec::new(), Vec::new(), Vec::new());
    for dir in dirs {
        let current = khz_to_mhz(roots.sys_value(&format!("{dir}/scaling_cur_freq")))
            .or_else(|| khz_to_mhz(roots.sys_value(&format!("{dir}/cpuinfo_cur_freq"))));
        cur.extend(current);
        min.extend(khz_to_mhz(
            roots.sys_value(&format!("{dir}/scaling_min_freq")),
        ));
        max.extend(khz_to_mhz(
            roots.sys_value(&format!("{dir}/scaling_max_freq")),
        ));
    }
    Frequency {
        current: average(&cur).or(cpuinfo_mhz),
        min: average(&min),
        max: average(&max),
    }
}
