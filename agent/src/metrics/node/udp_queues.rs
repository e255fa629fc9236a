//! node_exporter's `udp_queues` collector: bytes queued in UDP sockets, the
//! `tx_queue:rx_queue` (hex) column of `/proc/net/udp` and `udp6` summed.

use crate::metrics::model::MetricFamily;

/// (tx, rx) sums; None when a line is malformed.
pub fn queues(text: &str) -> Option<(u64, u64)> {
    let mut tx = 0u64;
    let mut rx = 0u64;
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (t, r) = line.split_whitespace().nth(4)?.split_once(':')?;
        tx = tx.saturating_add(u64::from_str_radix(t, 16).ok()?);
        rx = rx.saturating_add(u64::from_str_radix(r, 16).ok()?);
    }
    Some((tx, rx))
}

pub fn families(v4: Option<&str>, v6: Option<&str>) -> Option<Vec<MetricFamily>> {
    let mut f = MetricFamily::gauge(
        "node_udp_queues",
        "Bytes the kernel holds queued in UDP sockets.",
    );
    for (ip, text) in [("v4", v4), ("v6", v6)] {
        if let Some((tx, rx)) = text.and_then(queues) {
            f.push(vec![("ip", ip.into()), ("queue", "rx".into())], rx as f64);
            f.push(vec![("ip", ip.into()), ("queue", "tx".into())], tx as f64);
        }
    }
    (!f.samples.is_empty()).then(|| vec![f])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_of_the_queue_column() {
        let udp = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
  1: 00000000:0044 00000000:0000 07 00000010:00000200 00:00000000 00000000     0        0 1 2 0 0\n\
  2: 00000000:0045 00000000:0000 07 00000001:00000000 00:00000000 00000000     0        0 1 2 0 0\n";
        assert_eq!(queues(udp), Some((17, 512)));
        let f = families(Some(udp), None).expect("some");
        assert_eq!(f[0].value(&[("ip", "v4"), ("queue", "rx")]), Some(512.0));
        assert_eq!(f[0].samples.len(), 2);
        assert_eq!(families(None, None), None);
    }
}
