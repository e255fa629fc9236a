//! node_exporter's `netdev` collector: `node_network_<stat>_total` per
//! `/proc/net/dev` device.

use super::raw::{NetCounters, RawCounters};
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(_snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    network(raw)
}

fn network(raw: &RawCounters) -> Vec<MetricFamily> {
    type Get = fn(&NetCounters) -> u64;
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
