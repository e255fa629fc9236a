//! `node_scrape_collector_success` and `node_scrape_collector_duration_seconds`:
//! one sample of each per collector of a scrape, so a broken source shows.

use super::CollectorStatus;
use crate::metrics::model::MetricFamily;

pub fn families(statuses: &[CollectorStatus]) -> Vec<MetricFamily> {
    let mut duration = MetricFamily::gauge(
        "node_scrape_collector_duration_seconds",
        "Seconds a collector took in this scrape.",
    );
    let mut success = MetricFamily::gauge(
        "node_scrape_collector_success",
        "1 if the collector's source was read, 0 if it is absent or unreadable.",
    );
    let mut sorted: Vec<&CollectorStatus> = statuses.iter().collect();
    sorted.sort_by_key(|s| s.name);
    for s in sorted {
        duration.push(vec![("collector", s.name.to_string())], s.seconds);
        let ok = if s.success { 1.0 } else { 0.0 };
        success.push(vec![("collector", s.name.to_string())], ok);
    }
    vec![duration, success]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::node::CollectorRun;

    #[test]
    fn one_sample_per_collector_sorted() {
        let runs = [
            CollectorRun {
                name: "vmstat",
                families: Some(vec![]),
                seconds: 0.001,
            },
            CollectorRun {
                name: "conntrack",
                families: None,
                seconds: 0.0,
            },
        ];
        let mut statuses: Vec<CollectorStatus> = runs.iter().map(CollectorRun::status).collect();
        statuses.push(CollectorStatus {
            name: "meminfo",
            success: false,
            seconds: 0.0002,
        });
        statuses.push(CollectorStatus {
            name: "cpu",
            success: true,
            seconds: 0.0003,
        });
        let f = families(&statuses);
        assert_eq!(f[1].value(&[("collector", "conntrack")]), Some(0.0));
        assert_eq!(f[1].value(&[("collector", "vmstat")]), Some(1.0));
        assert_eq!(f[1].value(&[("collector", "cpu")]), Some(1.0));
        assert_eq!(f[1].value(&[("collector", "meminfo")]), Some(0.0));
        assert_eq!(f[0].value(&[("collector", "vmstat")]), Some(0.001));
        assert_eq!(f[0].value(&[("collector", "meminfo")]), Some(0.0002));
        let order: Vec<&str> = f[0]
            .samples
            .iter()
            .map(|s| s.labels[0].1.as_str())
            .collect();
        assert_eq!(order, ["conntrack", "cpu", "meminfo", "vmstat"]);
    }
}
