//! Every metric family, in output order: node_exporter's first, then ours,
//! the power/heat events last. A pure function of the snapshot, the raw
//! counters and the event counts.

use super::model::MetricFamily;
use super::node::raw::RawCounters;
use super::system_stats_events::EventCounts;
use crate::snapshot::Snapshot;

/// `events`: the power/heat events and rollbacks (None: nothing to count).
pub fn families(
    snap: &Snapshot,
    raw: &RawCounters,
    events: Option<EventCounts>,
) -> Vec<MetricFamily> {
    let mut out = super::node::families(snap, raw);
    out.extend(super::system_stats::families(snap));
    out.extend(events.map(super::system_stats_events::family));
    out
}
