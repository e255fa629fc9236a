//! Network: walking the `NET_RT_IFLIST2` sysctl buffer (`if_msghdr2` +
//! `if_data64`), summing psutil-style io counters, choosing the primary
//! interface, and the little-endian readers the byte layouts need.

use super::identity::non_empty;
use crate::platform::shared::{is_virtual_name, Ipv4Info};
use crate::snapshot::{Interface, NetIoCounters, PrimaryInterface};

/// Layout of `struct if_msghdr2` (packed(4)) followed by `struct if_data64`,
/// as returned by sysctl {CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLIST2, 0}.
/// The macOS shim asserts these against libc's definitions at compile time.
pub mod ifmsg {
    pub const RTM_IFINFO2: u8 = 0x12;
    pub const RTA_IFP: i32 = 0x10;
    pub const AF_LINK: u8 = 18;
    pub const IFF_UP: i32 = 0x1;
    pub const IFF_LOOPBACK: i32 = 0x8;
    pub const IFF_RUNNING: i32 = 0x40;
    pub const IF_MSGHDR2_LEN: usize = 160;
    pub const OFF_TYPE: usize = 3;
    pub const OFF_ADDRS: usize = 4;
    pub const OFF_FLAGS: usize = 8;
    pub const OFF_INDEX: usize = 12;
    /// `ifm_data` (if_data64) within if_msghdr2.
    pub const OFF_DATA: usize = 32;
    /// Offsets within if_data64.
    pub const D_MTU: usize = 8;
    pub const D_BAUDRATE: usize = 16;
    pub const D_IPACKETS: usize = 24;
    pub const D_IERRORS: usize = 32;
    pub const D_OPACKETS: usize = 40;
    pub const D_OERRORS: usize = 48;
    pub const D_IBYTES: usize = 64;
    pub const D_OBYTES: usize = 72;
    pub const D_IQDROPS: usize = 96;
    /// sockaddr_dl: sdl_nlen at 5, sdl_data (name first) at 8.
    pub const SDL_FAMILY: usize = 1;
    pub const SDL_NLEN: usize = 5;
    pub const SDL_DATA: usize = 8;
}

/// One interface from an RTM_IFINFO2 message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IfInfo {
    pub index: u16,
    pub name: Option<String>,
    pub flags: i32,
    pub mtu: u32,
    pub baudrate: u64,
    pub ipackets: u64,
    pub ierrors: u64,
    pub opackets: u64,
    pub oerrors: u64,
    pub ibytes: u64,
    pub obytes: u64,
    pub iqdrops: u64,
}

impl IfInfo {
    pub fn is_up(&self) -> bool {
        self.flags & ifmsg::IFF_UP != 0 && self.flags & ifmsg::IFF_RUNNING != 0
    }
    pub fn is_loopback(&self) -> bool {
        self.flags & ifmsg::IFF_LOOPBACK != 0
    }
}

/// Walk a NET_RT_IFLIST2 buffer; malformed or truncated messages end the walk.
pub fn parse_iflist2(buf: &[u8]) -> Vec<IfInfo> {
    use ifmsg::*;
    let mut out = Vec::new();
    let mut off = 0usize;
    while off + 4 <= buf.len() {
        let msglen = u16::from_le_bytes([buf[off], buf[off + 1]]) as usize;
        if msglen < 4 || off + msglen > buf.len() {
            break;
        }
        let msg = &buf[off..off + msglen];
        off += msglen;
        if msg[OFF_TYPE] != RTM_IFINFO2 || msg.len() < IF_MSGHDR2_LEN {
            continue;
        }
        let d = OFF_DATA;
        let u64_at = |o: usize| le_u64(msg, d + o).unwrap_or(0);
        let addrs = le_i32(msg, OFF_ADDRS).unwrap_or(0);
        let name = if addrs & RTA_IFP != 0 {
            sockaddr_dl_name(&msg[IF_MSGHDR2_LEN..])
        } else {
            None
        };
        out.push(IfInfo {
            index: u16::from_le_bytes([msg[OFF_INDEX], msg[OFF_INDEX + 1]]),
            name,
            flags: le_i32(msg, OFF_FLAGS).unwrap_or(0),
            mtu: le_i32(msg, d + D_MTU).unwrap_or(0) as u32,
            baudrate: u64_at(D_BAUDRATE),
            ipackets: u64_at(D_IPACKETS),
            ierrors: u64_at(D_IERRORS),
            opackets: u64_at(D_OPACKETS),
            oerrors: u64_at(D_OERRORS),
            ibytes: u64_at(D_IBYTES),
            obytes: u64_at(D_OBYTES),
            iqdrops: u64_at(D_IQDROPS),
        });
    }
    out
}

fn sockaddr_dl_name(sa: &[u8]) -> Option<String> {
    use ifmsg::*;
    if sa.len() <= SDL_DATA || sa[SDL_FAMILY] != AF_LINK {
        return None;
    }
    let sdl_len = (sa[0] as usize).min(sa.len());
    let nlen = sa[SDL_NLEN] as usize;
    let name = sa.get(SDL_DATA..(SDL_DATA + nlen).min(sdl_len.max(SDL_DATA)))?;
    non_empty(&String::from_utf8_lossy(name))
}

