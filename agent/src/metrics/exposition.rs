//! The whole `/metrics` text: our families (the events' included), then
//! the textfile collector's files. A file that redefines one of our families (or clashes in type with
//! an earlier file) is rejected whole, with a log line naming file and
//! family, and counts as a scrape error.

use super::model::MetricFamily;
use super::node::raw::RawCounters;
use super::node::textfile::{render as render_text_families, TextFamily, Textfiles};
use super::system_stats_events::EventCounts;
use crate::snapshot::Snapshot;
use std::collections::BTreeSet;

/// `node_textfile_mtime_seconds` and `node_textfile_scrape_error`.
fn textfile_families(mtimes: &[(String, f64)], error: bool) -> Vec<MetricFamily> {
    let mut mtime = MetricFamily::gauge(
        "node_textfile_mtime_seconds",
        "Modification time of each textfile read, in unixtime.",
    );
    for (file, t) in mtimes {
        mtime.push(vec![("file", file.clone())], *t);
    }
    let scrape_error = MetricFamily::gauge(
        "node_textfile_scrape_error",
        "1 if a textfile could not be read, parsed or merged, 0 otherwise.",
    )
    .with(vec![], if error { 1.0 } else { 0.0 });
    vec![mtime, scrape_error]
}

/// The files' families that may be served, merged by name; the files
/// rejected, each with the family that made it so.
fn accepted(tf: &Textfiles, ours: &BTreeSet<&str>) -> (Vec<TextFamily>, Vec<(String, String)>) {
    let mut rejected: Vec<(String, String)> = Vec::new();
    let mut out: Vec<TextFamily> = Vec::new();
    let mut files: Vec<&str> = tf.families.iter().map(|f| f.file.as_str()).collect();
    files.dedup();
    for file in files {
        let mine: Vec<&TextFamily> = tf.families.iter().filter(|f| f.file == file).collect();
        let clash = mine.iter().find(|f| {
            ours.contains(f.name.as_str())
                || f.samples
                    .iter()
                    .any(|(series, _, _)| ours.contains(series.as_str()))
                || out.iter().any(|g| g.name == f.name && g.kind != f.kind)
        });
        if let Some(f) = clash {
            rejected.push((file.to_string(), f.name.clone()));
            continue;
        }
        for f in mine {
            match out.iter_mut().find(|g| g.name == f.name) {
                Some(g) => g.samples.extend(f.samples.iter().cloned()),
                None => out.push(f.clone()),
            }
        }
    }
    (out, rejected)
}

/// `events`: the power/heat events and rollbacks (None: nothing to count).
pub fn exposition(snap: &Snapshot, raw: &RawCounters, events: Option<EventCounts>) -> String {
    let mut families = super::families(snap, raw, events);
    let Some(tf) = &raw.textfile else {
        return super::text::render(&families);
    };
    let (text_families, rejected) = {
        let mut ours: BTreeSet<&str> = families.iter().map(|f| f.name.as_str()).collect();
        ours.extend(["node_textfile_mtime_seconds", "node_textfile_scrape_error"]);
        accepted(tf, &ours)
    };
    for (file, family) in &rejected {
        tracing::warn!("textfile {file}: family {family} is already exported; file ignored");
    }
    let mtimes: Vec<(String, f64)> = tf
        .mtimes
        .iter()
        .filter(|(file, _)| !rejected.iter().any(|(r, _)| r == file))
        .cloned()
        .collect();
    families.extend(textfile_families(&mtimes, tf.error || !rejected.is_empty()));
    let mut text = super::text::render(&families);
    text.push_str(&render_text_families(&text_families));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::node::textfile::parse;

    #[test]
    fn a_file_redefining_our_family_is_rejected_whole() {
        let mut families = parse("backup_age_seconds 5\n", "/t/a.prom").expect("ok");
        families.extend(parse("node_load1 9\nmine 1\n", "/t/b.prom").expect("ok"));
        families.extend(
            parse(
                "# TYPE backup_age_seconds counter\nbackup_age_seconds 6\n",
                "/t/c.prom",
            )
            .expect("ok"),
        );
        families.extend(parse("backup_age_seconds{host=\"x\"} 7\n", "/t/d.prom").expect("ok"));
        let tf = Textfiles {
            families,
            mtimes: vec![],
            error: false,
        };
        let ours = BTreeSet::from(["node_load1"]);
        let (ok, rejected) = accepted(&tf, &ours);
        assert_eq!(
            rejected,
            vec![
                ("/t/b.prom".to_string(), "node_load1".to_string()),
                ("/t/c.prom".to_string(), "backup_age_seconds".to_string())
            ]
        );
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].samples.len(), 2);
    }

    #[test]
    fn a_file_defining_the_events_family_is_rejected() {
        let raw = RawCounters {
            textfile: Some(Textfiles {
                families: parse(
                    "system_stats_rpi_events_total{kind=\"throttled\"} 7\nother_total 1\n",
                    "/t/e.prom",
                )
                .expect("ok"),
                mtimes: vec![("/t/e.prom".to_string(), 1.0)],
                error: false,
            }),
            ..Default::default()
        };
        let counts = [(crate::power::Kind::Throttled, 2)];
        let text = exposition(
            &Snapshot::default(),
            &raw,
            EventCounts::of(Some(&counts), None),
        );
        let types = text
            .lines()
            .filter(|l| l.starts_with("# TYPE system_stats_rpi_events_total "))
            .count();
        assert_eq!(types, 1, "{text}");
        assert!(text.contains("system_stats_rpi_events_total{kind=\"throttled\"} 2\n"));
        assert!(!text.contains("other_total"), "the file is rejected whole");
        assert!(text.contains("node_textfile_scrape_error 1\n"));
    }
}
