//! Pure parsing for the macOS collector. Compiled on every platform so the
//! arithmetic and byte layouts are unit-tested on Linux; the macOS shim
//! (`platform::macos`) only fetches raw values and hands them here.
//!
//! Semantics follow psutil on macOS (virtual_memory, swap_memory,
//! net_io_counters, boot_time) and Python's `platform.platform()`.

use crate::cpu_usage::{CpuReading, CpuTimes};
use crate::snapshot::{LoadAvg, Memory, NetIoCounters, PrimaryInterface, Swap, Uptime};
use crate::units::{human_uptime, percent, rfc3339_at_offset};
use chrono::{Local, Offset, TimeZone};

// ---------------------------------------------------------------- memory

/// Page counts from `host_statistics64(HOST_VM_INFO64)` (vm_statistics64).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VmPages {
    pub free: u64,
    pub active: u64,
    pub inactive: u64,
    pub wired: u64,
    pub speculative: u64,
    /// Cumulative pages paged in / out (psutil's swap sin/sout source).
    pub pageins: u64,
    pub pageouts: u64,
}

/// psutil's macOS virtual_memory(): available = inactive + free,
/// used = active + wired, free = free - speculative,
/// percent = (total - available) / total.
pub fn memory(total: u64, pages: &VmPages, page_size: u64) -> Memory {
    let b = |p: u64| p.saturating_mul(page_size);
    let (active, inactive, wired) = (b(pages.active), b(pages.inactive), b(pages.wired));
    let free = b(pages.free);
    let available = inactive.saturating_add(free);
    Memory {
        total,
        available,
        percent: percent(total.saturating_sub(available) as f64, total as f64),
        used: active.saturating_add(wired),
        free: free.saturating_sub(b(pages.speculative)),
        active: Some(active),
        inactive: Some(inactive),
        buffers: None,
        cached: None,
        shared: None,
        slab: None,
    }
}

// ------------------------------------------------------------------ swap

/// `vm.swapusage` in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SwapUsage {
    pub total: u64,
    pub used: u64,
    pub free: u64,
}

/// Size of `struct xsw_usage` (u64 total, avail, used; u32 pagesize; boolean_t encrypted).
pub const XSW_USAGE_LEN: usize = 32;

/// `vm.swapusage` as the sysctl crate returns it on macOS: the raw
/// `struct xsw_usage` bytes (`CtlValue::Struct`), little-endian.
pub fn swap_usage_from_struct(bytes: &[u8]) -> Option<SwapUsage> {
    if bytes.len() < 24 {
        return None;
    }
    let total = le_u64(bytes, 0)?;
    let avail = le_u64(bytes, 8)?;
    let used = le_u64(bytes, 16)?;
    Some(SwapUsage {
        total,
        used: used.min(total),
        free: avail.min(total),
    })
}

/// The text form `sysctl vm.swapusage` prints:
/// "total = 2048.00M  used = 1024.50M  free = 1023.50M  (encrypted)".
pub fn swap_usage_from_text(text: &str) -> Option<SwapUsage> {
    let mut total = None;
    let mut used = None;
    let mut free = None;
    let mut tokens = text.split_whitespace();
    while let Some(key) = tokens.next() {
        let slot = match key {
            "total" => &mut total,
            "used" => &mut used,
            "free" => &mut free,
            _ => continue,
        };
        if tokens.next() != Some("=") {
            return None;
        }
        *slot = Some(parse_size(tokens.next()?)?);
    }
    Some(SwapUsage {
        total: total?,
        used: used?,
        free: free?,
    })
}

/// "1024.50M" → bytes (binary multiples, as sysctl prints them).
fn parse_size(s: &str) -> Option<u64> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: f64 = num.parse().ok()?;
    let mult: f64 = match unit {
        "" | "B" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    (value.is_finite() && value >= 0.0).then(|| (value * mult).round() as u64)
}

/// psutil's swap_memory(): percent = used / total; sin/sout are pageins and
/// pageouts times the page size (psutil reads the same vm_statistics64).
pub fn swap(usage: SwapUsage, pages: Option<&VmPages>, page_size: u64) -> Swap {
    Swap {
        total: usage.total,
        used: usage.used,
        free: usage.free,
        percent: percent(usage.used as f64, usage.total as f64),
        sin: pages.map(|p| p.pageins.saturating_mul(page_size)),
        sout: pages.map(|p| p.pageouts.saturating_mul(page_size)),
    }
}

// ---------------------------------------------------------- boot, uptime

