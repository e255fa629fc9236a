//! node_exporter's collectors, one file each, all registered here: those
//! built from the snapshot and the raw counters (`FROM_SNAPSHOT`, whose
//! sources the platform reads and times, `RawCounters::sources`) and those
//! the platform runs on their own kernel files (`RawCounters::collectors`,
//! from pure functions of the files' text here). Every collector of a
//! scrape is a `CollectorRun` (`runs`), with its families, its success
//! and its timing, which feed `node_scrape_collector_*` (`scrape`).

pub mod arp;
pub mod conntrack;
pub mod cpu;
pub mod diskstats;
pub mod entropy;
pub mod filefd;
pub mod filesystem;
pub mod hwmon;
pub mod loadavg;
pub mod meminfo;
pub mod netclass;
pub mod netdev;
pub mod netstat;
pub mod os;
pub mod pressure;
pub mod raw;
pub mod scrape;
pub mod selinux;
pub mod sockstat;
pub mod softnet;
pub mod stat;
pub mod textfile;
pub mod thermal_zone;
pub mod time;
pub mod timex;
pub mod udp_queues;
pub mod uname;
pub mod vmstat;

use super::model::MetricFamily;
use crate::snapshot::Snapshot;
use raw::RawCounters;

/// How a collector's source fared in a scrape: whether it was read, and
/// the seconds spent reading and parsing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub success: bool,
    pub seconds: f64,
}

/// One node_exporter collector's result for one scrape.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorRun {
    pub name: &'static str,
    /// Its families (none when a collector's own source is absent).
    pub families: Vec<MetricFamily>,
    /// None where the platform does not time its collectors (macOS): no
    /// `node_scrape_collector_*` sample then.
    pub outcome: Option<Outcome>,
}

impl CollectorRun {
    /// A run of a collector that read its own source: `families` None when
    /// the source is absent or unreadable (its families are then absent and
    /// `node_scrape_collector_success` is 0).
    pub fn read(name: &'static str, families: Option<Vec<MetricFamily>>, seconds: f64) -> Self {
        CollectorRun {
            name,
            outcome: Some(Outcome {
                success: families.is_some(),
                seconds,
            }),
            families: families.unwrap_or_default(),
        }
    }
}

/// How the platform found the source of a collector in `FROM_SNAPSHOT`.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorStatus {
    pub name: &'static str,
    pub success: bool,
    pub seconds: f64,
}

/// A collector's families from the snapshot and the raw counters (pure).
type Build = fn(&Snapshot, &RawCounters) -> Vec<MetricFamily>;

/// The collectors built from the snapshot and the raw counters, in output
/// order, by node_exporter's names (the platform's `CollectorStatus`es use
/// the same names). Their families are built whether or not the source was
/// read (they are then empty).
pub const FROM_SNAPSHOT: [(&str, Build); 11] = [
    ("cpu", cpu::families),
    ("meminfo", meminfo::families),
    ("loadavg", loadavg::families),
    ("filesystem", filesystem::families),
    ("diskstats", diskstats::families),
    ("netdev", netdev::families),
    ("thermal_zone", thermal_zone::families),
    ("hwmon", hwmon::families),
    ("uname", uname::families),
    ("os", os::families),
    ("timex", timex::families),
];

/// Every node_exporter collector of a scrape, in output order: those of
/// `FROM_SNAPSHOT`, then those the platform ran (`RawCounters::collectors`).
pub fn runs(snap: &Snapshot, raw: &RawCounters) -> Vec<CollectorRun> {
    let mut runs: Vec<CollectorRun> = FROM_SNAPSHOT
        .iter()
        .map(|(name, build)| CollectorRun {
            name,
            families: build(snap, raw),
            outcome: raw
                .sources
                .iter()
                .find(|s| s.name == *name)
                .map(|s| Outcome {
                    success: s.success,
                    seconds: s.seconds,
                }),
        })
        .collect();
    runs.extend(raw.collectors.iter().cloned());
    runs
}

/// node_exporter's families: every collector's, then
/// `node_scrape_collector_*` when the platform timed its collectors.
pub fn families(snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    let runs = runs(snap, raw);
    let timed = runs.iter().any(|r| r.outcome.is_some());
    let scrape = timed.then(|| scrape::families(&runs));
    let mut out: Vec<MetricFamily> = runs.into_iter().flat_map(|r| r.families).collect();
    out.extend(scrape.into_iter().flatten());
    out
}

/// The first whitespace-separated number after `key` on the line starting with `key `.
pub fn keyed_value(text: &str, key: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        (f.next() == Some(key)).then(|| f.next()?.parse().ok())?
    })
}
