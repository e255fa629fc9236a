//! Host identity and CPU: Python's `platform.platform()` string, `uname -p`
//! processor, `hw.cpufrequency` → MHz, small string helpers, and per-core
//! `cpu_ticks` → the sampler's `CpuReading`.

use crate::cpu_usage::{CpuReading, CpuTimes};

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
    crate::platform::shared::platform_from_parts(&parts)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
