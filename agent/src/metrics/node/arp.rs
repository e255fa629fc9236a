//! node_exporter's `arp` collector: `/proc/net/arp` entries per device.

use crate::metrics::model::MetricFamily;
use std::collections::BTreeMap;

pub fn families(text: &str) -> Option<Vec<MetricFamily>> {
    let mut lines = text.lines();
    lines.next()?; // header
    let mut per_device: BTreeMap<&str, u64> = BTreeMap::new();
    for line in lines {
        if let Some(dev) = line.split_whitespace().nth(5) {
            *per_device.entry(dev).or_default() += 1;
        }
    }
    let mut f = MetricFamily::gauge("node_arp_entries", "ARP entries by device.");
    for (dev, n) in per_device {
        f.push(vec![("device", dev.to_string())], n as f64);
    }
    Some(vec![f])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_per_device() {
        let arp =
            "IP address       HW type     Flags       HW address            Mask     Device\n\
192.0.2.1        0x1         0x2         02:fc:00:00:00:02     *        eth0\n\
192.0.2.7        0x1         0x2         02:fc:00:00:00:07     *        eth0\n\
10.0.0.1         0x1         0x2         02:fc:00:00:00:09     *        wlan0\n";
        let f = families(arp).expect("parses");
        assert_eq!(f[0].value(&[("device", "eth0")]), Some(2.0));
        assert_eq!(f[0].value(&[("device", "wlan0")]), Some(1.0));
        assert_eq!(families(""), None);
    }
}
