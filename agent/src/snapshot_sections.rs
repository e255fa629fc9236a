//! The snapshot sections added after the seed: temperature sensors, Raspberry
//! Pi board health, per-interface network facts, every real filesystem and
//! the distribution. Re-exported from `snapshot`; every unknown is `null`.

use serde::Serialize;

/// Where a sensor was read, kept for the node_exporter-compatible metric labels.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SensorOrigin {
    /// `/sys/class/thermal/thermal_zone<zone>`.
    ThermalZone { zone: String },
    /// `/sys/class/hwmon/hwmonN/temp<k>_*`: node_exporter's `chip` and `sensor` labels.
    Hwmon { chip: String, sensor: String },
    #[default]
    Unknown,
}

/// One temperature sensor.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Sensor {
    /// Thermal zone type (`cpu-thermal`) or hwmon chip name (`coretemp`).
    pub name: String,
    /// The hwmon `tempN_label` (`Package id 0`, `Tctl`); null when the chip has none.
    pub label: Option<String>,
    /// Where it was read: `thermal_zone0` or `hwmon1/temp2`.
    pub source: String,
    pub current_c: Option<f64>,
    /// hwmon `tempN_max`, or a thermal zone's `hot` trip point.
    pub high_c: Option<f64>,
    /// hwmon `tempN_crit`, or a thermal zone's `critical` trip point.
    pub critical_c: Option<f64>,
    #[serde(skip)]
    pub origin: SensorOrigin,
}

/// The firmware's `get_throttled` bitfield, decoded.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct Throttled {
    /// The file's text (hex without `0x`, e.g. `50005`).
    pub raw: String,
    pub value: u32,
    pub under_voltage_now: bool,
    pub arm_frequency_capped_now: bool,
    pub throttled_now: bool,
    pub soft_temperature_limit_now: bool,
    pub under_voltage_since_boot: bool,
    pub arm_frequency_capped_since_boot: bool,
    pub throttled_since_boot: bool,
    pub soft_temperature_limit_since_boot: bool,
}

/// An SD card or eMMC (`/sys/class/mmc_host/mmcN/mmcN:RCA`); the wear fields
/// exist on eMMC only (SD cards do not report wear).
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct MmcWear {
    pub device: String,
    pub name: Option<String>,
    /// `SD`, `MMC` (eMMC) or `SDIO`.
    pub kind: Option<String>,
    /// 1 normal, 2 warning (80 % of reserved blocks used), 3 urgent.
    pub pre_eol_info: Option<u8>,
    /// Estimated life used, types A and B: level n means (n-1)*10 to n*10 %, 11 exceeded.
    pub life_time: Option<[u8; 2]>,
}

/// Raspberry Pi board facts and health.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct RaspberryPi {
    pub model: Option<String>,
    pub revision: Option<String>,
    pub serial: Option<String>,
    pub throttled: Option<Throttled>,
    /// `rpi_volt` hwmon `in0_lcrit_alarm`: the PMIC saw under-voltage.
    pub under_voltage_alarm: Option<bool>,
    pub storage: Vec<MmcWear>,
}

/// One up, non-loopback network interface.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Interface {
    pub name: String,
    /// veth, docker, bridges, tun/tap and other software interfaces.
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    pub ipv4: Option<String>,
    /// The first global address, else the first link-local one.
    pub ipv6: Option<String>,
    pub mac: Option<String>,
    pub speed_mbps: Option<u64>,
    pub mtu: Option<u32>,
    pub duplex: String,
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub packets_sent: u64,
    pub packets_recv: u64,
    pub errin: u64,
    pub errout: u64,
    pub dropin: u64,
    pub dropout: u64,
}

/// statvfs numbers kept for the node_exporter-compatible metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FsStat {
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub bsize: u64,
    pub frsize: u64,
    pub files: u64,
    pub ffree: u64,
}

/// One real mounted filesystem; sizes are null when statvfs fails.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Filesystem {
    /// The block device (`/dev/root` resolved to the real one), or the source.
    pub device: String,
    pub mount: String,
    pub fstype: String,
    pub readonly: bool,
    pub total: Option<u64>,
    pub used: Option<u64>,
    pub free: Option<u64>,
    pub percent: Option<f64>,
    #[serde(skip)]
    pub stat: Option<FsStat>,
}

/// `/etc/os-release` (else `/usr/lib/os-release`); absent keys are null.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct OsRelease {
    pub pretty_name: Option<String>,
    pub name: Option<String>,
    pub id: Option<String>,
    pub id_like: Option<String>,
    pub version: Option<String>,
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    pub build_id: Option<String>,
    pub variant: Option<String>,
    pub variant_id: Option<String>,
    pub image_id: Option<String>,
    pub image_version: Option<String>,
}
