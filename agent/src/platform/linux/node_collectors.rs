//! The I/O of node_exporter's extra collectors (`metrics::node`): reads
//! each collector's procfs/sysfs files once under the configured roots,
//! hands the text to its pure function and times the run. Only `/metrics`
//! asks for these (`Want::METRICS`).

use super::files::{list_dir, Roots};
use super::netclass::NetclassCache;
use crate::metrics::model::MetricFamily;
use crate::metrics::node::{self, time::ClockSource, CollectorRun};
use std::time::Instant;

fn timed(name: &'static str, run: impl FnOnce() -> Option<Vec<MetricFamily>>) -> CollectorRun {
    let start = Instant::now();
    let families = run();
    CollectorRun::read(name, families, start.elapsed().as_secs_f64())
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
            node::netclass::families(&netclass.devices(r))
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
