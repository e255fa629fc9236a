//! The `/system` snapshot: the JSON document the seed's dashboard and the
//! forwarder read, one module per domain. Every field that a platform cannot
//! measure is `None` and serializes as `null`; keys never disappear.

pub mod board;
pub mod cpu;
pub mod memory;
pub mod network;
pub mod os;
pub mod storage;

use serde::Serialize;

pub use crate::cpu_usage::TimesPercent;
pub use board::{MmcWear, RaspberryPi, Sensor, SensorOrigin, Throttled};
pub use cpu::{Cpu, LoadAvg};
pub use memory::{Memory, Swap};
pub use network::{Interface, NetIoCounters, Network, PrimaryInterface};
pub use os::{OsRelease, System, Uptime};
pub use storage::{Disk, DiskIo, Filesystem, FsStat};

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
