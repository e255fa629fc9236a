//! Turning a batch of spooled scrapes (exposition text + poll time) into one
//! `WriteRequest`: one `TimeSeries` per distinct label set, holding that
//! series' samples of the whole batch in timestamp order.
//!
//! Labels of a series, highest precedence first: the series' own labels
//! (including `__name__`, which nothing can override), then the extra
//! labels of `SYSTEM_STATS_REMOTE_WRITE_LABELS`, then the defaults
//! `instance=<agent hostname>` and `job="system-stats"`.

use super::proto::{Label, Sample, TimeSeries, WriteRequest};
use std::collections::{BTreeMap, HashMap};
use system_stats_common::exposition;

/// The default `job` label.
pub const JOB: &str = "system-stats";

/// One spooled scrape, borrowed from the spool record.
#[derive(Debug, Clone, Copy)]
pub struct Scrape<'a> {
    /// Unix time of the poll in milliseconds.
    pub ms: i64,
    /// The agent's hostname: the default `instance` label.
    pub instance: &'a str,
    /// Exposition text (sample lines; comments are ignored).
    pub text: &'a str,
}

/// A built request and what went into it.
#[derive(Debug, Default)]
pub struct Built {
    pub request: WriteRequest,
    pub samples: usize,
    /// Scrapes whose text did not parse (left out, with the reason).
    pub skipped: Vec<String>,
}

