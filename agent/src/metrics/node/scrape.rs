//! `node_scrape_collector_success` and `node_scrape_collector_duration_seconds`:
//! one sample of each per collector of a scrape, so a broken source shows.

use super::CollectorRun;
use crate::metrics::model::MetricFamily;

/// One sample of each per collector that has an outcome, sorted by name.
pub fn families(runs: &[CollectorRun]) -> Vec<MetricFamily> {
    let mut duration = MetricFamily::gauge(
        "node_scrape_collector_duration_seconds",
        "Seconds a collector took in this scrape.",
    );
    let mut success = MetricFamily::gauge(
        "node_scrape_collector_success",
        "1 if the collector's source was read, 0 if it is absent or unreadable.",
    );
    let mut sorted: Vec<(&str, super::Outcome)> = runs
        .iter()
        .filter_map(|r| Some((r.name, r.outcome?)))
        .collect();
    sorted.sort_by_key(|(name, _)| *name);
    for (name, o) in sorted {
        duration.push(vec![("collector", name.to_string())], o.seconds);
        let ok = if o.success { 1.0 } else { 0.0 };
        success.push(vec![("collector", name.to_string())], ok);
    }
    vec![duration, success]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::node::Outcome;

    fn from_snapshot(name: &'static str, success: bool, seconds: f64) -> CollectorRun {
        CollectorRun {
            name,
            families: vec![],
            outcome: Some(Outcome { success, seconds }),
        }
    }

    #[test]
    fn one_sample_per_collector_sorted() {
        let runs = [
            CollectorRun::read("vmstat", Some(vec![]), 0.001),
            CollectorRun::read("conntrack", None, 0.0),
            from_snapshot("meminfo", false, 0.0002),
            from_snapshot("cpu", true, 0.0003),
            CollectorRun {
                name: "untimed",
                families: vec![],
                outcome: None,
            },
        ];
        let f = families(&runs);
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