/// psutil's net_io_counters() on macOS: the sum over every interface,
/// loopback included; dropout is always 0 there (no such counter).
pub fn io_counters(ifaces: &[IfInfo]) -> NetIoCounters {
    let mut c = NetIoCounters::default();
    for i in ifaces {
        c.bytes_sent += i.obytes;
        c.bytes_recv += i.ibytes;
        c.packets_sent += i.opackets;
        c.packets_recv += i.ipackets;
        c.errin += i.ierrors;
        c.errout += i.oerrors;
        c.dropin += i.iqdrops;
    }
    c
}

/// The primary interface: the lowest-index interface that is up and
/// running, not loopback, and has an IPv4 address (en0 on most Macs).
/// MTU and link speed (if_data64 baudrate) come from the same message;
/// macOS exposes no duplex there, so it is "unknown".
pub fn primary_interface(
    ifaces: &[IfInfo],
    addrs: &[(String, Ipv4Info)],
) -> Option<PrimaryInterface> {
    let mut candidates: Vec<&IfInfo> = ifaces
        .iter()
        .filter(|i| i.is_up() && !i.is_loopback())
        .filter(|i| {
            i.name
                .as_deref()
                .is_some_and(|n| addrs.iter().any(|(a, _)| a == n))
        })
        .collect();
    candidates.sort_by_key(|i| i.index);
    let iface = candidates.first()?;
    let name = iface.name.clone()?;
    let addr = addrs.iter().find(|(a, _)| *a == name).map(|(_, a)| a);
    Some(PrimaryInterface {
        ipv4: addr.map(|a| a.ip.clone()),
        netmask: addr.map(|a| a.netmask.clone()),
        broadcast: addr.and_then(|a| a.broadcast.clone()),
        speed_mbps: Some(iface.baudrate / 1_000_000).filter(|s| *s > 0),
        mtu: Some(iface.mtu).filter(|m| *m > 0),
        duplex: "unknown".into(),
        name,
    })
}

/// macOS software interfaces beyond the shared names: tunnels, bridges,
/// Apple Wireless Direct Link and its low-latency twin.
const MACOS_VIRTUAL: &[&str] = &["utun", "bridge", "awdl", "llw", "gif", "stf", "anpi"];

