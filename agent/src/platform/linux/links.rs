//! Link facts of network interfaces from `/sys/class/net` (up, virtual,
//! MAC, speed, MTU, duplex): the one link type, discovered on the slow
//! cadence and shared by the interface list and the primary interface.

use super::files::Roots;
use crate::platform::shared::is_virtual_name;

/// Virtual by name, or sysfs says so (a bridge, a tun/tap device, or a
/// device under `/sys/devices/virtual`).
fn is_virtual(roots: &Roots, name: &str) -> bool {
    let base = format!("class/net/{name}");
    is_virtual_name(name)
        || roots.sys_exists(&format!("{base}/bridge"))
        || roots.sys_exists(&format!("{base}/tun_flags"))
        || roots
            .sys_canonical(&base)
            .is_some_and(|p| p.to_string_lossy().contains("/devices/virtual/"))
}

/// What sysfs says about an interface; discovered on the slow cadence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkFacts {
    pub name: String,
    pub up: bool,
    pub is_virtual: bool,
    pub mac: Option<String>,
    pub speed_mbps: Option<u64>,
    pub mtu: Option<u32>,
    pub duplex: String,
}

pub fn link_facts(roots: &Roots, name: &str) -> LinkFacts {
    let base = format!("class/net/{name}");
    let flags = roots
        .sys_value(&format!("{base}/flags"))
        .and_then(|f| u32::from_str_radix(f.trim_start_matches("0x"), 16).ok());
    let operstate = roots.sys_value(&format!("{base}/operstate"));
    LinkFacts {
        name: name.to_string(),
        // IFF_UP, else operstate
        up: flags.map(|f| f & 0x1 != 0).unwrap_or(false) || operstate.as_deref() == Some("up"),
        // -1 or an unreadable file means unknown
        speed_mbps: roots
            .sys_value(&format!("{base}/speed"))
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|s| *s > 0)
            .map(|s| s as u64),
        mtu: roots
            .sys_value(&format!("{base}/mtu"))
            .and_then(|s| s.parse().ok()),
        duplex: match roots.sys_value(&format!("{base}/duplex")).as_deref() {
            Some("full") => "full".into(),
            Some("half") => "half".into(),
            _ => "unknown".into(),
        },
        is_virtual: is_virtual(roots, name),
        mac: roots
            .sys_value(&format!("{base}/address"))
            .filter(|m| !m.is_empty()),
    }
}

/// Every interface under `/sys/class/net` but loopback.
pub fn discover(roots: &Roots) -> Vec<LinkFacts> {
    super::files::list_dir(&roots.sys_path("class/net"))
        .into_iter()
        .filter(|n| n != "lo")
        .map(|n| link_facts(roots, &n))
        .collect()
}

/// An interface's link facts from the discovery, read now when it appeared since.
pub fn facts_for(roots: &Roots, known: &[LinkFacts], name: &str) -> LinkFacts {
    match known.iter().find(|k| k.name == name) {
        Some(k) => k.clone(),
        None => link_facts(roots, name),
    }
}
