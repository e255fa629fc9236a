//! node_exporter's `meminfo` collector: one family per `/proc/meminfo`
//! field, in file order.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(_snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    memory(raw)
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
