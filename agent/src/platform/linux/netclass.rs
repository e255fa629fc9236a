//! The I/O of node_exporter's `netclass` collector: each network device's
//! attribute files under `class/net`. On the running kernel's sysfs the
//! attributes are read whole only when an rtnetlink link announcement
//! (state, carrier, flags, MTU, queue length, a device added or removed)
//! came since the last read, or the last read is older than `MAX_AGE`;
//! otherwise the last read is served with its one counter
//! (`statistics/rx_nohandler`) read afresh. On a captured tree every
//! attribute is read every time, the fixed ones (`STATIC_ATTRIBUTES`) once
//! per device index.

use super::files::{list_dir, Roots};
use super::netlink_watch::{NetlinkWatch, RTMGRP_LINK};
use super::open_files::is_on_sysfs;
use crate::metrics::node::netclass::{Device, ATTRIBUTES};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The longest the attributes of the last read are served: the bound on
/// how stale a change the kernel does not announce (an alias or group set
/// through sysfs) can be.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The attribute that counts packets: read on every scrape.
const COUNTER: &str = "statistics/rx_nohandler";

/// Attributes fixed for a device's life (it keeps its ifindex).
const STATIC_ATTRIBUTES: [&str; 7] = [
    "addr_assign_type",
    "address",
    "broadcast",
    "dev_id",
    "iflink",
    "name_assign_type",
    "type",
];

type Attributes = BTreeMap<String, String>;

#[derive(Debug, Default)]
struct Known {
    /// device → (its ifindex, its static attributes)
    fixed: BTreeMap<String, (String, Attributes)>,
    /// The last whole read and when it was made (the running kernel only).
    last: Option<(Instant, Vec<Device>)>,
    /// How many whole reads were made (for tests).
    whole_reads: usize,
}

/// What the netclass collector keeps between scrapes.
#[derive(Debug)]
pub struct NetclassCache {
    /// Link announcements of this network namespace.
    watch: NetlinkWatch,
    /// Whether `class/net` is the running kernel's sysfs (decided once).
    live: OnceLock<bool>,
    known: Mutex<Known>,
}

impl Default for NetclassCache {
    fn default() -> NetclassCache {
        NetclassCache {
            watch: NetlinkWatch::subscribe(RTMGRP_LINK),
            live: OnceLock::new(),
            known: Mutex::default(),
        }
    }
}

impl NetclassCache {
    fn lock(&self) -> MutexGuard<'_, Known> {
        match self.known.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Every device under `class/net` with its attributes, as of now.
    pub fn devices(&self, r: &Roots) -> Vec<Device> {
        let live = *self
            .live
            .get_or_init(|| self.watch.is_subscribed() && is_on_sysfs(&r.sys_path("class/net")));
        let mut known = self.lock();
        // drain first, then read: a change during the read is seen next time
        let changed = !live || self.watch.changed();
        if let Some((at, devices)) = &known.last {
            if !changed && at.elapsed() < MAX_AGE {
                return devices
                    .iter()
                    .map(|(name, attrs)| {
                        let mut attrs = attrs.clone();
                        match r.sys_value(&format!("class/net/{name}/{COUNTER}")) {
                            Some(v) => attrs.insert(COUNTER.to_string(), v),
                            None => attrs.remove(COUNTER),
                        };
                        (name.clone(), attrs)
                    })
                    .collect();
            }
        }
        let devices = read_whole(r, &mut known.fixed);
        known.whole_reads += 1;
        known.last = live.then(|| (Instant::now(), devices.clone()));
        devices
    }

    /// How many whole reads were made (for tests).
    #[cfg(test)]
    fn whole_reads(&self) -> usize {
        self.lock().whole_reads
    }
}

