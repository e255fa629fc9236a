//! The I/O of node_exporter's extra collectors (`metrics::node`): reads
//! each collector's procfs/sysfs files once under the configured roots,
//! hands the text to its pure function and times the run. Only `/metrics`
//! asks for these (`Want::METRICS`).

use super::files::{list_dir, Roots};
use crate::metrics::model::MetricFamily;
use crate::metrics::node::{self, time::ClockSource, CollectorRun};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// netclass attributes fixed for a device's life (it keeps its ifindex).
const STATIC_ATTRIBUTES: [&str; 7] = [
    "addr_assign_type",
    "address",
    "broadcast",
    "dev_id",
    "iflink",
    "name_assign_type",
    "type",
];

/// The static netclass attributes of each device, keyed by name and kept
/// while its ifindex is unchanged (a replaced device gets a new index), so
/// a scrape reads 16 sysfs files per device instead of 23.
#[derive(Debug, Default)]
pub struct NetclassCache {
    /// device → (its ifindex, its static attributes)
    devices: Mutex<BTreeMap<String, (String, Attributes)>>,
}

type Attributes = BTreeMap<String, String>;

fn timed(name: &'static str, run: impl FnOnce() -> Option<Vec<MetricFamily>>) -> CollectorRun {
    let start = Instant::now();
    let families = run();
    CollectorRun {
        name,
        families,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// The local time zone's abbreviation and UTC offset at `now` (libc's tz rules).
fn local_zone(now: i64) -> Option<(String, i64)> {
    #[allow(clippy::useless_conversion)] // time_t is 32 bits on 32-bit ARM
    let t: libc::time_t = now.try_into().ok()?;
    let mut tm = std::mem::MaybeUninit::<libc::tm>::zeroed();
    // SAFETY: localtime_r writes only into `tm`, which is valid for writes;
    // tm_zone points into libc's static zone-name storage (or is null).
    let tm = unsafe {
        if libc::localtime_r(&t, tm.as_mut_ptr()).is_null() {
            return None;
        }
        tm.assume_init()
    };
    let name = if tm.tm_zone.is_null() {
        String::new()
    } else {
        // SAFETY: non-null tm_zone is a NUL-terminated string owned by libc.
        unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }
            .to_string_lossy()
            .into_owned()
    };
    #[allow(clippy::unnecessary_cast)] // c_long: 32 bits on 32-bit ARM
    let offset = tm.tm_gmtoff as i64;
    Some((name, offset))
}

fn clock_sources(r: &Roots) -> Vec<ClockSource> {
    let dir = "devices/system/clocksource";
    list_dir(&r.sys_path(dir))
        .into_iter()
        .filter_map(|d| {
            let device = d.strip_prefix("clocksource")?.to_string();
            Some(ClockSource {
                available: r.sys(&format!("{dir}/{d}/available_clocksource"))?,
                current: r.sys(&format!("{dir}/{d}/current_clocksource"))?,
                device,
            })
        })
        .collect()
}

fn netclass_devices(r: &Roots, cache: &NetclassCache) -> Vec<node::netclass::Device> {
    let mut cached = match cache.devices.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let names: Vec<String> = list_dir(&r.sys_path("class/net"))
        .into_iter()
        .filter(|d| r.sys_path(&format!("class/net/{d}")).is_dir())
        .collect();
    cached.retain(|name, _| names.contains(name));
    names
        .into_iter()
        .map(|d| {
            let read = |a: &str| r.sys_value(&format!("class/net/{d}/{a}"));
            let ifindex = read("ifindex").unwrap_or_default();
            let fixed = match cached.get(&d) {
                Some((index, attrs)) if *index == ifindex => attrs.clone(),
                _ => {
                    let attrs: BTreeMap<String, String> = STATIC_ATTRIBUTES
                        .iter()
                        .filter_map(|a| Some((a.to_string(), read(a)?)))
                        .collect();
                    cached.insert(d.clone(), (ifindex.clone(), attrs.clone()));
                    attrs
                }
            };
            let mut attrs = fixed;
            if !ifindex.is_empty() {
                attrs.insert("ifindex".into(), ifindex);
            }
            for a in node::netclass::ATTRIBUTES {
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

/// Every extra collector, in node_exporter's names. `stat` and `vmstat` get
/// the text the snapshot already read.
pub fn run(
    r: &Roots,
    netclass: &NetclassCache,
    stat: Option<&str>,
    vmstat: Option<&str>,
    page_size: u64,
) -> Vec<CollectorRun> {
    let p = |rel: &str| r.proc(rel);
    vec![
        timed("stat", || stat.and_then(node::stat::families)),
        timed("vmstat", || vmstat.and_then(node::vmstat::families)),
        timed("pressure", || {
            node::pressure::families(
                p("pressure/cpu").as_deref(),
                p("pressure/io").as_deref(),
                p("pressure/memory").as_deref(),
            )
        }),
        timed("filefd", || node::filefd::families(&p("sys/fs/file-nr")?)),
        timed("entropy", || {
            node::entropy::families(
                &p("sys/kernel/random/entropy_avail")?,
                p("sys/kernel/random/poolsize").as_deref(),
            )
        }),
        timed("time", || {
            let now = chrono::Utc::now();
            let secs = now.timestamp_micros() as f64 / 1e6;
            Some(node::time::families(
                secs,
                local_zone(now.timestamp()),
                &clock_sources(r),
            ))
        }),
        timed("selinux", || {
            Some(node::selinux::families(
                r.sys("fs/selinux/enforce").as_deref(),
                r.root_file("/etc/selinux/config").as_deref(),
            ))
        }),
        timed("conntrack", || {
            node::conntrack::families(
                &p("sys/net/netfilter/nf_conntrack_count")?,
                p("sys/net/netfilter/nf_conntrack_max").as_deref(),
                p("net/stat/nf_conntrack").as_deref(),
            )
        }),
        timed("netclass", || {
            node::netclass::families(&netclass_devices(r, netclass))
        }),
        timed("netstat", || {
            node::netstat::families(
                p("net/netstat").as_deref(),
                p("net/snmp").as_deref(),
                p("net/snmp6").as_deref(),
            )
        }),
        timed("sockstat", || {
            node::sockstat::families(
                p("net/sockstat").as_deref(),
                p("net/sockstat6").as_deref(),
                page_size,
            )
        }),
        timed("softnet", || {
            node::softnet::families(&p("net/softnet_stat")?)
        }),
        timed("udp_queues", || {
            node::udp_queues::families(p("net/udp").as_deref(), p("net/udp6").as_deref())
        }),
        timed("arp", || node::arp::families(&p("net/arp")?)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_netclass_attributes_are_kept_until_the_ifindex_changes() {
        let tree = tempfile::tempdir().expect("tempdir");
        let dev = tree.path().join("class/net/eth0");
        std::fs::create_dir_all(&dev).expect("mkdir");
        let write = |f: &str, v: &str| std::fs::write(dev.join(f), v).expect("write");
        write("ifindex", "2\n");
        write("address", "02:00:00:00:00:01\n");
        write("mtu", "1500\n");
        let r = Roots::new(tree.path().join("proc"), tree.path().to_path_buf());
        let cache = NetclassCache::default();
        let get = |k: &str| netclass_devices(&r, &cache)[0].1.get(k).cloned();
        assert_eq!(get("address").as_deref(), Some("02:00:00:00:00:01"));
        write("address", "02:00:00:00:00:02\n");
        write("mtu", "9000\n");
        assert_eq!(get("address").as_deref(), Some("02:00:00:00:00:01"));
        assert_eq!(get("mtu").as_deref(), Some("9000"));
        write("ifindex", "7\n"); // the device was replaced
        assert_eq!(get("address").as_deref(), Some("02:00:00:00:00:02"));
        assert_eq!(get("ifindex").as_deref(), Some("7"));
    }
}
