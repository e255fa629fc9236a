//! node_exporter's `netclass` collector: the attributes of each
//! `/sys/class/net/<device>` as `node_network_*` (up, carrier, mtu, speed,
//! info, ...), plus `node_network_receive_nohandler_total` from its
//! `statistics/rx_nohandler`. An attribute whose file is absent or
//! unreadable has no sample.

use crate::metrics::model::MetricFamily;
use std::collections::BTreeMap;

/// One device: its name and attribute file → trimmed content.
pub type Device = (String, BTreeMap<String, String>);

/// The attribute files read per device.
pub const ATTRIBUTES: [&str; 23] = [
    "addr_assign_type",
    "address",
    "broadcast",
    "carrier",
    "carrier_changes",
    "carrier_down_count",
    "carrier_up_count",
    "dev_id",
    "dormant",
    "duplex",
    "flags",
    "ifalias",
    "ifindex",
    "iflink",
    "link_mode",
    "mtu",
    "name_assign_type",
    "netdev_group",
    "operstate",
    "speed",
    "tx_queue_len",
    "type",
    "statistics/rx_nohandler",
];

/// Decimal, or hex with `0x` (sysfs writes `flags` and `dev_id` that way).
fn number(v: &str) -> Option<f64> {
    match v.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok().map(|n| n as f64),
        None => v.parse::<i64>().ok().map(|n| n as f64),
    }
}

/// (family, attribute, counter?, help) of the numeric attributes.
const NUMERIC: [(&str, &str, bool, &str); 17] = [
    (
        "address_assign_type",
        "addr_assign_type",
        false,
        "How the address was assigned (addr_assign_type).",
    ),
    (
        "carrier",
        "carrier",
        false,
        "Physical link state (carrier).",
    ),
    (
        "carrier_changes_total",
        "carrier_changes",
        true,
        "Link state changes (carrier_changes).",
    ),
    (
        "carrier_down_changes_total",
        "carrier_down_count",
        true,
        "Link down events (carrier_down_count).",
    ),
    (
        "carrier_up_changes_total",
        "carrier_up_count",
        true,
        "Link up events (carrier_up_count).",
    ),
    (
        "device_id",
        "dev_id",
        false,
        "Device id among devices sharing an address (dev_id).",
    ),
    (
        "dormant",
        "dormant",
        false,
        "Whether the device is dormant (dormant).",
    ),
    ("flags", "flags", false, "Device flags (flags)."),
    ("iface_id", "ifindex", false, "Interface index (ifindex)."),
    (
        "iface_link",
        "iflink",
        false,
        "Index of the linked interface (iflink).",
    ),
    (
        "iface_link_mode",
        "link_mode",
        false,
        "Link mode (link_mode).",
    ),
    (
        "mtu_bytes",
        "mtu",
        false,
        "Maximum transmission unit in bytes (mtu).",
    ),
    (
        "name_assign_type",
        "name_assign_type",
        false,
        "How the name was assigned (name_assign_type).",
    ),
    (
        "net_dev_group",
        "netdev_group",
        false,
        "Device group (netdev_group).",
    ),
    (
        "transmit_queue_length",
        "tx_queue_len",
        false,
        "Transmit queue length in packets (tx_queue_len).",
    ),
    (
        "protocol_type",
        "type",
        false,
        "Hardware protocol type, ARPHRD_* (type).",
    ),
    (
        "receive_nohandler_total",
        "statistics/rx_nohandler",
        true,
        "Packets dropped for want of a protocol handler.",
    ),
];

pub fn families(devices: &[Device]) -> Option<Vec<MetricFamily>> {
    if devices.is_empty() {
        return None;
    }
    let mut up = MetricFamily::gauge("node_network_up", "1 if operstate is 'up', 0 otherwise.");
    let mut info = MetricFamily::gauge(
        "node_network_info",
        "Non-numeric attributes of /sys/class/net/<device>; always 1.",
    );
    let mut speed = MetricFamily::gauge(
        "node_network_speed_bytes",
        "Link speed in bytes per second (speed).",
    );
    let mut numeric: Vec<MetricFamily> = NUMERIC
        .iter()
        .map(|(name, _, counter, help)| {
            let name = format!("node_network_{name}");
            if *counter {
                MetricFamily::counter(name, *help)
            } else {
                MetricFamily::gauge(name, *help)
            }
        })
        .collect();
    for (device, attrs) in devices {
        let get = |k: &str| attrs.get(k).map(String::as_str);
        let text = |k: &str| get(k).unwrap_or("").to_string();
        let dev = || vec![("device", device.clone())];
        up.push(
            dev(),
            if get("operstate") == Some("up") {
                1.0
            } else {
                0.0
            },
        );
        info.push(
            vec![
                ("address", text("address")),
                ("broadcast", text("broadcast")),
                ("device", device.clone()),
                ("duplex", text("duplex")),
                ("ifalias", text("ifalias")),
                ("operstate", text("operstate")),
            ],
            1.0,
        );
        for ((_, attr, _, _), fam) in NUMERIC.iter().zip(numeric.iter_mut()) {
            if let Some(v) = get(attr).and_then(number) {
                fam.push(dev(), v);
            }
        }
        // Mbit/s → bytes/s; node_exporter 1.5 keeps the kernel's -1 (unknown) scaled too
        if let Some(mbit) = get("speed").and_then(number) {
            speed.push(dev(), mbit * 1000.0 * 1000.0 / 8.0);
        }
    }
    let mut out = vec![up, info, speed];
    out.extend(numeric);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(name: &str, attrs: &[(&str, &str)]) -> Device {
        (
            name.into(),
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn attributes_become_node_exporter_families() {
        let devs = [
            device(
                "eth0",
                &[
                    ("operstate", "up"),
                    ("flags", "0x1003"),
                    ("dev_id", "0x0"),
                    ("mtu", "1400"),
                    ("speed", "-1"),
                    ("carrier", "1"),
                    ("address", "02:fc:00:00:00:01"),
                    ("duplex", "unknown"),
                ],
            ),
            device(
                "wlan0",
                &[
                    ("operstate", "down"),
                    ("speed", "100"),
                    ("carrier_changes", "5"),
                ],
            ),
        ];
        let f = families(&devs).expect("some");
        let get = |n: &str, d: &str| {
            f.iter()
                .find(|f| f.name == n)
                .and_then(|f| f.value(&[("device", d)]))
        };
        assert_eq!(get("node_network_up", "eth0"), Some(1.0));
        assert_eq!(get("node_network_up", "wlan0"), Some(0.0));
        assert_eq!(get("node_network_flags", "eth0"), Some(4099.0));
        assert_eq!(get("node_network_mtu_bytes", "eth0"), Some(1400.0));
        assert_eq!(get("node_network_speed_bytes", "eth0"), Some(-125_000.0));
        assert_eq!(get("node_network_speed_bytes", "wlan0"), Some(12_500_000.0));
        assert_eq!(get("node_network_carrier", "wlan0"), None);
        assert_eq!(
            get("node_network_carrier_changes_total", "wlan0"),
            Some(5.0)
        );
        let info = f
            .iter()
            .find(|f| f.name == "node_network_info")
            .expect("info");
        assert_eq!(info.samples[0].labels[3], ("duplex", "unknown".to_string()));
        assert_eq!(info.samples[1].labels[0], ("address", String::new()));
        assert_eq!(families(&[]), None);
    }
}
