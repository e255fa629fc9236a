//! node_exporter's `uname` collector: `node_uname_info` with the kernel's
//! uname(2) fields as labels.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(_snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
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
    vec![uname]
}
