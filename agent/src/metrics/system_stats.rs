//! The `system_stats_*` families: what node_exporter does not export
//! (Raspberry Pi health, the SoC temperature, the agent's CPU window).

use super::model::MetricFamily;
use crate::snapshot::Snapshot;

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn cpu(snap: &Snapshot) -> Vec<MetricFamily> {
    let mut usage = MetricFamily::gauge(
        "system_stats_cpu_usage_percent",
        "CPU busy percent over the agent's latest sampling window.",
    );
    if let Some(p) = snap.cpu.percent {
        usage.push(vec![], p);
    }
    let mut core = MetricFamily::gauge(
        "system_stats_cpu_core_usage_percent",
        "Busy percent of each logical CPU over the agent's latest sampling window.",
    );
    for (i, p) in snap.cpu.per_core.iter().flatten().enumerate() {
        core.push(vec![("cpu", i.to_string())], *p);
    }
    let mut temp = MetricFamily::gauge(
        "system_stats_cpu_temperature_celsius",
        "SoC/CPU package temperature (Raspberry Pi zone, coretemp or k10temp).",
    );
    if let Some(t) = snap.cpu.temperature_c {
        temp.push(vec![], t);
    }
    vec![usage, core, temp]
}

fn raspberry_pi(snap: &Snapshot) -> Vec<MetricFamily> {
    let Some(pi) = &snap.raspberry_pi else {
        return Vec::new();
    };
    let mut info = MetricFamily::gauge(
        "system_stats_rpi_info",
        "Raspberry Pi board model and revision code, value 1.",
    );
    info.push(
        vec![
            ("model", pi.model.clone().unwrap_or_default()),
            ("revision", pi.revision.clone().unwrap_or_default()),
        ],
        1.0,
    );
    let mut out = vec![info];
    if let Some(t) = &pi.throttled {
        for (name, help, now, since) in [
            (
                "system_stats_rpi_under_voltage",
                "Raspberry Pi under-voltage detected (firmware get_throttled), now or since boot.",
                t.under_voltage_now,
                t.under_voltage_since_boot,
            ),
            (
                "system_stats_rpi_arm_frequency_capped",
                "Raspberry Pi ARM frequency capped, now or since boot.",
                t.arm_frequency_capped_now,
                t.arm_frequency_capped_since_boot,
            ),
            (
                "system_stats_rpi_throttled",
                "Raspberry Pi currently or previously throttled.",
                t.throttled_now,
                t.throttled_since_boot,
            ),
            (
                "system_stats_rpi_soft_temperature_limit",
                "Raspberry Pi soft temperature limit active, now or since boot.",
                t.soft_temperature_limit_now,
                t.soft_temperature_limit_since_boot,
            ),
        ] {
            out.push(
                MetricFamily::gauge(name, help)
                    .with(vec![("when", "now".into())], flag(now))
                    .with(vec![("when", "since_boot".into())], flag(since)),
            );
        }
        out.push(
            MetricFamily::gauge(
                "system_stats_rpi_throttled_raw",
                "Raspberry Pi get_throttled bitfield as a number.",
            )
            .with(vec![], t.value as f64),
        );
    }
    if let Some(a) = pi.under_voltage_alarm {
        out.push(
            MetricFamily::gauge(
                "system_stats_rpi_voltage_alarm",
                "rpi_volt hwmon in0_lcrit_alarm: the PMIC saw under-voltage.",
            )
            .with(vec![], flag(a)),
        );
    }
    let mut eol = MetricFamily::gauge(
        "system_stats_mmc_pre_eol_info",
        "eMMC pre-EOL information: 1 normal, 2 warning, 3 urgent.",
    );
    let mut life = MetricFamily::gauge(
        "system_stats_mmc_life_time_level",
        "eMMC estimated life used, level n = (n-1)*10 to n*10 percent, 11 exceeded.",
    );
    for card in &pi.storage {
        if let Some(v) = card.pre_eol_info {
            eol.push(vec![("device", card.device.clone())], v as f64);
        }
        if let Some([a, b]) = card.life_time {
            life.push(
                vec![("device", card.device.clone()), ("type", "A".into())],
                a as f64,
            );
            life.push(
                vec![("device", card.device.clone()), ("type", "B".into())],
                b as f64,
            );
        }
    }
    out.push(eol);
    out.push(life);
    out
}

fn interfaces(snap: &Snapshot) -> Vec<MetricFamily> {
    let mut info = MetricFamily::gauge(
        "system_stats_network_interface_up",
        "Up, non-loopback network interfaces (value 1), with whether each is virtual.",
    );
    for i in &snap.network.interfaces {
        info.push(
            vec![
                ("device", i.name.clone()),
                ("virtual", i.is_virtual.to_string()),
            ],
            1.0,
        );
    }
    vec![info]
}

pub fn families(snap: &Snapshot) -> Vec<MetricFamily> {
    let mut out = cpu(snap);
    out.extend(raspberry_pi(snap));
    out.extend(interfaces(snap));
    out.extend(super::system_stats_storage::families(snap));
    out
}
