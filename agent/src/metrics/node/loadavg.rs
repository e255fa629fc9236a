//! node_exporter's `loadavg` collector: `node_load1`, `node_load5` and
//! `node_load15` from the snapshot's load averages.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(snap: &Snapshot, _raw: &RawCounters) -> Vec<MetricFamily> {
    load(snap)
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
