//! The metric families node_exporter also exports, with its names, labels
//! and semantics, so existing Grafana dashboards work unchanged.

use super::model::MetricFamily;
use super::raw::RawCounters;
use crate::snapshot::{SensorOrigin, Snapshot};

fn s(v: &str) -> String {
    v.to_string()
}

fn cpu(raw: &RawCounters) -> Vec<MetricFamily> {
    let hz = if raw.ticks_per_second > 0.0 {
        raw.ticks_per_second
    } else {
        100.0
    };
    let mut secs = MetricFamily::counter(
        "node_cpu_seconds_total",
        "Seconds the CPUs spent in each mode.",
    );
    let mut guest = MetricFamily::counter(
        "node_cpu_guest_seconds_total",
        "Seconds the CPUs spent in guests (VMs) for each mode.",
    );
    for (id, t) in &raw.cpu_times {
        let cpu = id.to_string();
        for (mode, ticks) in [
            ("idle", t.idle),
            ("iowait", t.iowait),
            ("irq", t.irq),
            ("nice", t.nice),
            ("softirq", t.softirq),
            ("steal", t.steal),
            ("system", t.system),
            ("user", t.user),
        ] {
            secs.push(
                vec![("cpu", cpu.clone()), ("mode", s(mode))],
                ticks as f64 / hz,
            );
        }
        guest.push(
            vec![("cpu", cpu.clone()), ("mode", s("nice"))],
            t.guest_nice as f64 / hz,
        );
        guest.push(vec![("cpu", cpu), ("mode", s("user"))], t.guest as f64 / hz);
    }
    vec![secs, guest]
}

/// `node_memory_<Field>_bytes` for every meminfo field in kB, `node_memory_<Field>` for counts.
fn memory(raw: &RawCounters) -> Vec<MetricFamily> {
    raw.meminfo
        .iter()
        .map(|(key, value, in_kb)| {
            let name = if *in_kb {
                format!("node_memory_{key}_bytes")
            } else {
                format!("node_memory_{key}")
            };
            let help = format!(
                "Memory information field {}.",
                &name["node_memory_".len()..]
            );
            MetricFamily::gauge(name, help).with(vec![], *value as f64)
        })
        .collect()
}

fn load(snap: &Snapshot) -> Vec<MetricFamily> {
    let Some(l) = &snap.load_avg else {
        return Vec::new();
    };
    vec![
        MetricFamily::gauge("node_load1", "1m load average.").with(vec![], l.load1),
        MetricFamily::gauge("node_load5", "5m load average.").with(vec![], l.load5),
        MetricFamily::gauge("node_load15", "15m load average.").with(vec![], l.load15),
    ]
}

fn boot_time(raw: &RawCounters) -> Vec<MetricFamily> {
    let mut f = MetricFamily::gauge("node_boot_time_seconds", "Node boot time, in unixtime.");
    if let Some(b) = raw.boot_time {
        f.push(vec![], b as f64);
    }
    vec![f]
}

fn network(raw: &RawCounters) -> Vec<MetricFamily> {
    type Get = fn(&super::raw::NetCounters) -> u64;
    let specs: [(&str, Get); 16] = [
        ("receive_bytes", |n| n.receive_bytes),
        ("transmit_bytes", |n| n.transmit_bytes),
        ("receive_packets", |n| n.receive_packets),
        ("transmit_packets", |n| n.transmit_packets),
        ("receive_errs", |n| n.receive_errs),
        ("transmit_errs", |n| n.transmit_errs),
        ("receive_drop", |n| n.receive_drop),
        ("transmit_drop", |n| n.transmit_drop),
        ("receive_fifo", |n| n.receive_fifo),
        ("receive_frame", |n| n.receive_frame),
        ("receive_compressed", |n| n.receive_compressed),
        ("receive_multicast", |n| n.receive_multicast),
        ("transmit_fifo", |n| n.transmit_fifo),
        ("transmit_colls", |n| n.transmit_colls),
        ("transmit_carrier", |n| n.transmit_carrier),
        ("transmit_compressed", |n| n.transmit_compressed),
    ];
    specs
        .iter()
        .map(|(stat, get)| {
            let mut f = MetricFamily::counter(
                format!("node_network_{stat}_total"),
                format!("Network device statistic {stat}."),
            );
            for n in &raw.network {
                f.push(vec![("device", n.device.clone())], get(n) as f64);
            }
            f
        })
        .collect()
}