/// Every up interface but loopback, sorted by name, with its counters from
/// the same RTM_IFINFO2 message (macOS has no per-interface IPv6 or MAC
/// there: null; no duplex: "unknown"; no per-interface output drops: 0).
pub fn interfaces(ifaces: &[IfInfo], addrs: &[(String, Ipv4Info)]) -> Vec<Interface> {
    let mut out: Vec<Interface> = ifaces
        .iter()
        .filter(|i| i.is_up() && !i.is_loopback())
        .filter_map(|i| {
            let name = i.name.clone()?;
            Some(Interface {
                is_virtual: is_virtual_name(&name)
                    || MACOS_VIRTUAL.iter().any(|p| name.starts_with(p)),
                ipv4: addrs
                    .iter()
                    .find(|(a, _)| *a == name)
                    .map(|(_, a)| a.ip.clone()),
                ipv6: None,
                mac: None,
                speed_mbps: Some(i.baudrate / 1_000_000).filter(|s| *s > 0),
                mtu: Some(i.mtu).filter(|m| *m > 0),
                duplex: "unknown".into(),
                bytes_sent: i.obytes,
                bytes_recv: i.ibytes,
                packets_sent: i.opackets,
                packets_recv: i.ipackets,
                errin: i.ierrors,
                errout: i.oerrors,
                dropin: i.iqdrops,
                dropout: 0,
                name,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub(super) fn le_u64(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

pub(super) fn le_i32(b: &[u8], off: usize) -> Option<i32> {
    Some(i32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds one RTM_IFINFO2 message the way the kernel lays it out.
    fn ifmsg(index: u16, name: &str, flags: i32, counters: [u64; 7], mtu: u32) -> Vec<u8> {
        use ifmsg::*;
        let mut sdl = vec![0u8; 8 + name.len().max(12)];
        sdl[0] = sdl.len() as u8;
        sdl[SDL_FAMILY] = AF_LINK;
        sdl[2..4].copy_from_slice(&index.to_le_bytes());
        sdl[SDL_NLEN] = name.len() as u8;
        sdl[SDL_DATA..SDL_DATA + name.len()].copy_from_slice(name.as_bytes());
        let mut m = vec![0u8; IF_MSGHDR2_LEN];
        let len = (IF_MSGHDR2_LEN + sdl.len()) as u16;
        m[0..2].copy_from_slice(&len.to_le_bytes());
        m[2] = 5; // RTM_VERSION
        m[OFF_TYPE] = RTM_IFINFO2;
        m[OFF_ADDRS..OFF_ADDRS + 4].copy_from_slice(&RTA_IFP.to_le_bytes());
        m[OFF_FLAGS..OFF_FLAGS + 4].copy_from_slice(&flags.to_le_bytes());
        m[OFF_INDEX..OFF_INDEX + 2].copy_from_slice(&index.to_le_bytes());
        let d = OFF_DATA;
        m[d + D_MTU..d + D_MTU + 4].copy_from_slice(&mtu.to_le_bytes());
        m[d + D_BAUDRATE..d + D_BAUDRATE + 8].copy_from_slice(&1_000_000_000u64.to_le_bytes());
        for (o, v) in [
            D_IPACKETS, D_IERRORS, D_OPACKETS, D_OERRORS, D_IBYTES, D_OBYTES, D_IQDROPS,
        ]
        .into_iter()
        .zip(counters)
        {
            m[d + o..d + o + 8].copy_from_slice(&v.to_le_bytes());
        }
        m.extend_from_slice(&sdl);
        m
    }

    /// An RTM_NEWADDR-like message the walker must skip.
    fn other_msg() -> Vec<u8> {
        let mut m = vec![0u8; 20];
        m[0] = 20;
        m[3] = 0x0c;
        m
    }

    #[test]
    fn iflist2_walk_counters_and_primary() {
        let up = ifmsg::IFF_UP | ifmsg::IFF_RUNNING;
        let mut buf = ifmsg(
            1,
            "lo0",
            up | ifmsg::IFF_LOOPBACK,
            [5, 0, 5, 0, 500, 500, 0],
            16384,
        );
        buf.extend(other_msg());
        buf.extend(ifmsg(4, "utun0", up, [1, 0, 1, 0, 10, 10, 0], 1380));
        buf.extend(ifmsg(6, "en0", up, [100, 1, 80, 2, 10_000, 8_000, 3], 1500));
        buf.extend(ifmsg(7, "en1", ifmsg::IFF_UP, [0; 7], 1500));
        let ifs = parse_iflist2(&buf);
        assert_eq!(ifs.len(), 4);
        assert_eq!(ifs[2].name.as_deref(), Some("en0"));
        assert_eq!(
            (ifs[2].index, ifs[2].mtu, ifs[2].ibytes, ifs[2].obytes),
            (6, 1500, 10_000, 8_000)
        );
        assert!(ifs[0].is_loopback() && !ifs[3].is_up());

        let c = io_counters(&ifs);
        assert_eq!(c.bytes_recv, 10_510);
        assert_eq!(c.bytes_sent, 8_510);
        assert_eq!((c.packets_recv, c.packets_sent), (106, 86));
        assert_eq!((c.errin, c.errout, c.dropin, c.dropout), (1, 2, 3, 0));

        let addr = |n: &str, ip: &str| {
            (
                n.to_string(),
                Ipv4Info {
                    ip: ip.into(),
                    netmask: "255.255.255.0".into(),
                    broadcast: Some("192.168.1.255".into()),
                },
            )
        };
        let addrs = vec![
            addr("lo0", "127.0.0.1"),
            addr("en1", "10.0.0.2"),
            addr("en0", "192.168.1.20"),
        ];
        let p = primary_interface(&ifs, &addrs).unwrap();
        assert_eq!(p.name, "en0");
        assert_eq!(p.ipv4.as_deref(), Some("192.168.1.20"));
        assert_eq!(
            (p.mtu, p.speed_mbps, p.duplex.as_str()),
            (Some(1500), Some(1000), "unknown")
        );
        assert!(primary_interface(&ifs, &addrs[..1]).is_none());

        // every up, non-loopback interface, by name, with its own counters
        let list = interfaces(&ifs, &addrs);
        let brief: Vec<(&str, Option<&str>, u64, u64)> = list
            .iter()
            .map(|i| {
                (
                    i.name.as_str(),
                    i.ipv4.as_deref(),
                    i.bytes_recv,
                    i.bytes_sent,
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                ("en0", Some("192.168.1.20"), 10_000, 8_000),
                ("utun0", None, 10, 10)
            ]
        );
        assert!(!list[0].is_virtual && list[1].is_virtual);
        assert_eq!((list[0].errin, list[0].errout, list[0].dropin), (1, 2, 3));
    }

    #[test]
    fn iflist2_truncated_or_garbage_is_safe() {
        let up = ifmsg::IFF_UP | ifmsg::IFF_RUNNING;
        let full = ifmsg(6, "en0", up, [1; 7], 1500);
        for cut in [0, 3, 4, 100, 159, 160, full.len() - 1] {
            let ifs = parse_iflist2(&full[..cut]);
            assert!(ifs.is_empty(), "cut {cut}");
        }
        assert!(parse_iflist2(&[0xff; 64]).is_empty());
        assert!(parse_iflist2(&[0; 64]).is_empty());
        // a message whose sockaddr claims a longer name than it holds
        let mut lying = full.clone();
        lying[ifmsg::IF_MSGHDR2_LEN + ifmsg::SDL_NLEN] = 200;
        assert_eq!(parse_iflist2(&lying).len(), 1);
    }
}
