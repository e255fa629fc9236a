//! node_exporter's `cpu` collector: `node_cpu_seconds_total` and
//! `node_cpu_guest_seconds_total` per CPU and mode, from the raw per-CPU
//! ticks; with `node_boot_time_seconds`, which node_exporter's `stat`
//! collector exports and we take from the same `/proc/stat` read.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(_snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    let mut out = cpu_times(raw);
    out.extend(boot_time(raw));
    out
}

fn cpu_times(raw: &RawCounters) -> Vec<MetricFamily> {
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
                vec![("cpu", cpu.clone()), ("mode", mode.to_string())],
                ticks as f64 / hz,
            );
        }
        guest.push(
            vec![("cpu", cpu.clone()), ("mode", "nice".to_string())],
            t.guest_nice as f64 / hz,
        );
        guest.push(
            vec![("cpu", cpu), ("mode", "user".to_string())],
            t.guest as f64 / hz,
        );
    }
    vec![secs, guest]
}

fn boot_time(raw: &RawCounters) -> Vec<MetricFamily> {
    let mut f = MetricFamily::gauge("node_boot_time_seconds", "Node boot time, in unixtime.");
    if let Some(b) = raw.boot_time {
        f.push(vec![], b as f64);
    }
    vec![f]
}