fn temperatures(snap: &Snapshot) -> Vec<MetricFamily> {
    let mut zone = MetricFamily::gauge("node_thermal_zone_temp", "Zone temperature in Celsius");
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
        match &sensor.origin {
            SensorOrigin::ThermalZone { zone: z } => {
                if let Some(c) = sensor.current_c {
                    zone.push(vec![("type", sensor.name.clone()), ("zone", z.clone())], c);
                }
            }
            SensorOrigin::Hwmon { chip, sensor: name } => {
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
            SensorOrigin::Unknown => {}
        }
    }
    vec![zone, hw, hw_crit, hw_max]
}

fn identity(snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    let mut uname = MetricFamily::gauge(
        "node_uname_info",
        "Labeled system information as provided by the uname system call.",
    );
    if let Some(u) = &raw.uname {
        uname.push(
            vec![
                ("domainname", u.domainname.clone()),
                ("machine", u.machine.clone()),
                ("nodename", u.nodename.clone()),
                ("release", u.release.clone()),
                ("sysname", u.sysname.clone()),
                ("version", u.version.clone()),
            ],
            1.0,
        );
    }
    let mut info = MetricFamily::gauge(
        "node_os_info",
        "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    );
    let mut version = MetricFamily::gauge(
        "node_os_version",
        "Metric containing the major.minor part of the OS version.",
    );
    if let Some(o) = &snap.os_release {
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        info.push(
            vec![
                ("build_id", v(&o.build_id)),
                ("id", v(&o.id)),
                ("id_like", v(&o.id_like)),
                ("image_id", v(&o.image_id)),
                ("image_version", v(&o.image_version)),
                ("name", v(&o.name)),
                ("pretty_name", v(&o.pretty_name)),
                ("variant", v(&o.variant)),
                ("variant_id", v(&o.variant_id)),
                ("version", v(&o.version)),
                ("version_codename", v(&o.version_codename)),
                ("version_id", v(&o.version_id)),
            ],
            1.0,
        );
        if let Some(n) = o.version_id.as_deref().and_then(major_minor) {
            version.push(
                vec![
                    ("id", v(&o.id)),
                    ("id_like", v(&o.id_like)),
                    ("name", v(&o.name)),
                ],
                n,
            );
        }
    }
    vec![uname, info, version]
}

/// `22.04.3` → 22.04, `12` → 12.
fn major_minor(version_id: &str) -> Option<f64> {
    let mut parts = version_id.split('.');
    let major = parts.next()?;
    match parts.next() {
        Some(minor) => format!("{major}.{minor}").parse().ok(),
        None => major.parse().ok(),
    }
}

pub fn families(snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    let mut out = Vec::new();
    out.extend(cpu(raw));
    out.extend(memory(raw));
    out.extend(load(snap));
    out.extend(boot_time(raw));
    out.extend(super::node_exporter_storage::filesystems(snap));
    out.extend(super::node_exporter_storage::disks(raw));
    out.extend(network(raw));
    out.extend(temperatures(snap));
    out.extend(identity(snap, raw));
    out.extend(super::node_exporter_timex::families(raw.timex.as_ref()));
    for run in &raw.collectors {
        out.extend(run.families.iter().flatten().cloned());
    }
    let statuses: Vec<_> = raw
        .collectors
        .iter()
        .map(super::node::CollectorRun::status)
        .chain(raw.sources.iter().cloned())
        .collect();
    if !statuses.is_empty() {
        out.extend(super::node::scrape::families(&statuses));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_version_major_minor() {
        assert_eq!(major_minor("12"), Some(12.0));
        assert_eq!(major_minor("22.04.3"), Some(22.04));
        assert_eq!(major_minor("rolling"), None);
    }
}
