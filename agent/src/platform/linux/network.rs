//! Network sources on Linux: counters from `/proc/net/dev`, the default
//! route from `/proc/net/route`, link facts from `/sys/class/net`, and the
//! interface's IPv4 address from the address source (`addresses`).

use super::addresses::Ipv4Info;
use super::files::{parse_guarded, Roots};
use super::links::{facts_for, LinkFacts};
use crate::snapshot::{NetIoCounters, PrimaryInterface};
use procfs_core::net::{InterfaceDeviceStatus, RouteEntries};
use procfs_core::FromBufRead;
use std::net::Ipv4Addr;

pub fn parse_net_dev(text: &str) -> Option<InterfaceDeviceStatus> {
    parse_guarded(text, |b| InterfaceDeviceStatus::from_buf_read(b))
}

/// Sum over every interface, loopback included (as the seed did).
pub fn io_counters(dev: &InterfaceDeviceStatus) -> NetIoCounters {
    let mut c = NetIoCounters::default();
    for d in dev.0.values() {
        c.bytes_sent = c.bytes_sent.saturating_add(d.sent_bytes);
        c.bytes_recv = c.bytes_recv.saturating_add(d.recv_bytes);
        c.packets_sent = c.packets_sent.saturating_add(d.sent_packets);
        c.packets_recv = c.packets_recv.saturating_add(d.recv_packets);
        c.errin = c.errin.saturating_add(d.recv_errs);
        c.errout = c.errout.saturating_add(d.sent_errs);
        c.dropin = c.dropin.saturating_add(d.recv_drop);
        c.dropout = c.dropout.saturating_add(d.sent_drop);
    }
    c
}

/// The interface of the IPv4 default route with the lowest metric.
pub fn default_route_interface(route_text: &str) -> Option<String> {
    let routes = parse_guarded(route_text, |b| RouteEntries::from_buf_read(b))?;
    routes
        .0
        .iter()
        .filter(|r| r.destination == Ipv4Addr::UNSPECIFIED && r.mask == Ipv4Addr::UNSPECIFIED)
        .filter(|r| r.flags & 0x1 != 0) // RTF_UP
        .min_by_key(|r| r.metrics)
        .map(|r| r.iface.clone())
}

/// The default route's interface, else the first up non-loopback one with
/// IPv4; link facts come from the discovery (`known`).
pub fn primary_interface(
    roots: &Roots,
    known: &[LinkFacts],
    route_text: Option<&str>,
    names: &[String],
    addrs: &[(String, Ipv4Info)],
) -> Option<PrimaryInterface> {
    let v4 = |name: &str| addrs.iter().find(|(n, _)| n == name).map(|(_, a)| a);
    let name = route_text.and_then(default_route_interface).or_else(|| {
        names
            .iter()
            .filter(|n| n.as_str() != "lo")
            .find(|n| v4(n).is_some() && facts_for(roots, known, n).up)
            .cloned()
    })?;
    let l = facts_for(roots, known, &name);
    let addr = v4(&name);
    Some(PrimaryInterface {
        ipv4: addr.map(|a| a.ip.clone()),
        netmask: addr.map(|a| a.netmask.clone()),
        broadcast: addr.and_then(|a| a.broadcast.clone()),
        speed_mbps: l.speed_mbps,
        mtu: l.mtu,
        duplex: l.duplex,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n";

    #[test]
    fn lowest_metric_default_route_wins() {
        assert_eq!(default_route_interface(ROUTE).as_deref(), Some("eth0"));
        assert_eq!(default_route_interface("Iface\tDestination\n"), None);
        assert_eq!(default_route_interface(""), None);
    }

    #[test]
    fn net_dev_sums_all_interfaces() {
        let text = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo: 100 2 0 0 0 0 0 0 100 2 0 0 0 0 0 0\n  eth0: 1000 10 1 2 0 0 0 0 500 5 3 4 0 0 0 0\n";
        let c = io_counters(&parse_net_dev(text).expect("parses"));
        assert_eq!((c.bytes_recv, c.bytes_sent), (1100, 600));
        assert_eq!((c.packets_recv, c.packets_sent), (12, 7));
        assert_eq!((c.errin, c.errout, c.dropin, c.dropout), (1, 3, 2, 4));
    }
}
