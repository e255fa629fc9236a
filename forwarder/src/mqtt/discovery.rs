//! Pure Home Assistant MQTT discovery: the device (from a snapshot), the
//! retained config of each entity, and the state JSON they read. Entities
//! are named as on the status page; `device_class`, `unit_of_measurement`
//! and `state_class` follow Home Assistant's sensor documentation.

use serde_json::{json, Map, Value};

/// Who this host is to Home Assistant.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// Stable identifier: the Pi's serial, else the machine-id, else the hostname.
    pub id: String,
    pub hostname: String,
    pub model: Option<String>,
    /// The topic prefix of this host: `system-stats/<hostname>`.
    pub base: String,
}

impl Device {
    /// From a snapshot and `/etc/machine-id`'s contents (when readable).
    pub fn from_snapshot(snapshot: &Value, machine_id: Option<&str>) -> Option<Device> {
        let hostname = snapshot
            .pointer("/system/hostname")
            .and_then(Value::as_str)
            .filter(|h| !h.is_empty())?
            .to_string();
        let serial = snapshot
            .pointer("/raspberry_pi/serial")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let id = serial
            .or(machine_id.map(str::trim).filter(|m| !m.is_empty()))
            .unwrap_or(&hostname);
        let model = ["/raspberry_pi/model", "/system/model", "/cpu/processor"]
            .iter()
            .find_map(|p| snapshot.pointer(p).and_then(Value::as_str))
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        Some(Device {
            id: topic_safe(id),
            base: format!("system-stats/{}", topic_safe(&hostname)),
            hostname,
            model,
        })
    }

    pub fn state_topic(&self) -> String {
        format!("{}/state", self.base)
    }

    pub fn availability_topic(&self) -> String {
        format!("{}/availability", self.base)
    }
}

/// Letters, digits, `_` and `-` only (safe in topics and HA object ids).
pub fn topic_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One entity: (component, object id, name, value key in the state, extra fields).
struct Entity {
    component: &'static str,
    object: &'static str,
    name: &'static str,
    extra: fn() -> Value,
}

const SENSORS: &[Entity] = &[
    Entity {
        component: "sensor",
        object: "cpu",
        name: "CPU",
        extra: || json!({"unit_of_measurement": "%", "state_class": "measurement", "icon": "mdi:cpu-64-bit"}),
    },
    Entity {
        component: "sensor",
        object: "memory",
        name: "Memory",
        extra: || json!({"unit_of_measurement": "%", "state_class": "measurement", "icon": "mdi:memory"}),
    },
    Entity {
        component: "sensor",
        object: "disk",
        name: "Disk",
        extra: || json!({"unit_of_measurement": "%", "state_class": "measurement", "icon": "mdi:harddisk"}),
    },
    Entity {
        component: "sensor",
        object: "temperature",
        name: "Temperature",
        extra: || json!({"device_class": "temperature", "unit_of_measurement": "°C", "state_class": "measurement"}),
    },
    Entity {
        component: "sensor",
        object: "load",
        name: "Load",
        extra: || json!({"state_class": "measurement", "icon": "mdi:gauge"}),
    },
    Entity {
        component: "sensor",
        object: "uptime",
        name: "Uptime",
        extra: || json!({"device_class": "duration", "unit_of_measurement": "s", "state_class": "total_increasing", "entity_category": "diagnostic"}),
    },
    Entity {
        component: "sensor",
        object: "network_rx",
        name: "Network receive",
        extra: || json!({"device_class": "data_rate", "unit_of_measurement": "kB/s", "state_class": "measurement"}),
    },
    Entity {
        component: "sensor",
        object: "network_tx",
        name: "Network transmit",
        extra: || json!({"device_class": "data_rate", "unit_of_measurement": "kB/s", "state_class": "measurement"}),
    },
    Entity {
        component: "binary_sensor",
        object: "under_voltage",
        name: "Under-voltage",
        extra: || json!({"device_class": "problem"}),
    },
    Entity {
        component: "binary_sensor",
        object: "throttled",
        name: "Throttled",
        extra: || json!({"device_class": "problem"}),
    },
    Entity {
        component: "binary_sensor",
        object: "storage_errors",
        name: "Storage errors",
        extra: || json!({"device_class": "problem"}),
    },
];

