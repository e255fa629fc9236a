//! Temperature sensors: thermal zones and hwmon chips are discovered (with
//! their static thresholds) on a slow cadence; each snapshot only reads the
//! current values. Also picks the SoC/CPU sensor for `cpu.temperature_c`.

use super::files::{list_dir, Roots};
use crate::snapshot::{Sensor, SensorOrigin};

/// A discovered sensor: everything but the current value, plus where to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorSpec {
    pub sensor: Sensor,
    /// The `temp`/`tempN_input` file, relative to the sysfs root.
    pub input: String,
}

/// Thermal zone types of the Raspberry Pi SoC sensor across kernels.
const PI_ZONE_TYPES: &[&str] = &["cpu-thermal", "cpu_thermal", "bcm2835_thermal"];

/// A millidegree sysfs value in °C (`48686` → 48.686).
pub fn millidegrees(text: &str) -> Option<f64> {
    let v = text.trim().parse::<i64>().ok()?;
    Some(v as f64 / 1000.0)
}

/// `thermal_zone3` → 3; `hwmon12` → 12.
fn numbered(name: &str, prefix: &str) -> Option<u32> {
    name.strip_prefix(prefix)?.parse().ok()
}

fn sorted_numbered(names: Vec<String>, prefix: &str) -> Vec<(u32, String)> {
    let mut v: Vec<(u32, String)> = names
        .into_iter()
        .filter_map(|n| Some((numbered(&n, prefix)?, n)))
        .collect();
    v.sort();
    v
}

/// node_exporter's cleanMetricName: lower case, `[^a-z0-9:_]` → `_`, trimmed of `_`.
pub fn clean_name(name: &str) -> String {
    let replaced: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    replaced.trim_matches('_').to_string()
}

/// node_exporter's hwmon chip name: `<bus>_<device>` from the `device` link's
/// target, else the cleaned `name` file, else `hwmonN`.
pub fn chip_name(device_target: Option<&std::path::Path>, name: Option<&str>, dir: &str) -> String {
    if let Some(target) = device_target {
        let dev = target
            .file_name()
            .map(|n| clean_name(&n.to_string_lossy()))
            .unwrap_or_default();
        let bus = target
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| clean_name(&n.to_string_lossy()))
            .unwrap_or_default();
        if !bus.is_empty() && !dev.is_empty() {
            return format!("{bus}_{dev}");
        }
        if !dev.is_empty() {
            return dev;
        }
    }
    name.map(clean_name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| clean_name(dir))
}

fn thermal_zones(roots: &Roots) -> Vec<SensorSpec> {
    let mut out = Vec::new();
    for (n, dir) in sorted_numbered(list_dir(&roots.sys_path("class/thermal")), "thermal_zone") {
        let base = format!("class/thermal/{dir}");
        let Some(kind) = roots.sys_value(&format!("{base}/type")) else {
            continue;
        };
        let (mut high, mut critical) = (None, None);
        for i in 0..32 {
            let Some(trip) = roots.sys_value(&format!("{base}/trip_point_{i}_type")) else {
                break;
            };
            let temp = roots
                .sys_value(&format!("{base}/trip_point_{i}_temp"))
                .and_then(|t| millidegrees(&t));
            match trip.as_str() {
                "critical" => critical = critical.or(temp),
                "hot" => high = high.or(temp),
                _ => {}
            }
        }
        out.push(SensorSpec {
            sensor: Sensor {
                name: kind,
                label: None,
                source: dir.clone(),
                current_c: None,
                high_c: high,
                critical_c: critical,
                origin: SensorOrigin::ThermalZone {
                    zone: n.to_string(),
                },
            },
            input: format!("{base}/temp"),
        });
    }
    out
}

fn hwmon_chips(roots: &Roots) -> Vec<SensorSpec> {
    let mut out = Vec::new();
    for (_, dir) in sorted_numbered(list_dir(&roots.sys_path("class/hwmon")), "hwmon") {
        let base = format!("class/hwmon/{dir}");
        let name = roots.sys_value(&format!("{base}/name"));
        let chip = chip_name(
            roots.sys_canonical(&format!("{base}/device")).as_deref(),
            name.as_deref(),
            &dir,
        );
        // some drivers keep the attributes in the device directory
        let mut attr_dir = base.clone();
        let mut inputs = temp_inputs(list_dir(&roots.sys_path(&base)));
        if inputs.is_empty() {
            attr_dir = format!("{base}/device");
            inputs = temp_inputs(list_dir(&roots.sys_path(&attr_dir)));
        }
        for k in inputs {
            let value = |suffix: &str| roots.sys_value(&format!("{attr_dir}/temp{k}_{suffix}"));
            out.push(SensorSpec {
                sensor: Sensor {
                    name: name.clone().unwrap_or_else(|| dir.clone()),
                    label: value("label").filter(|l| !l.is_empty()),
                    source: format!("{dir}/temp{k}"),
                    current_c: None,
                    high_c: value("max").and_then(|t| millidegrees(&t)),
                    critical_c: value("crit").and_then(|t| millidegrees(&t)),
                    origin: SensorOrigin::Hwmon {
                        chip: chip.clone(),
                        sensor: format!("temp{k}"),
                    },
                },
                input: format!("{attr_dir}/temp{k}_input"),
            });
        }
    }
    out
}

/// The N of every `tempN_input`, sorted.
fn temp_inputs(names: Vec<String>) -> Vec<u32> {
    let mut v: Vec<u32> = names
        .iter()
        .filter_map(|n| n.strip_prefix("temp")?.strip_suffix("_input")?.parse().ok())
        .collect();
    v.sort();
    v
}

