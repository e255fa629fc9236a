//! The `/system` snapshot: the JSON document the seed's dashboard and the
//! forwarder read. Every field that a platform cannot measure is `None` and
//! serializes as `null`; keys never disappear.

use serde::Serialize;

pub use crate::cpu_usage::TimesPercent;
pub use crate::snapshot_sections::{
    Filesystem, FsStat, Interface, MmcWear, OsRelease, RaspberryPi, Sensor, SensorOrigin, Throttled,
};

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Snapshot {
    pub collected_at: String,
    pub cpu: Cpu,
    pub memory: Option<Memory>,
    pub swap: Option<Swap>,
    pub disk: Option<Disk>,
    pub disk_io: Option<DiskIo>,
    pub network: Network,
    pub uptime: Option<Uptime>,
    pub system: System,
    pub load_avg: Option<LoadAvg>,
    /// Every temperature sensor (thermal zones, then hwmon), in discovery order.
    pub sensors: Vec<Sensor>,
    /// Board health on a Raspberry Pi; null on other hardware.
    pub raspberry_pi: Option<RaspberryPi>,
    /// Every real mounted filesystem (no pseudo/virtual filesystems).
    pub filesystems: Vec<Filesystem>,
    /// The distribution, from `/etc/os-release`.
    pub os_release: Option<OsRelease>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Cpu {
    pub percent: Option<f64>,
    pub logical_cores: Option<u32>,
    pub physical_cores: Option<u32>,
    pub frequency_mhz: Option<f64>,
    pub min_frequency_mhz: Option<f64>,
    pub max_frequency_mhz: Option<f64>,
    pub processor: Option<String>,
    /// Busy percent of each logical CPU over the latest window.
    pub per_core: Option<Vec<f64>>,
    /// Share of each CPU mode over the latest window (psutil's cpu_times_percent).
    pub times_percent: Option<TimesPercent>,
    /// The SoC/CPU package sensor in °C; null when there is none.
    pub temperature_c: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Memory {
    pub total: u64,
    pub available: u64,
    pub percent: f64,
    pub used: u64,
    pub free: u64,
    pub active: Option<u64>,
    pub inactive: Option<u64>,
    pub buffers: Option<u64>,
    pub cached: Option<u64>,
    pub shared: Option<u64>,
    pub slab: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Swap {
    pub total: u64,
    pub used: u64,
    pub free: u64,
    pub percent: f64,
    pub sin: Option<u64>,
    pub sout: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Disk {
    pub total: u64,
    pub used: u64,
    pub free: u64,
    pub percent: f64,
    pub mount: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DiskIo {
    pub read_count: u64,
    pub write_count: u64,
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub read_time: u64,
    pub write_time: u64,
    pub read_merged_count: u64,
    pub write_merged_count: u64,
    pub busy_time: u64,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Network {
    pub io_counters: Option<NetIoCounters>,
    pub primary_interface: Option<PrimaryInterface>,
    /// Every up, non-loopback interface.
    pub interfaces: Vec<Interface>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct NetIoCounters {
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub packets_sent: u64,
    pub packets_recv: u64,
    pub errin: u64,
    pub errout: u64,
    pub dropin: u64,
    pub dropout: u64,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct PrimaryInterface {
    pub name: String,
    pub ipv4: Option<String>,
    pub netmask: Option<String>,
    pub broadcast: Option<String>,
    pub speed_mbps: Option<u64>,
    pub mtu: Option<u32>,
    pub duplex: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Uptime {
    pub seconds: u64,
    pub boot_time: String,
    pub human: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct System {
    pub hostname: Option<String>,
    pub os: String,
    pub os_release: Option<String>,
    pub os_version: Option<String>,
    pub architecture: Option<String>,
    pub platform: Option<String>,
    pub model: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct LoadAvg {
    pub load1: f64,
    pub load5: f64,
    pub load15: f64,
}
