//! Memory and swap: `vm_statistics64` page counts → `Memory` (psutil's
//! virtual_memory) and `vm.swapusage` (raw `xsw_usage` or sysctl text) →
//! `Swap` (psutil's swap_memory).

use super::network::le_u64;
use crate::snapshot::{Memory, Swap};
use crate::units::percent;

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
}
