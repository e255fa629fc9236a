//! Network: the summed `io_counters`, the `primary_interface` and the
//! per-interface list.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Network {
    pub io_counters: Option<NetIoCounters>,
    pub primary_interface: Option<PrimaryInterface>,
    /// Every up, non-loopback interface.
    pub interfaces: Vec<Interface>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct NetIoCounters {
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub packets_sent: u64,
    pub packets_recv: u64,
    pub errin: u64,
    pub errout: u64,
    pub dropin: u64,
    pub dropout: u64,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct PrimaryInterface {
    pub name: String,
    pub ipv4: Option<String>,
    pub netmask: Option<String>,
    pub broadcast: Option<String>,
    pub speed_mbps: Option<u64>,
    pub mtu: Option<u32>,
    pub duplex: String,
}

/// One up, non-loopback network interface.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Interface {
    pub name: String,
    /// veth, docker, bridges, tun/tap and other software interfaces.
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    pub ipv4: Option<String>,
    /// The first global address, else the first link-local one.
    pub ipv6: Option<String>,
    pub mac: Option<String>,
    pub speed_mbps: Option<u64>,
    pub mtu: Option<u32>,
    pub duplex: String,
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub packets_sent: u64,
    pub packets_recv: u64,
    pub errin: u64,
    pub errout: u64,
    pub dropin: u64,
    pub dropout: u64,
}
