//! The board: temperature `sensors` and Raspberry Pi health (`raspberry_pi`).

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
