//! Host identity and time on Linux: hostname and kernel strings from
//! `/proc/sys/kernel`, the board model (device tree, else DMI), Python-style
//! platform string and load averages.

use super::files::{parse_guarded, Roots};
use crate::platform::shared::platform_from_parts;
use crate::snapshot::{LoadAvg, System};
use procfs_core::{FromRead, LoadAverage};

/// Board model: device tree (Raspberry Pi and other ARM boards), else DMI.
pub fn model(roots: &Roots) -> Option<String> {
    device_tree_model(roots)
        .or_else(|| roots.sys_value("class/dmi/id/product_name"))
        .filter(|m| !m.is_empty())
}

/// The board's device-tree model (`/proc/device-tree/model`, NUL-terminated).
pub fn device_tree_model(roots: &Roots) -> Option<String> {
    roots
        .proc("device-tree/model")
        .map(|m| m.trim_end_matches('\0').trim().to_string())
        .filter(|m| !m.is_empty())
}

/// Python's platform.platform() shape: "Linux-<release>-<machine>-with-glibc<ver>".
pub fn platform_string(
    os: &str,
    release: Option<&str>,
    machine: Option<&str>,
    libc: Option<&str>,
) -> String {
    let mut parts: Vec<&str> = vec![os];
    parts.extend(release);
    parts.extend(machine);
    if let Some(libc) = libc {
        parts.push("with");
        parts.push(libc);
    }
    platform_from_parts(&parts)
}

/// "glibc2.36" for the C library this binary runs on.
#[cfg(target_env = "gnu")]
pub fn libc_version() -> Option<String> {
    // SAFETY: gnu_get_libc_version returns a pointer to a static NUL-terminated string.
    let v = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
    Some(format!("glibc{}", v.to_string_lossy()))
}

#[cfg(not(target_env = "gnu"))]
pub fn libc_version() -> Option<String> {
    None
}

/// Machine architecture as `uname -m` prints it.
pub fn architecture() -> String {
    rustix::system::uname()
        .machine()
        .to_string_lossy()
        .into_owned()
}

/// The identity fields; `arch` is the running kernel's (not in procfs).
pub fn system(roots: &Roots, arch: &str, libc: Option<&str>) -> System {
    let value = |rel: &str| {
        roots
            .proc(rel)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let os_release = value("sys/kernel/osrelease");
    System {
        hostname: value("sys/kernel/hostname"),
        os: "Linux".into(),
        platform: Some(platform_string(
            "Linux",
            os_release.as_deref(),
            Some(arch),
            libc,
        )),
        os_release,
        os_version: value("sys/kernel/version"),
        architecture: Some(arch.to_string()),
        model: model(roots),
        // the live kernel's, set by the collector
        clock_synchronized: None,
    }
}

/// Uptime from the boot time (Unix seconds) and now, with the boot time in
/// the host's local offset.
pub fn load_avg(text: &str) -> Option<LoadAvg> {
    let l = parse_guarded(text, |b| LoadAverage::from_read(b))?;
    let r2 = |v: f32| (v as f64 * 100.0).round() / 100.0;
    Some(LoadAvg {
        load1: r2(l.one),
        load5: r2(l.five),
        load15: r2(l.fifteen),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_like_python() {
        assert_eq!(
            platform_string(
                "Linux",
                Some("6.6.31+rpt-rpi-v8"),
                Some("aarch64"),
                Some("glibc2.36")
            ),
            "Linux-6.6.31+rpt-rpi-v8-aarch64-with-glibc2.36"
        );
        assert_eq!(
            platform_string("Linux", None, Some("x86_64"), None),
            "Linux-x86_64"
        );
    }

    #[test]
    fn loadavg_parses() {
        let l = load_avg("0.52 0.58 0.59 1/389 12345\n").unwrap();
        assert_eq!((l.load1, l.load5, l.load15), (0.52, 0.58, 0.59));
        assert!(load_avg("nonsense").is_none());
    }
}
