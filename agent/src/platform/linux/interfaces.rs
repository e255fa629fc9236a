//! Per-interface network facts: every up, non-loopback interface with its
//! addresses (IPv4 from the address source, IPv6 from `/proc/net/if_inet6`), link
//! facts (`links`), counters from `/proc/net/dev`.

use super::addresses::Ipv4Info;
use super::files::Roots;
use super::links::{facts_for, LinkFacts};
use crate::snapshot::Interface;
use procfs_core::net::InterfaceDeviceStatus;
use std::net::Ipv6Addr;

/// One `/proc/net/if_inet6` line: interface, address and scope (0 global, 0x20 link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inet6 {
    pub iface: String,
    pub addr: Ipv6Addr,
    pub scope: u8,
}

pub fn parse_if_inet6(text: &str) -> Vec<Inet6> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 6 || f[0].len() != 32 {
                return None;
            }
            Some(Inet6 {
                addr: Ipv6Addr::from(u128::from_str_radix(f[0], 16).ok()?),
                scope: u8::from_str_radix(f[3], 16).ok()?,
                iface: f[5].to_string(),
            })
        })
        .collect()
}

/// The interface's first global address, else its first other one.
pub fn ipv6_of(name: &str, addrs: &[Inet6]) -> Option<String> {
    let mine = || addrs.iter().filter(move |a| a.iface == name);
    mine()
        .find(|a| a.scope == 0)
        .or_else(|| mine().next())
        .map(|a| a.addr.to_string())
}

/// Every up interface but loopback, sorted by name: link facts from the
/// discovery (read now for an interface that appeared since), counters and
/// addresses current.
pub fn interfaces(
    roots: &Roots,
    known: &[LinkFacts],
    dev: &InterfaceDeviceStatus,
    v4: &[(String, Ipv4Info)],
    v6: &[Inet6],
) -> Vec<Interface> {
    let mut names: Vec<&String> = dev.0.keys().collect();
    names.sort();
    names
        .into_iter()
        .filter(|n| n.as_str() != "lo")
        .filter_map(|name| {
            let facts = facts_for(roots, known, name);
            if !facts.up {
                return None;
            }
            let c = &dev.0[name];
            Some(Interface {
                name: name.clone(),
                is_virtual: facts.is_virtual,
                ipv4: v4
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, a)| a.ip.clone()),
                ipv6: ipv6_of(name, v6),
                mac: facts.mac,
                speed_mbps: facts.speed_mbps,
                mtu: facts.mtu,
                duplex: facts.duplex,
                bytes_sent: c.sent_bytes,
                bytes_recv: c.recv_bytes,
                packets_sent: c.sent_packets,
                packets_recv: c.recv_packets,
                errin: c.recv_errs,
                errout: c.sent_errs,
                dropin: c.recv_drop,
                dropout: c.sent_drop,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INET6: &str = "00000000000000000000000000000001 01 80 10 80       lo\n\
fe800000000000005c1e7f2a9b3d4e61 03 40 20 80    wlan0\n\
2a0100000000000000000000000000aa 03 40 00 00    wlan0\n\
garbage\n";

    #[test]
    fn if_inet6_parses_and_prefers_global() {
        let a = parse_if_inet6(INET6);
        assert_eq!(a.len(), 3);
        assert_eq!(a[1].addr.to_string(), "fe80::5c1e:7f2a:9b3d:4e61");
        assert_eq!(a[1].scope, 0x20);
        assert_eq!(ipv6_of("wlan0", &a).as_deref(), Some("2a01::aa"));
        assert_eq!(
            ipv6_of("wlan0", &a[..2]).as_deref(),
            Some("fe80::5c1e:7f2a:9b3d:4e61")
        );
        assert_eq!(ipv6_of("eth0", &a), None);
    }
}
