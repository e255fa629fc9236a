//! node_exporter's `softnet` collector: per-CPU packets processed, dropped
//! and times squeezed, the first three hex columns of `/proc/net/softnet_stat`
//! (one line per CPU, numbered by line as node_exporter does).

use crate::metrics::model::MetricFamily;

pub fn families(text: &str) -> Option<Vec<MetricFamily>> {
    let mut processed = MetricFamily::counter("node_softnet_processed_total", "Packets processed.");
    let mut dropped = MetricFamily::counter("node_softnet_dropped_total", "Packets dropped.");
    let mut squeezed = MetricFamily::counter(
        "node_softnet_times_squeezed_total",
        "Times packet processing ran out of quota.",
    );
    for (cpu, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let cols: Vec<u64> = line
            .split_whitespace()
            .take(3)
            .map(|v| u64::from_str_radix(v, 16).ok())
            .collect::<Option<_>>()?;
        let [p, d, s] = cols[..] else {
            return None;
        };
        let l = || vec![("cpu", cpu.to_string())];
        processed.push(l(), p as f64);
        dropped.push(l(), d as f64);
        squeezed.push(l(), s as f64);
    }
    Some(vec![dropped, processed, squeezed])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_columns_per_cpu() {
        let f =
            families("003ddb58 00000000 00000010 00000000\n003e9cc5 00000002 00000007 00000000\n")
                .expect("parses");
        assert_eq!(f[1].value(&[("cpu", "0")]), Some(4_053_848.0));
        assert_eq!(f[0].value(&[("cpu", "1")]), Some(2.0));
        assert_eq!(f[2].value(&[("cpu", "0")]), Some(16.0));
        assert_eq!(families("zz 1 2\n"), None);
    }
}
