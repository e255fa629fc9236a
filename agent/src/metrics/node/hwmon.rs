//! node_exporter's `hwmon` collector, temperatures only:
//! `node_hwmon_temp_{celsius,crit_celsius,max_celsius}` per chip and sensor
//! of the snapshot's sensors.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::{SensorOrigin, Snapshot};

pub fn families(snap: &Snapshot, _raw: &RawCounters) -> Vec<MetricFamily> {
    let mut hw = MetricFamily::gauge(
        "node_hwmon_temp_celsius",
        "Hardware monitor for temperature (input)",
    );
    let mut hw_crit = MetricFamily::gauge(
        "node_hwmon_temp_crit_celsius",
        "Hardware monitor for temperature (crit)",
    );
    let mut hw_max = MetricFamily::gauge(
        "node_hwmon_temp_max_celsius",
        "Hardware monitor for temperature (max)",
    );
    for sensor in &snap.sensors {
        if let SensorOrigin::Hwmon { chip, sensor: name } = &sensor.origin {
            let l = || vec![("chip", chip.clone()), ("sensor", name.clone())];
            for (fam, value) in [
                (&mut hw, sensor.current_c),
                (&mut hw_crit, sensor.critical_c),
                (&mut hw_max, sensor.high_c),
            ] {
                if let Some(v) = value {
                    fam.push(l(), v);
                }
            }
        }
    }
    vec![hw, hw_crit, hw_max]
}