/// `kern.boottime` as the sysctl crate 0.6 returns it on macOS: the raw
/// `struct timeval` (`CtlValue::Struct`): 16 bytes (i64 tv_sec, i32 tv_usec,
/// padding) on 64-bit, 8 bytes (i32, i32) on 32-bit. Unix seconds.
pub fn boot_time_from_timeval(bytes: &[u8]) -> Option<u64> {
    let sec = match bytes.len() {
        n if n >= 16 => i64::from_le_bytes(bytes[..8].try_into().ok()?),
        n if n >= 8 => i32::from_le_bytes(bytes[..4].try_into().ok()?) as i64,
        _ => return None,
    };
    u64::try_from(sec).ok().filter(|s| *s > 0)
}

/// The text form `sysctl kern.boottime` prints:
/// "{ sec = 1695471234, usec = 123456 } Sat Sep 23 14:13:54 2023".
pub fn boot_time_from_text(text: &str) -> Option<u64> {
    let rest = &text[text.find("sec")? + 3..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok().filter(|s| *s > 0)
}

/// Uptime from the boot time (Unix seconds) and now, with the boot time in
/// the host's local offset (same shape as on Linux).
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

/// getloadavg(3) values rounded to two decimals.
pub fn load_avg(values: [f64; 3]) -> Option<LoadAvg> {
    if values.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let r2 = |v: f64| (v * 100.0).round() / 100.0;
    Some(LoadAvg {
        load1: r2(values[0]),
        load5: r2(values[1]),
        load15: r2(values[2]),
    })
}

// -------------------------------------------------------------- identity

/// `uname -p` on macOS for a `uname -m` machine: "arm" on Apple silicon,
/// "i386" on Intel (what Python's platform.processor() reports).
pub fn uname_processor(machine: &str) -> &'static str {
    match machine {
        m if m.starts_with("arm") || m.starts_with("aarch64") => "arm",
        "x86_64" | "i386" | "i686" => "i386",
        _ => "",
    }
}

/// Python's platform.platform() on macOS:
/// "macOS-<product version>-<machine>-<processor>-64bit", e.g.
/// "macOS-14.5-arm64-arm-64bit"; "Darwin-<kernel release>-…" when the
/// product version is unknown (Python falls back the same way).
pub fn platform_string(
    product_version: Option<&str>,
    kernel_release: Option<&str>,
    machine: Option<&str>,
) -> String {
    let (system, release) = match product_version.filter(|v| !v.is_empty()) {
        Some(v) => ("macOS", Some(v)),
        None => ("Darwin", kernel_release),
    };
    let mut parts: Vec<&str> = vec![system];
    parts.extend(release);
    if let Some(m) = machine {
        parts.push(m);
        parts.push(uname_processor(m));
    }
    parts.push("64bit");
    let mut s = parts
        .into_iter()
        .filter(|p| !p.is_empty())
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

/// hw.cpufrequency (Hz; absent on Apple silicon) → MHz, one decimal.
pub fn hz_to_mhz(hz: u64) -> Option<f64> {
    (hz > 0).then(|| crate::units::round1(hz as f64 / 1_000_000.0))
}

/// A non-empty trimmed string, else None.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches('\0').trim();
    (!t.is_empty()).then(|| t.to_string())
}

// ------------------------------------------------------------------- cpu

/// One core's `processor_cpu_load_info.cpu_ticks`, in the kernel's order
/// CPU_STATE_USER, CPU_STATE_SYSTEM, CPU_STATE_IDLE, CPU_STATE_NICE.
pub type CoreTicks = [u32; 4];

/// Per-core ticks from host_processor_info → the sampler's reading; the
/// aggregate is the per-core sum (as psutil's cpu_times on macOS).
pub fn cpu_reading(cores: &[CoreTicks]) -> CpuReading {
    let per_core: Vec<CpuTimes> = cores
        .iter()
        .map(|t| CpuTimes {
            user: t[0] as u64,
            system: t[1] as u64,
            idle: t[2] as u64,
            nice: t[3] as u64,
            ..Default::default()
        })
        .collect();
    let mut total = CpuTimes::default();
    for c in &per_core {
        total.user += c.user;
        total.system += c.system;
        total.idle += c.idle;
        total.nice += c.nice;
    }
    CpuReading { total, per_core }
}

// --------------------------------------------------------------- network

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

/// An interface's IPv4 address (from getifaddrs).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv4Addr {
    pub name: String,
    pub ip: String,
    pub netmask: String,
    pub broadcast: Option<String>,
}

