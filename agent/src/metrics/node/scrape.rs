//! `node_scrape_collector_success` and `node_scrape_collector_duration_seconds`
//! for every collector run of a scrape, so a broken source shows.

use super::CollectorRun;
use crate::metrics::model::MetricFamily;

pub fn families(runs: &[CollectorRun]) -> Vec<MetricFamily> {
    let mut duration = MetricFamily::gauge(
        "node_scrape_collector_duration_seconds",
        "Seconds a collector took in this scrape.",
    );
    let mut success = MetricFamily::gauge(
        "node_scrape_collector_success",
        "1 if the collector's source was read, 0 if it is absent or unreadable.",
    );
    let mut runs: Vec<&CollectorRun> = runs.iter().collect();
    runs.sort_by_key(|r| r.name);
    for r in runs {
        duration.push(vec![("collector", r.name.to_string())], r.seconds);
        let ok = if r.families.is_some() { 1.0 } else { 0.0 };
        success.push(vec![("collector", r.name.to_string())], ok);
    }
    vec![duration, success]
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let f = families(&runs);
        assert_eq!(f[1].value(&[("collector", "conntrack")]), Some(0.0));
        assert_eq!(f[1].value(&[("collector", "vmstat")]), Some(1.0));
        assert_eq!(f[0].value(&[("collector", "vmstat")]), Some(0.001));
        assert_eq!(f[0].samples[0].labels[0].1, "conntrack");
    }
}
