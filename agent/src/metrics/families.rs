//! Every metric family, in output order: node_exporter's first, then ours.
//! A pure function of the snapshot and raw counters.

use super::model::MetricFamily;
use super::raw::RawCounters;
use crate::snapshot::Snapshot;

pub fn families(snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    let mut out = super::node_exporter::families(snap, raw);
    out.extend(super::system_stats::families(snap));
    out
}