/// Every attribute of every device; the static ones from `fixed` while the
/// device keeps its ifindex.
fn read_whole(r: &Roots, fixed: &mut BTreeMap<String, (String, Attributes)>) -> Vec<Device> {
    let names: Vec<String> = list_dir(&r.sys_path("class/net"))
        .into_iter()
        .filter(|d| r.sys_path(&format!("class/net/{d}")).is_dir())
        .collect();
    fixed.retain(|name, _| names.contains(name));
    names
        .into_iter()
        .map(|d| {
            let read = |a: &str| r.sys_value(&format!("class/net/{d}/{a}"));
            let ifindex = read("ifindex").unwrap_or_default();
            let mut attrs = match fixed.get(&d) {
                Some((index, attrs)) if *index == ifindex => attrs.clone(),
                _ => {
                    let attrs: Attributes = STATIC_ATTRIBUTES
                        .iter()
                        .filter_map(|a| Some((a.to_string(), read(a)?)))
                        .collect();
                    fixed.insert(d.clone(), (ifindex.clone(), attrs.clone()));
                    attrs
                }
            };
            if !ifindex.is_empty() {
                attrs.insert("ifindex".into(), ifindex);
            }
            for a in ATTRIBUTES {
                if a != "ifindex" && !STATIC_ATTRIBUTES.contains(&a) {
                    if let Some(v) = read(a) {
                        attrs.insert(a.to_string(), v);
                    }
                }
            }
            (d, attrs)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn static_attributes_are_kept_until_the_ifindex_changes() {
        let tree = tempfile::tempdir().expect("tempdir");
        let dev = tree.path().join("class/net/eth0");
        std::fs::create_dir_all(&dev).expect("mkdir");
        let write = |f: &str, v: &str| std::fs::write(dev.join(f), v).expect("write");
        write("ifindex", "2\n");
        write("address", "02:00:00:00:00:01\n");
        write("mtu", "1500\n");
        let r = Roots::new(tree.path().join("proc"), tree.path().to_path_buf());
        let cache = NetclassCache::default();
        let get = |k: &str| cache.devices(&r)[0].1.get(k).cloned();
        assert_eq!(get("address").as_deref(), Some("02:00:00:00:00:01"));
        write("address", "02:00:00:00:00:02\n");
        write("mtu", "9000\n");
        assert_eq!(get("address").as_deref(), Some("02:00:00:00:00:01"));
        assert_eq!(
            get("mtu").as_deref(),
            Some("9000"),
            "a tree is read every time"
        );
        write("ifindex", "7\n"); // the device was replaced
        assert_eq!(get("address").as_deref(), Some("02:00:00:00:00:02"));
        assert_eq!(get("ifindex").as_deref(), Some("7"));
    }

    /// The attributes of this namespace's devices, the counter left out.
    fn brief(devices: &[Device]) -> Vec<(String, Attributes)> {
        devices
            .iter()
            .map(|(n, a)| {
                let mut a = a.clone();
                a.remove(COUNTER);
                (n.clone(), a)
            })
            .collect()
    }

    /// In network and mount namespaces of their own (root only), with a
    /// sysfs mounted there that shows the new namespace's devices: a scrape
    /// with nothing announced reads nothing but the counter and gives what a
    /// whole read gives; bringing `lo` up and changing its MTU is seen at once.
    #[test]
    fn link_changes_are_seen_at_once_and_nothing_else_is_read_again() {
        // Ok(false): skipped; Err: what did not hold
        let outcome = std::thread::spawn(|| -> Result<bool, String> {
            // SAFETY: moves only this thread into new network and mount namespaces.
            if unsafe { libc::unshare(libc::CLONE_NEWNET | libc::CLONE_NEWNS) } != 0 {
                return Ok(false); // not root: nothing to prove here
            }
            let sys = tempfile::tempdir().map_err(|e| e.to_string())?;
            if !private_sysfs(sys.path()) {
                return Err("cannot mount a private sysfs".into());
            }
            let r = Roots::new(PathBuf::from("/proc"), sys.path().to_path_buf());
            let cache = NetclassCache::default();
            let ip = |args: &[&str]| {
                // `ip` forked from this thread runs in its namespaces
                std::process::Command::new("ip")
                    .args(args)
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let check = |what: &str, got: bool| if got { Ok(()) } else { Err(what.to_string()) };
            let first = cache.devices(&r);
            check("one whole read", cache.whole_reads() == 1)?;
            let flags = |d: &[Device]| d.first().and_then(|(_, a)| a.get("flags").cloned());
            check("lo, down", flags(&first).as_deref() == Some("0x8"))?;
            let again = cache.devices(&r);
            check("nothing announced: no whole read", cache.whole_reads() == 1)?;
            check("the same attributes", brief(&again) == brief(&first))?;
            check("its counter read", again[0].1.contains_key(COUNTER))?;
            check("ip link set lo up", ip(&["link", "set", "lo", "up"]))?;
            let up = cache.devices(&r);
            check("a link change: read whole", cache.whole_reads() == 2)?;
            check("lo, up", flags(&up).as_deref() == Some("0x9"))?;
            check(
                "ip link set lo mtu",
                ip(&["link", "set", "lo", "mtu", "1280"]),
            )?;
            let mtu = cache.devices(&r);
            let got = mtu[0].1.get("mtu").cloned();
            check(
                &format!("new MTU, got {got:?}"),
                got.as_deref() == Some("1280"),
            )?;
            let mut fresh = BTreeMap::new();
            check(
                "as a whole read",
                brief(&mtu) == brief(&read_whole(&r, &mut fresh)),
            )?;
            Ok(true)
        })
        .join()
        .expect("namespace thread");
        match outcome {
            Ok(false) => eprintln!("skipped: cannot make network and mount namespaces (not root)"),
            result => assert_eq!(result, Ok(true)),
        }
    }

    /// Mount a sysfs of this thread's network namespace on `dir`, in a
    /// mount namespace made private first (nothing leaks to the host's).
    fn private_sysfs(dir: &std::path::Path) -> bool {
        use std::ffi::CString;
        let (Ok(root), Ok(target), Ok(kind)) = (
            CString::new("/"),
            CString::new(dir.as_os_str().as_encoded_bytes()),
            CString::new("sysfs"),
        ) else {
            return false;
        };
        // SAFETY: plain mount(2) calls with NUL-terminated strings that live
        // across the calls; they change only this thread's mount namespace.
        unsafe {
            libc::mount(
                std::ptr::null(),
                root.as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ) == 0
                && libc::mount(
                    kind.as_ptr(),
                    target.as_ptr(),
                    kind.as_ptr(),
                    0,
                    std::ptr::null(),
                ) == 0
        }
    }
}