/// The primary interface: the lowest-index interface that is up and
/// running, not loopback, and has an IPv4 address (en0 on most Macs).
/// MTU and link speed (if_data64 baudrate) come from the same message;
/// macOS exposes no duplex there, so it is "unknown".
pub fn primary_interface(ifaces: &[IfInfo], addrs: &[Ipv4Addr]) -> Option<PrimaryInterface> {
    let mut candidates: Vec<&IfInfo> = ifaces
        .iter()
        .filter(|i| i.is_up() && !i.is_loopback())
        .filter(|i| {
            i.name
                .as_deref()
                .is_some_and(|n| addrs.iter().any(|a| a.name == n))
        })
        .collect();
    candidates.sort_by_key(|i| i.index);
    let iface = candidates.first()?;
    let name = iface.name.clone()?;
    let addr = addrs.iter().find(|a| a.name == name);
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

// --------------------------------------------------------------- helpers

fn le_u64(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

fn le_i32(b: &[u8], off: usize) -> Option<i32> {
    Some(i32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_like_psutil() {
        // 16 KiB pages, 8 GiB total
        let pages = VmPages {
            free: 10_000,
            active: 200_000,
            inactive: 150_000,
            wired: 100_000,
            speculative: 4_000,
            pageins: 7,
            pageouts: 3,
        };
        let ps = 16_384;
        let m = memory(8 * 1024 * 1024 * 1024, &pages, ps);
        assert_eq!(m.available, (150_000 + 10_000) * ps);
        assert_eq!(m.used, (200_000 + 100_000) * ps);
        assert_eq!(m.free, (10_000 - 4_000) * ps);
        assert_eq!(m.active, Some(200_000 * ps));
        assert_eq!(m.inactive, Some(150_000 * ps));
        // (8 GiB - 2.44 GiB) / 8 GiB
        let expected = ((8u64 << 30) - 160_000 * ps) as f64 / (8u64 << 30) as f64 * 100.0;
        assert_eq!(m.percent, crate::units::round1(expected));
        assert_eq!(m.percent, 69.5);
        assert_eq!(
            (m.buffers, m.cached, m.shared, m.slab),
            (None, None, None, None)
        );
    }

    #[test]
    fn memory_never_underflows() {
        let pages = VmPages {
            free: 1,
            speculative: 5,
            inactive: u64::MAX / 2,
            ..Default::default()
        };
        let m = memory(100, &pages, 4096);
        assert_eq!(m.free, 0);
        assert_eq!(m.percent, 0.0);
        let z = memory(0, &VmPages::default(), 4096);
        assert_eq!(z.percent, 0.0);
    }

    #[test]
    fn swapusage_text() {
        let s =
            swap_usage_from_text("total = 2048.00M  used = 1024.50M  free = 1023.50M  (encrypted)")
                .unwrap();
        assert_eq!(s.total, 2048 * 1024 * 1024);
        assert_eq!(s.used, 1_074_266_112); // 1024.5 MiB
        assert_eq!(s.free, 1_073_217_536);
        let none = swap_usage_from_text("total = 0.00M  used = 0.00M  free = 0.00M  ").unwrap();
        assert_eq!(none, SwapUsage::default());
        assert_eq!(
            swap_usage_from_text("total = 1.00G used = 512.00K free = 0.50G").map(|s| s.used),
            Some(512 * 1024)
        );
        for bad in [
            "",
            "total = x",
            "total = 5.00Q used = 1M free = 1M",
            "total 1M",
        ] {
            assert_eq!(swap_usage_from_text(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn swapusage_struct() {
        let mut b = Vec::new();
        b.extend_from_slice(&(2048u64 << 20).to_le_bytes()); // total
        b.extend_from_slice(&(1024u64 << 20).to_le_bytes()); // avail
        b.extend_from_slice(&(1024u64 << 20).to_le_bytes()); // used
        b.extend_from_slice(&16_384u32.to_le_bytes()); // pagesize
        b.extend_from_slice(&1i32.to_le_bytes()); // encrypted
        assert_eq!(b.len(), XSW_USAGE_LEN);
        let u = swap_usage_from_struct(&b).unwrap();
        assert_eq!(
            (u.total, u.used, u.free),
            (2048 << 20, 1024 << 20, 1024 << 20)
        );
        assert_eq!(swap_usage_from_struct(&b[..10]), None);

        let pages = VmPages {
            pageins: 10,
            pageouts: 2,
            ..Default::default()
        };
        let s = swap(u, Some(&pages), 16_384);
        assert_eq!(s.percent, 50.0);
        assert_eq!((s.sin, s.sout), (Some(163_840), Some(32_768)));
        let s = swap(SwapUsage::default(), None, 4096);
        assert_eq!((s.percent, s.sin, s.sout), (0.0, None, None));
    }

    #[test]
    fn boottime_forms() {
        let mut tv = Vec::new();
        tv.extend_from_slice(&1_695_471_234i64.to_le_bytes());
        tv.extend_from_slice(&123_456i32.to_le_bytes());
        tv.extend_from_slice(&[0; 4]);
        assert_eq!(boot_time_from_timeval(&tv), Some(1_695_471_234));
        let mut tv32 = Vec::new();
        tv32.extend_from_slice(&1_695_471_234i32.to_le_bytes());
        tv32.extend_from_slice(&5i32.to_le_bytes());
        assert_eq!(boot_time_from_timeval(&tv32), Some(1_695_471_234));
        assert_eq!(boot_time_from_timeval(&[1, 2, 3]), None);
        assert_eq!(boot_time_from_timeval(&[0; 16]), None);
        assert_eq!(
            boot_time_from_timeval(&(-5i64).to_le_bytes().repeat(2)),
            None
        );

        assert_eq!(
            boot_time_from_text("{ sec = 1695471234, usec = 123456 } Sat Sep 23 14:13:54 2023"),
            Some(1_695_471_234)
        );
        assert_eq!(boot_time_from_text("{ sec=42, usec=0 }"), Some(42));
        assert_eq!(boot_time_from_text("nonsense"), None);
        assert_eq!(boot_time_from_text("{ sec = , usec = 1 }"), None);
    }

    #[test]
    fn uptime_and_load() {
        let u = uptime(1_000_000, 1_000_000 + 86_400 + 61).unwrap();
        assert_eq!((u.seconds, u.human.as_str()), (86_461, "1d 1m"));
        assert_eq!(uptime(2_000, 1_000).unwrap().seconds, 0);
        let l = load_avg([1.234, 0.5, 0.005]).unwrap();
        assert_eq!((l.load1, l.load5, l.load15), (1.23, 0.5, 0.01));
        assert!(load_avg([f64::NAN, 0.0, 0.0]).is_none());
    }

    #[test]
    fn platform_like_python() {
        assert_eq!(
            platform_string(Some("14.5"), Some("23.5.0"), Some("arm64")),
            "macOS-14.5-arm64-arm-64bit"
        );
        assert_eq!(
            platform_string(Some("13.6.1"), Some("22.6.0"), Some("x86_64")),
            "macOS-13.6.1-x86_64-i386-64bit"
        );
        assert_eq!(
            platform_string(None, Some("23.5.0"), Some("arm64")),
            "Darwin-23.5.0-arm64-arm-64bit"
        );
        assert_eq!(platform_string(Some(""), None, None), "Darwin-64bit");
    }

    #[test]
    fn small_helpers() {
        assert_eq!(hz_to_mhz(2_400_000_000), Some(2400.0));
        assert_eq!(hz_to_mhz(2_304_567_000), Some(2304.6));
        assert_eq!(hz_to_mhz(0), None);
        assert_eq!(non_empty("  Apple M2\0"), Some("Apple M2".into()));
        assert_eq!(non_empty(" \0"), None);
    }

    #[test]
    fn cpu_ticks_to_reading() {
        let r = cpu_reading(&[[10, 5, 100, 1], [20, 10, 50, 0]]);
        assert_eq!(r.per_core.len(), 2);
        assert_eq!(r.per_core[0].user, 10);
        assert_eq!(r.per_core[0].nice, 1);
        assert_eq!(r.total.user, 30);
        assert_eq!(r.total.system, 15);
        assert_eq!(r.total.idle, 150);
        assert_eq!(r.total.nice, 1);
        assert_eq!(r.total.total(), 196);
        // a window: core 0 fully busy, core 1 idle
        let later = cpu_reading(&[[20, 5, 100, 1], [20, 10, 60, 0]]);
        let w = crate::cpu_usage::CpuWindow::between(&r, &later);
        assert_eq!(w.per_core, vec![100.0, 0.0]);
        assert_eq!(w.percent, 50.0);
    }

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

        let addr = |n: &str, ip: &str| Ipv4Addr {
            name: n.into(),
            ip: ip.into(),
            netmask: "255.255.255.0".into(),
            broadcast: Some("192.168.1.255".into()),
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