/// Build the request for `scrapes` (oldest first) with `extra` labels.
pub fn build(scrapes: &[Scrape<'_>], extra: &[(String, String)]) -> Built {
    let mut built = Built::default();
    // Canonical (sorted) label set → index in `series`.
    let mut canonical: BTreeMap<Vec<Label>, usize> = BTreeMap::new();
    let mut series: Vec<TimeSeries> = Vec::new();
    for scrape in scrapes {
        let lines = match exposition::parse(scrape.text) {
            Ok(lines) => lines,
            Err(e) => {
                built
                    .skipped
                    .push(format!("scrape at {} ms: {e}", scrape.ms));
                continue;
            }
        };
        // Within one scrape, identical series text means the same series.
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(lines.len());
        for line in &lines {
            let index = match seen.get(line.series) {
                Some(i) => *i,
                None => {
                    let labels = labels_of(line, scrape.instance, extra);
                    let next = series.len();
                    let i = *canonical.entry(labels.clone()).or_insert(next);
                    if i == next {
                        series.push(TimeSeries {
                            labels,
                            samples: Vec::new(),
                        });
                    }
                    seen.insert(line.series, i);
                    i
                }
            };
            if let Some(ts) = series.get_mut(index) {
                ts.samples.push(Sample {
                    value: line.value,
                    timestamp: scrape.ms,
                });
                built.samples += 1;
            }
        }
    }
    for ts in &mut series {
        // Spool order is poll order already; sort anyway (stable) and keep
        // one sample per timestamp, as an engine would.
        ts.samples.sort_by_key(|s| s.timestamp);
        let before = ts.samples.len();
        ts.samples.dedup_by_key(|s| s.timestamp);
        built.samples -= before - ts.samples.len();
    }
    built.request = WriteRequest {
        timeseries: series,
        metadata: Vec::new(),
    };
    built
}

/// The full, name-sorted label set of one sample line.
fn labels_of(
    line: &exposition::Line<'_>,
    instance: &str,
    extra: &[(String, String)],
) -> Vec<Label> {
    let mut map: BTreeMap<&str, &str> = BTreeMap::new();
    map.insert("instance", instance);
    map.insert("job", JOB);
    for (k, v) in extra {
        map.insert(k, v);
    }
    for (k, v) in &line.labels {
        map.insert(k, v);
    }
    map.insert("__name__", line.name);
    map.into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, value)| Label {
            name: name.to_string(),
            value: value.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/agent-metrics.txt");

    fn labels(ts: &TimeSeries) -> Vec<(String, String)> {
        ts.labels
            .iter()
            .map(|l| (l.name.clone(), l.value.clone()))
            .collect()
    }

    fn find<'a>(req: &'a WriteRequest, name: &str, extra: &[(&str, &str)]) -> &'a TimeSeries {
        req.timeseries
            .iter()
            .find(|t| {
                t.labels
                    .iter()
                    .any(|l| l.name == "__name__" && l.value == name)
                    && extra
                        .iter()
                        .all(|(k, v)| t.labels.iter().any(|l| l.name == *k && l.value == *v))
            })
            .unwrap_or_else(|| panic!("no {name} {extra:?}"))
    }

    #[test]
    fn fixture_becomes_one_series_per_line() {
        let scrape = Scrape {
            ms: 1_700_000_000_123,
            instance: "pi",
            text: FIXTURE,
        };
        let built = build(&[scrape], &[]);
        let lines = exposition::parse(FIXTURE).unwrap().len();
        assert!(lines > 50);
        assert_eq!(built.request.timeseries.len(), lines);
        assert_eq!(built.samples, lines);
        let mem = find(&built.request, "node_memory_MemTotal_bytes", &[]);
        assert_eq!(
            labels(mem),
            vec![
                ("__name__".into(), "node_memory_MemTotal_bytes".into()),
                ("instance".into(), "pi".into()),
                ("job".into(), "system-stats".into()),
            ]
        );
        assert_eq!(mem.samples[0].timestamp, 1_700_000_000_123);
        let idle = find(
            &built.request,
            "node_cpu_seconds_total",
            &[("cpu", "0"), ("mode", "idle")],
        );
        let names: Vec<&str> = idle.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["__name__", "cpu", "instance", "job", "mode"]);
        for ts in &built.request.timeseries {
            assert!(ts.labels.windows(2).all(|w| w[0].name < w[1].name));
        }
    }

    #[test]
    fn batches_group_samples_per_series_in_time_order() {
        let a = "node_load1 1\nnode_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 10\n";
        let b = "node_load1 2\nnode_cpu_seconds_total{mode=\"idle\",cpu=\"0\"} 11\nnew_one 5\n";
        let scrapes = [
            Scrape {
                ms: 3000,
                instance: "h",
                text: b,
            },
            Scrape {
                ms: 1000,
                instance: "h",
                text: a,
            },
            Scrape {
                ms: 3000,
                instance: "h",
                text: b,
            },
        ];
        let built = build(&scrapes, &[]);
        let req = &built.request;
        assert_eq!(req.timeseries.len(), 3);
        let load = find(req, "node_load1", &[]);
        let ts: Vec<(i64, f64)> = load
            .samples
            .iter()
            .map(|s| (s.timestamp, s.value))
            .collect();
        assert_eq!(ts, vec![(1000, 1.0), (3000, 2.0)]);
        // Label order in the text does not split a series.
        let idle = find(req, "node_cpu_seconds_total", &[("cpu", "0")]);
        assert_eq!(idle.samples.len(), 2);
        assert_eq!(built.samples, 5);
    }

    #[test]
    fn label_precedence() {
        let extra = vec![
            ("job".to_string(), "farm".to_string()),
            ("site".to_string(), "lab".to_string()),
            ("mode".to_string(), "nope".to_string()),
        ];
        let text = "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1\n";
        let built = build(
            &[Scrape {
                ms: 1,
                instance: "pi-7",
                text,
            }],
            &extra,
        );
        assert_eq!(
            labels(&built.request.timeseries[0]),
            vec![
                ("__name__".into(), "node_cpu_seconds_total".into()),
                ("cpu".into(), "0".into()),
                ("instance".into(), "pi-7".into()),
                ("job".into(), "farm".into()),
                ("mode".into(), "idle".into()),
                ("site".into(), "lab".into()),
            ]
        );
        // Even a hand-crafted __name__ among the extra labels cannot win.
        let sneaky = vec![("__name__".to_string(), "evil".to_string())];
        let built = build(
            &[Scrape {
                ms: 1,
                instance: "h",
                text: "good 1\n",
            }],
            &sneaky,
        );
        assert_eq!(built.request.timeseries[0].labels[0].value, "good");
    }

    #[test]
    fn unparsable_scrape_is_skipped_not_fatal() {
        let scrapes = [
            Scrape {
                ms: 1,
                instance: "h",
                text: "broken{ 1\n",
            },
            Scrape {
                ms: 2,
                instance: "h",
                text: "ok 1\n",
            },
        ];
        let built = build(&scrapes, &[]);
        assert_eq!(built.skipped.len(), 1);
        assert_eq!(built.samples, 1);
    }
}
