//! node_exporter's `netstat` collector with its default field selection:
//! `node_netstat_<Proto>_<Field>` (untyped) from the header/value line pairs
//! of `/proc/net/netstat` and `/proc/net/snmp`, and the `Ip6InOctets value`
//! lines of `/proc/net/snmp6` (protocol = name up to its first `6`).

use crate::metrics::model::MetricFamily;

fn any(field: &str, options: &[&str]) -> bool {
    options.contains(&field)
}

/// node_exporter's default `--collector.netstat.fields`.
pub fn wanted(proto: &str, field: &str) -> bool {
    if field == "InErrors" || field == "InErrs" {
        return true;
    }
    match proto {
        "Ip" => field == "Forwarding",
        "Ip6" | "IpExt" => any(field, &["InOctets", "OutOctets"]),
        "Icmp" | "Icmp6" => any(field, &["InMsgs", "OutMsgs"]),
        "TcpExt" => {
            field.starts_with("Listen")
                || field.starts_with("Syncookies")
                || any(field, &["TCPSynRetrans", "TCPTimeouts"])
        }
        "Tcp" => any(
            field,
            &[
                "ActiveOpens",
                "InSegs",
                "OutSegs",
                "OutRsts",
                "PassiveOpens",
                "RetransSegs",
                "CurrEstab",
            ],
        ),
        "Udp" | "Udp6" => any(
            field,
            &[
                "InDatagrams",
                "OutDatagrams",
                "NoPorts",
                "RcvbufErrors",
                "SndbufErrors",
            ],
        ),
        _ => false,
    }
}

/// `(proto, field, value)` of a netstat/snmp file; None when a value line
/// does not match its header.
pub fn parse_pairs(text: &str) -> Option<Vec<(String, String, f64)>> {
    let mut out = Vec::new();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    while let Some(header) = lines.next() {
        let values = lines.next()?;
        let mut h = header.split_whitespace();
        let mut v = values.split_whitespace();
        let proto = h.next()?.strip_suffix(':')?;
        if v.next()?.strip_suffix(':')? != proto {
            return None;
        }
        let names: Vec<&str> = h.collect();
        let vals: Vec<&str> = v.collect();
        if names.len() != vals.len() {
            return None;
        }
        for (n, val) in names.into_iter().zip(vals) {
            out.push((proto.to_string(), n.to_string(), val.parse().ok()?));
        }
    }
    Some(out)
}

/// `(proto, field, value)` of `/proc/net/snmp6`.
pub fn parse_snmp6(text: &str) -> Vec<(String, String, f64)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let key = f.next()?;
            let value = f.next()?.parse().ok()?;
            let six = key.find('6')?;
            Some((key[..=six].to_string(), key[six + 1..].to_string(), value))
        })
        .collect()
}

pub fn families(
    netstat: Option<&str>,
    snmp: Option<&str>,
    snmp6: Option<&str>,
) -> Option<Vec<MetricFamily>> {
    let mut rows = netstat.and_then(parse_pairs)?;
    rows.extend(snmp.and_then(parse_pairs)?);
    rows.extend(snmp6.map(parse_snmp6).unwrap_or_default());
    let mut out: Vec<MetricFamily> = Vec::new();
    for (proto, field, value) in rows {
        let valid =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid(&proto) || !valid(&field) || !wanted(&proto, &field) {
            continue;
        }
        let name = format!("node_netstat_{proto}_{field}");
        // a later file wins, as in node_exporter
        out.retain(|f| f.name != name);
        out.push(
            MetricFamily::untyped(name, format!("Statistic {proto}{field}.")).with(vec![], value),
        );
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fields_from_all_three_files() {
        let netstat = "TcpExt: SyncookiesSent ListenDrops TCPTimeouts PruneCalled\nTcpExt: 0 3 7 9\nIpExt: InOctets OutOctets InNoRoutes\nIpExt: 100 200 1\n";
        let snmp = "Ip: Forwarding DefaultTTL InDiscards\nIp: 1 64 0\nTcp: RtoMin CurrEstab InErrs\nTcp: 200 4 2\nUdp: InDatagrams NoPorts InErrors\nUdp: 5 6 0\nUdpLite: InErrors\nUdpLite: 0\n";
        let snmp6 =
            "Ip6InReceives 10\nIp6InOctets 999\nIcmp6InMsgs 3\nUdp6NoPorts 1\nUdpLite6InErrors 0\n";
        let f = families(Some(netstat), Some(snmp), Some(snmp6)).expect("parses");
        let got: Vec<(&str, f64)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.samples[0].value))
            .collect();
        assert_eq!(
            got,
            vec![
                ("node_netstat_Icmp6_InMsgs", 3.0),
                ("node_netstat_Ip6_InOctets", 999.0),
                ("node_netstat_IpExt_InOctets", 100.0),
                ("node_netstat_IpExt_OutOctets", 200.0),
                ("node_netstat_Ip_Forwarding", 1.0),
                ("node_netstat_TcpExt_ListenDrops", 3.0),
                ("node_netstat_TcpExt_SyncookiesSent", 0.0),
                ("node_netstat_TcpExt_TCPTimeouts", 7.0),
                ("node_netstat_Tcp_CurrEstab", 4.0),
                ("node_netstat_Tcp_InErrs", 2.0),
                ("node_netstat_Udp6_NoPorts", 1.0),
                ("node_netstat_UdpLite6_InErrors", 0.0),
                ("node_netstat_UdpLite_InErrors", 0.0),
                ("node_netstat_Udp_InDatagrams", 5.0),
                ("node_netstat_Udp_InErrors", 0.0),
                ("node_netstat_Udp_NoPorts", 6.0),
            ]
        );
        assert_eq!(parse_pairs("Tcp: A B\nTcp: 1\n"), None);
        assert_eq!(families(None, Some(snmp), None), None);
    }
}
