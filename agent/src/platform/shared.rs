//! What both collectors compute the same way: uptime from the boot time,
//! the cleanup of Python's `platform.platform()` string, IPv4 addresses
//! from getifaddrs, and which interface names are software ones.

use crate::snapshot::Uptime;
use crate::units::{human_uptime, rfc3339_at_offset};
use chrono::{Local, Offset, TimeZone};

/// Uptime from the boot time (Unix seconds) and now, with the boot time in
/// the host's local offset.
pub fn uptime(boot_time: u64, now_unix: i64) -> Option<Uptime> {
    let boot = i64::try_from(boot_time).ok()?;
    let offset = Local.timestamp_opt(boot, 0).single()?.offset().fix();
    let seconds = now_unix.saturating_sub(boot).max(0) as u64;
    Some(Uptime {
        seconds,
        boot_time: rfc3339_at_offset(boot, offset)?,
        human: human_uptime(seconds),
    })
}

/// Python's platform.platform() joins its parts with `-`, then turns
/// spaces into `_`, other unsafe characters into `-`, and collapses `--`.
pub fn platform_from_parts(parts: &[&str]) -> String {
    let mut s = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("-");
    for c in [' ', '/', '\\', ':', ';', '"', '(', ')'] {
        s = s.replace(c, if c == ' ' { "_" } else { "-" });
    }
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_end_matches('-').to_string()
}

/// IPv4 address, netmask and broadcast of an interface.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv4Info {
    pub ip: String,
    pub netmask: String,
    pub broadcast: Option<String>,
}

/// `(interface, address)` pairs, in the source's order.
pub type Addresses = Vec<(String, Ipv4Info)>;

/// getifaddrs in the agent's own network namespace.
pub fn kernel_addresses() -> Addresses {
    let Ok(ifaces) = if_addrs::get_if_addrs() else {
        return Vec::new();
    };
    ifaces
        .into_iter()
        .filter_map(|i| match i.addr {
            if_addrs::IfAddr::V4(v4) => Some((
                i.name,
                Ipv4Info {
                    ip: v4.ip.to_string(),
                    netmask: v4.netmask.to_string(),
                    broadcast: v4.broadcast.map(|b| b.to_string()),
                },
            )),
            _ => None,
        })
        .collect()
}

/// Software interfaces by name: containers, bridges, tunnels, VPNs.
pub fn is_virtual_name(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "veth",
        "docker",
        "br-",
        "virbr",
        "vnet",
        "tun",
        "tap",
        "wg",
        "cni",
        "flannel",
        "cali",
        "lxc",
        "lxdbr",
        "podman",
        "vxlan",
        "dummy",
        "ifb",
        "kube",
        "tailscale",
        "zt",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_fields() {
        let u = uptime(1_000_000, 1_000_000 + 2 * 86_400 + 3 * 3600 + 59).expect("uptime");
        assert_eq!(u.seconds, 2 * 86_400 + 3 * 3600 + 59);
        assert_eq!(u.human, "2d 3h");
        assert!(u.boot_time.starts_with("1970-01-"));
        assert_eq!(uptime(2_000, 1_000).map(|u| u.seconds), Some(0));
    }

    #[test]
    fn platform_cleanup() {
        assert_eq!(
            platform_from_parts(&["Linux", "6.1 (x)", "", "x86_64"]),
            "Linux-6.1_-x-x86_64"
        );
        assert_eq!(platform_from_parts(&["Darwin", "64bit"]), "Darwin-64bit");
    }

    #[test]
    fn virtual_names() {
        for v in [
            "veth1a2b", "docker0", "br-5f3a", "virbr0", "tun0", "wg0", "cni0",
        ] {
            assert!(is_virtual_name(v), "{v}");
        }
        for p in ["eth0", "wlan0", "enp3s0", "end0", "wlp2s0", "en0"] {
            assert!(!is_virtual_name(p), "{p}");
        }
    }
}
