//! node_exporter's `conntrack` collector (when nf_conntrack is loaded):
//! entries and limit from `/proc/sys/net/netfilter`, and the per-CPU
//! counters of `/proc/net/stat/nf_conntrack` (hex) summed over CPUs.

use crate::metrics::model::MetricFamily;

/// node_exporter's stat fields: column name in the file → family suffix.
const STAT_FIELDS: [&str; 8] = [
    "found",
    "invalid",
    "ignore",
    "insert",
    "insert_failed",
    "drop",
    "early_drop",
    "search_restart",
];

/// Column sums of the per-CPU table, by column name; None when malformed.
pub fn stat_sums(text: &str) -> Option<Vec<(String, u64)>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split_whitespace().collect();
    let mut sums = vec![0u64; header.len()];
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let values: Vec<&str> = line.split_whitespace().collect();
        if values.len() != header.len() {
            return None;
        }
        for (sum, v) in sums.iter_mut().zip(values) {
            *sum = sum.saturating_add(u64::from_str_radix(v, 16).ok()?);
        }
    }
    Some(header.into_iter().map(str::to_string).zip(sums).collect())
}

pub fn families(count: &str, max: Option<&str>, stat: Option<&str>) -> Option<Vec<MetricFamily>> {
    let count: f64 = count.trim().parse().ok()?;
    let mut out = vec![MetricFamily::gauge(
        "node_nf_conntrack_entries",
        "Flow entries in the connection tracking table.",
    )
    .with(vec![], count)];
    if let Some(max) = max.and_then(|m| m.trim().parse::<f64>().ok()) {
        out.push(
            MetricFamily::gauge(
                "node_nf_conntrack_entries_limit",
                "Size of the connection tracking table.",
            )
            .with(vec![], max),
        );
    }
    if let Some(sums) = stat.and_then(stat_sums) {
        for field in STAT_FIELDS {
            if let Some((_, v)) = sums.iter().find(|(k, _)| k == field) {
                out.push(
                    MetricFamily::gauge(
                        format!("node_nf_conntrack_stat_{field}"),
                        format!("Connection tracking {field} events, summed over CPUs."),
                    )
                    .with(vec![], *v as f64),
                );
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_limit_and_hex_sums() {
        let stat = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n\
0000000a  00000000 00000001 00000000 00000010 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000002\n\
0000000a  00000000 00000002 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 0000000f\n";
        let f = families("12\n", Some("262144\n"), Some(stat)).expect("parses");
        assert_eq!(f[0].samples[0].value, 12.0);
        assert_eq!(f[1].samples[0].value, 262_144.0);
        let get = |n: &str| f.iter().find(|f| f.name == n).map(|f| f.samples[0].value);
        assert_eq!(get("node_nf_conntrack_stat_found"), Some(3.0));
        assert_eq!(get("node_nf_conntrack_stat_invalid"), Some(17.0));
        assert_eq!(get("node_nf_conntrack_stat_search_restart"), Some(17.0));
        assert_eq!(f.len(), 10);
        assert_eq!(families("x", None, None), None);
        assert_eq!(stat_sums("a b\n1 zz\n"), None);
    }
}
