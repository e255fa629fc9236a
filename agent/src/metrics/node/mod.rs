//! node_exporter's collectors that the JSON snapshot does not need: each
//! file turns the text of its kernel files into metric families (pure, no
//! I/O); the platform reads the files and times each run (`CollectorRun`),
//! which, with the `CollectorStatus` of the collectors built from the
//! snapshot, feeds `node_scrape_collector_*` (`scrape`).

pub mod arp;
pub mod conntrack;
pub mod entropy;
pub mod filefd;
pub mod netclass;
pub mod netstat;
pub mod pressure;
pub mod scrape;
pub mod selinux;
pub mod sockstat;
pub mod softnet;
pub mod stat;
pub mod textfile;
pub mod time;
pub mod udp_queues;
pub mod vmstat;

use super::model::MetricFamily;

/// One node_exporter collector's result for one scrape: its families, or
/// None when its source is absent or unreadable (the families are then
/// absent and `node_scrape_collector_success` is 0).
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorRun {
    pub name: &'static str,
    pub families: Option<Vec<MetricFamily>>,
    pub seconds: f64,
}

/// How one collector fared in a scrape, for `node_scrape_collector_*`:
/// whether its source was read, and the seconds spent reading and parsing it.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorStatus {
    pub name: &'static str,
    pub success: bool,
    pub seconds: f64,
}

impl CollectorRun {
    pub fn status(&self) -> CollectorStatus {
        CollectorStatus {
            name: self.name,
            success: self.families.is_some(),
            seconds: self.seconds,
        }
    }
}

/// The first whitespace-separated number after `key` on the line starting with `key `.
pub fn keyed_value(text: &str, key: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        (f.next() == Some(key)).then(|| f.next()?.parse().ok())?
    })
}
