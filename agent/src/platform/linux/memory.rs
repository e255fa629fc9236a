//! Memory and swap from `/proc/meminfo` and `/proc/vmstat`, with psutil's
//! Linux semantics (cached includes SReclaimable; used excludes buffers and cache).

use super::files::parse_guarded;
use crate::snapshot::{Memory, Swap};
use crate::units::percent;
use procfs_core::{FromBufRead, Meminfo};

pub fn parse_meminfo(text: &str) -> Option<Meminfo> {
    parse_guarded(text, |b| Meminfo::from_buf_read(b))
}

/// psutil's virtual_memory() from meminfo values (bytes).
pub fn memory(m: &Meminfo) -> Memory {
    let total = m.mem_total;
    let free = m.mem_free;
    let buffers = m.buffers;
    let cached = m.cached.saturating_add(m.s_reclaimable.unwrap_or(0));
    let mut used = total as i128 - free as i128 - buffers as i128 - cached as i128;
    if used < 0 {
        used = total as i128 - free as i128;
    }
    let available = match m.mem_available {
        Some(a) if a <= total => a,
        // some containers (LXC) report more than the total: psutil falls back to free
        Some(_) => free,
        None => estimate_available(m).min(total),
    };
    Memory {
        total,
        available,
        percent: percent(total.saturating_sub(available) as f64, total as f64),
        used: used.max(0) as u64,
        free,
        active: Some(m.active),
        inactive: Some(m.inactive),
        buffers: Some(buffers),
        cached: Some(cached),
        shared: m.shmem,
        slab: Some(m.slab),
    }
}

/// Kernels before 3.14 have no MemAvailable: like psutil without zoneinfo,
/// estimate it as MemFree + Cached.
fn estimate_available(m: &Meminfo) -> u64 {
    m.mem_free.saturating_add(m.cached)
}

/// pswpin/pswpout (pages swapped in/out since boot) from `/proc/vmstat`.
pub fn parse_vmstat_swap(text: &str) -> (Option<u64>, Option<u64>) {
    let mut sin = None;
    let mut sout = None;
    for line in text.lines() {
        let mut it = line.split_whitespace();
        match (it.next(), it.next().and_then(|v| v.parse::<u64>().ok())) {
            (Some("pswpin"), Some(v)) => sin = Some(v),
            (Some("pswpout"), Some(v)) => sout = Some(v),
            _ => {}
        }
    }
    (sin, sout)
}

/// psutil's swap_memory(); sin/sout in bytes (pages times the page size).
pub fn swap(m: &Meminfo, vmstat: Option<&str>, page_size: u64) -> Swap {
    let total = m.swap_total;
    let free = m.swap_free.min(total);
    let used = total.saturating_sub(free);
    let (sin, sout) = vmstat.map(parse_vmstat_swap).unwrap_or((None, None));
    Swap {
        total,
        used,
        free,
        percent: percent(used as f64, total as f64),
        sin: sin.map(|p| p.saturating_mul(page_size)),
        sout: sout.map(|p| p.saturating_mul(page_size)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:        1000 kB\nMemFree:          100 kB\nMemAvailable:     600 kB\nBuffers:           50 kB\nCached:           300 kB\nSwapCached:         0 kB\nActive:           400 kB\nInactive:         200 kB\nSwapTotal:        512 kB\nSwapFree:         384 kB\nDirty:              0 kB\nWriteback:          0 kB\nMapped:            10 kB\nShmem:             20 kB\nSlab:              70 kB\nSReclaimable:      40 kB\nCommitted_AS:       0 kB\nVmallocTotal:       0 kB\nVmallocUsed:        0 kB\nVmallocChunk:       0 kB\n";

    #[test]
    fn psutil_memory_semantics() {
        let m = parse_meminfo(MEMINFO).expect("parses");
        let mem = memory(&m);
        assert_eq!(mem.total, 1_024_000);
        assert_eq!(mem.cached, Some(340 * 1024));
        assert_eq!(mem.used, (1000 - 100 - 50 - 340) * 1024);
        assert_eq!(mem.percent, 40.0);
        assert_eq!(mem.shared, Some(20 * 1024));
    }

    #[test]
    fn available_above_total_falls_back_to_free() {
        let text = MEMINFO.replace("MemAvailable:     600 kB", "MemAvailable:    5000 kB");
        let mem = memory(&parse_meminfo(&text).expect("parses"));
        assert_eq!(mem.available, 100 * 1024);
        assert_eq!(mem.percent, 90.0);
    }

    #[test]
    fn swap_with_vmstat() {
        let m = parse_meminfo(MEMINFO).expect("parses");
        let s = swap(&m, Some("pgfault 5\npswpin 3\npswpout 7\n"), 4096);
        assert_eq!(
            (s.total, s.used, s.free),
            (512 * 1024, 128 * 1024, 384 * 1024)
        );
        assert_eq!(s.percent, 25.0);
        assert_eq!((s.sin, s.sout), (Some(3 * 4096), Some(7 * 4096)));
        assert_eq!(swap(&m, None, 4096).sin, None);
    }

    #[test]
    fn bad_meminfo_is_none_not_panic() {
        for text in [
            "",
            "MemTotal: x kB",
            "é:",
            "MemTotal: 99999999999999999999 kB",
        ] {
            let _ = parse_meminfo(text).map(|m| memory(&m));
        }
    }
}
