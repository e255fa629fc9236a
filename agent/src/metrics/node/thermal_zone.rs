//! node_exporter's `thermal_zone` collector: `node_thermal_zone_temp` per
//! zone of the snapshot's sensors.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::{SensorOrigin, Snapshot};

pub fn families(snap: &Snapshot, _raw: &RawCounters) -> Vec<MetricFamily> {
    let mut zone = MetricFamily::gauge("node_thermal_zone_temp", "Zone temperature in Celsius");
    for sensor in &snap.sensors {
        if let SensorOrigin::ThermalZone { zone: z } = &sensor.origin {
            if let Some(c) = sensor.current_c {
                zone.push(vec![("type", sensor.name.clone()), ("zone", z.clone())], c);
            }
        }
    }
    vec![zone]
}