/// Every temperature sensor: thermal zones first, then hwmon chips.
pub fn discover(roots: &Roots) -> Vec<SensorSpec> {
    let mut all = thermal_zones(roots);
    all.extend(hwmon_chips(roots));
    all
}

/// The thermal zones and the hwmon chips of the discovered sensors (which
/// `discover` lists in that order), read by node_exporter's `thermal_zone`
/// and `hwmon` collectors.
pub fn by_collector(specs: &[SensorSpec]) -> (&[SensorSpec], &[SensorSpec]) {
    specs.split_at(
        specs.partition_point(|s| matches!(s.sensor.origin, SensorOrigin::ThermalZone { .. })),
    )
}

/// The discovered sensors with their current values.
pub fn read(roots: &Roots, specs: &[SensorSpec]) -> Vec<Sensor> {
    specs
        .iter()
        .map(|s| Sensor {
            current_c: roots.sys_value(&s.input).and_then(|t| millidegrees(&t)),
            ..s.sensor.clone()
        })
        .collect()
}

/// The SoC/CPU temperature: a Raspberry Pi thermal zone (or its hwmon twin),
/// else Intel `coretemp` (Package id 0, else its first input), else AMD
/// `k10temp` (Tctl, else its first input).
pub fn cpu_temperature(sensors: &[Sensor]) -> Option<f64> {
    let zone = |s: &&Sensor| matches!(s.origin, SensorOrigin::ThermalZone { .. });
    let hwmon = |s: &&Sensor| matches!(s.origin, SensorOrigin::Hwmon { .. });
    let valued = |s: &&Sensor| s.current_c.is_some();
    let pi = sensors
        .iter()
        .filter(valued)
        .filter(zone)
        .find(|s| PI_ZONE_TYPES.contains(&s.name.as_str()))
        .or_else(|| {
            sensors
                .iter()
                .filter(valued)
                .filter(hwmon)
                .find(|s| PI_ZONE_TYPES.contains(&s.name.as_str()))
        });
    let chip = |chip: &str, label: &str| {
        let of_chip = || {
            sensors
                .iter()
                .filter(valued)
                .filter(hwmon)
                .filter(move |s| s.name == chip)
        };
        of_chip()
            .find(|s| s.label.as_deref() == Some(label))
            .or_else(|| of_chip().next())
    };
    pi.or_else(|| chip("coretemp", "Package id 0"))
        .or_else(|| chip("k10temp", "Tctl"))
        .and_then(|s| s.current_c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sensor(name: &str, label: Option<&str>, c: f64, zone: bool) -> Sensor {
        Sensor {
            name: name.into(),
            label: label.map(str::to_string),
            current_c: Some(c),
            origin: if zone {
                SensorOrigin::ThermalZone { zone: "0".into() }
            } else {
                SensorOrigin::Hwmon {
                    chip: name.into(),
                    sensor: "temp1".into(),
                }
            },
            ..Default::default()
        }
    }

    #[test]
    fn zones_then_chips_split_by_collector() {
        let spec = |zone: bool, input: &str| SensorSpec {
            sensor: sensor("x", None, 1.0, zone),
            input: input.into(),
        };
        let specs = [spec(true, "z0"), spec(true, "z1"), spec(false, "h0")];
        let (zones, chips) = by_collector(&specs);
        assert_eq!((zones.len(), chips.len()), (2, 1));
        assert_eq!(chips[0].input, "h0");
        let (zones, chips) = by_collector(&specs[2..]);
        assert_eq!((zones.len(), chips.len()), (0, 1));
        assert_eq!(by_collector(&[]).0.len(), 0);
    }

    #[test]
    fn millidegrees_parse() {
        assert_eq!(millidegrees("48686\n"), Some(48.686));
        assert_eq!(millidegrees("-5000"), Some(-5.0));
        assert_eq!(millidegrees(""), None);
        assert_eq!(millidegrees("hot"), None);
    }

    #[test]
    fn chip_names_follow_node_exporter() {
        assert_eq!(
            chip_name(
                Some(Path::new("/sys/devices/platform/coretemp.0")),
                Some("coretemp"),
                "hwmon1"
            ),
            "platform_coretemp_0"
        );
        assert_eq!(
            chip_name(None, Some("cpu_thermal"), "hwmon0"),
            "cpu_thermal"
        );
        assert_eq!(chip_name(None, Some("Foo-Bar "), "hwmon0"), "foo_bar");
        assert_eq!(chip_name(None, None, "hwmon7"), "hwmon7");
    }

    #[test]
    fn cpu_temperature_prefers_the_pi_zone_then_coretemp_package_then_k10temp() {
        let pi = [
            sensor("acpitz", None, 30.0, true),
            sensor("cpu-thermal", None, 48.686, true),
        ];
        assert_eq!(cpu_temperature(&pi), Some(48.686));
        let intel = [
            sensor("acpitz", None, 30.0, true),
            sensor("coretemp", Some("Core 0"), 51.0, false),
            sensor("coretemp", Some("Package id 0"), 55.0, false),
        ];
        assert_eq!(cpu_temperature(&intel), Some(55.0));
        let amd = [
            sensor("k10temp", Some("Tccd1"), 60.0, false),
            sensor("k10temp", Some("Tctl"), 62.5, false),
        ];
        assert_eq!(cpu_temperature(&amd), Some(62.5));
        assert_eq!(cpu_temperature(&[sensor("acpitz", None, 30.0, true)]), None);
        assert_eq!(cpu_temperature(&[]), None);
    }

    #[test]
    fn temp_inputs_are_numeric_and_sorted() {
        let names = [
            "temp10_input",
            "temp2_input",
            "temp2_label",
            "in0_input",
            "temp_input",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(temp_inputs(names), vec![2, 10]);
    }
}
