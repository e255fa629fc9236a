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

/// What the running kernel says about itself and never changes while it
/// runs (`/proc/sys/kernel/{ostype,osrelease,version}`, the board model),
/// read once at start-up.
#[derive(Debug, Clone, Default)]
pub struct KernelIdentity {
    pub ostype: Option<String>,
    pub release: Option<String>,
    pub version: Option<String>,
    pub model: Option<String>,
}

/// A `/proc/sys/kernel` value, trimmed.
fn kernel_value(roots: &Roots, name: &str) -> Option<String> {
    roots
        .proc(&format!("sys/kernel/{name}"))
        .map(|s| s.trim().to_string())
}

impl KernelIdentity {
    pub fn read(roots: &Roots) -> KernelIdentity {
        KernelIdentity {
            ostype: kernel_value(roots, "ostype"),
            release: kernel_value(roots, "osrelease"),
            version: kernel_value(roots, "version"),
            model: model(roots),
        }
    }
}

/// The host name and NIS domain name, read per collection (they can be set
/// while the host runs).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub hostname: Option<String>,
    pub domainname: Option<String>,
}

impl Names {
    pub fn read(roots: &Roots, with_domain: bool) -> Names {
        Names {
            hostname: kernel_value(roots, "hostname"),
            domainname: with_domain
                .then(|| kernel_value(roots, "domainname"))
                .flatten(),
        }
    }
}

/// The identity fields; `arch` is the running kernel's (not in procfs).
pub fn system(kernel: &KernelIdentity, names: &Names, arch: &str, libc: Option<&str>) -> System {
    let value = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let os_release = value(&kernel.release);
    System {
        hostname: value(&names.hostname),
        os: "Linux".into(),
        platform: Some(platform_string(
            "Linux",
            os_release.as_deref(),
            Some(arch),
            libc,
        )),
        os_release,
        os_version: value(&kernel.version),
        architecture: Some(arch.to_string()),
        model: kernel.model.clone(),
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