/// The retained discovery configs: (topic, payload). Temperature only when
/// `state` has one; `sw_version` is this forwarder's version.
pub fn configs(device: &Device, prefix: &str, state: &Value) -> Vec<(String, String)> {
    let device_json = json!({
        "identifiers": [format!("system-stats-{}", device.id)],
        "name": device.hostname,
        "model": device.model.clone().unwrap_or_else(|| "unknown".into()),
        "manufacturer": "system-stats",
        "sw_version": env!("CARGO_PKG_VERSION"),
    });
    let node = format!("system_stats_{}", device.id);
    SENSORS
        .iter()
        .filter(|e| e.object != "temperature" || state["temperature"].is_number())
        .map(|e| {
            let template = if e.component == "binary_sensor" {
                format!("{{{{ 'ON' if value_json.{} else 'OFF' }}}}", e.object)
            } else {
                format!("{{{{ value_json.{} }}}}", e.object)
            };
            let mut config = Map::new();
            config.insert("name".into(), json!(e.name));
            config.insert("unique_id".into(), json!(format!("{node}_{}", e.object)));
            config.insert(
                "object_id".into(),
                json!(format!("{}_{}", topic_safe(&device.hostname), e.object)),
            );
            config.insert("state_topic".into(), json!(device.state_topic()));
            config.insert("value_template".into(), json!(template));
            config.insert(
                "availability_topic".into(),
                json!(device.availability_topic()),
            );
            config.insert("device".into(), device_json.clone());
            if let Value::Object(extra) = (e.extra)() {
                config.extend(extra);
            }
            (
                format!("{prefix}/{}/{node}/{}/config", e.component, e.object),
                Value::Object(config).to_string(),
            )
        })
        .collect()
}

/// Network byte counters from a snapshot: (received, sent), physical
/// interfaces when listed, else the totals.
pub fn network_bytes(snapshot: &Value) -> Option<(f64, f64)> {
    if let Some(list) = snapshot
        .pointer("/network/interfaces")
        .and_then(Value::as_array)
    {
        let physical = list.iter().filter(|i| i["virtual"] != json!(true));
        let (mut rx, mut tx, mut any) = (0.0, 0.0, false);
        for i in physical {
            if let (Some(r), Some(t)) = (i["bytes_recv"].as_f64(), i["bytes_sent"].as_f64()) {
                (rx, tx, any) = (rx + r, tx + t, true);
            }
        }
        if any {
            return Some((rx, tx));
        }
    }
    let io = snapshot.pointer("/network/io_counters")?;
    Some((io["bytes_recv"].as_f64()?, io["bytes_sent"].as_f64()?))
}

/// Whether any filesystem reports errors, or the root is read-only.
pub fn storage_errors(snapshot: &Value) -> bool {
    snapshot
        .get("filesystems")
        .and_then(Value::as_array)
        .is_some_and(|fs| {
            fs.iter().any(|f| {
                f["errors_count"].as_u64().is_some_and(|n| n > 0)
                    || (f["mount"] == "/" && f["readonly"] == json!(true))
            })
        })
}

/// The state JSON published on `<base>/state`; `rates` are the network
/// receive/transmit rates in kB/s since the previous poll.
pub fn state(snapshot: &Value, at: i64, rates: Option<(f64, f64)>) -> Value {
    let num = |p: &str| snapshot.pointer(p).and_then(Value::as_f64);
    let flag = |p: &str| {
        snapshot
            .pointer(p)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let temperature = num("/cpu/temperature_c").or(num("/raspberry_pi/cpu_temperature_c"));
    json!({
        "cpu": num("/cpu/percent"),
        "memory": num("/memory/percent"),
        "disk": num("/disk/percent"),
        "temperature": temperature,
        "load": num("/load_avg/load1"),
        "uptime": num("/uptime/seconds").map(f64::trunc),
        "network_rx": rates.map(|r| round(r.0)),
        "network_tx": rates.map(|r| round(r.1)),
        "under_voltage": flag("/raspberry_pi/throttled/under_voltage_now"),
        "throttled": flag("/raspberry_pi/throttled/throttled_now"),
        "storage_errors": storage_errors(snapshot),
        "timestamp": at,
    })
}

#[cfg(test)]
mod tests;
