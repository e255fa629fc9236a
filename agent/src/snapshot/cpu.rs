//! The `cpu` and `load_avg` sections (the utilisation window itself is
//! `cpu_usage::TimesPercent`).

use super::TimesPercent;
use serde::Serialize;

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
pub struct LoadAvg {
    pub load1: f64,
    pub load5: f64,
    pub load15: f64,
}
