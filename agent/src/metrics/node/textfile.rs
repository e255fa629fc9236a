//! node_exporter's `textfile` collector, pure part: parse the Prometheus
//! text of a `*.prom` file (strictly: a syntax error, a timestamp or a
//! repeated TYPE rejects the whole file), and render what was accepted.
//! Sample lines are parsed by common's `exposition` (the forwarder's
//! parser too); the HELP/TYPE comments and the families are this file's.
//! The directory is read by `platform::textfile`; families that clash with
//! ours are dropped in `metrics::exposition`.

use crate::metrics::text::{escape_label_value, format_value};
use std::fmt::Write;
use system_stats_common::exposition;

/// Label pairs of a text file's sample, in file order.
pub type TextLabels = Vec<(String, String)>;

/// One family of a text file, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct TextFamily {
    pub name: String,
    pub help: Option<String>,
    /// counter, gauge, histogram, summary or untyped
    pub kind: String,
    /// (series name, labels, value)
    pub samples: Vec<(String, TextLabels, f64)>,
    /// The file it came from (for HELP and log lines).
    pub file: String,
}

/// What the directory gave this scrape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Textfiles {
    pub families: Vec<TextFamily>,
    /// (path, mtime in whole seconds) of each file accepted
    pub mtimes: Vec<(String, f64)>,
    /// A file could not be read or parsed.
    pub error: bool,
}

/// The family a series belongs to: its own name, or for histograms and
/// summaries the declared name it extends.
fn family_of(series: &str, declared: &[TextFamily]) -> Option<usize> {
    declared.iter().position(|f| {
        f.name == series
            || (matches!(f.kind.as_str(), "histogram" | "summary")
                && ["_bucket", "_sum", "_count"]
                    .iter()
                    .any(|suf| series.strip_suffix(suf) == Some(f.name.as_str())))
    })
}

/// Parse one file; Err is the reason the whole file is rejected.
pub fn parse(text: &str, file: &str) -> Result<Vec<TextFamily>, String> {
    let mut out: Vec<TextFamily> = Vec::new();
    let new = |name: &str| TextFamily {
        name: name.to_string(),
        help: None,
        kind: "untyped".into(),
        samples: Vec::new(),
        file: file.to_string(),
    };
    for (n, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}", n + 1);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            let (kw, name, rest) = (words.next(), words.next(), words.next().unwrap_or(""));
            let (Some(kw @ ("HELP" | "TYPE")), Some(name)) = (kw, name) else {
                continue;
            };
            if !exposition::is_metric_name(name) {
                return Err(at(format!("invalid metric name {name:?}")));
            }
            let i = match out.iter().position(|f| f.name == name) {
                Some(i) => i,
                None => {
                    out.push(new(name));
                    out.len() - 1
                }
            };
            if kw == "HELP" {
                if out[i].help.is_some() {
                    return Err(at(format!("second HELP for {name}")));
                }
                out[i].help = Some(rest.replace("\\n", "\n").replace("\\\\", "\\"));
            } else {
                let kind = rest.trim();
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                    return Err(at(format!("unknown type {kind:?}")));
                }
                if out[i].kind != "untyped" || !out[i].samples.is_empty() {
                    return Err(at(format!("TYPE for {name} repeated or after its samples")));
                }
                out[i].kind = kind.to_string();
            }
            continue;
        }
        let sample = exposition::parse_sample(line).map_err(|e| at(e.to_string()))?;
        if sample.timestamp.is_some() {
            return Err(at("timestamps are not supported".into()));
        }
        let mut labels: TextLabels = Vec::with_capacity(sample.labels.len());
        for (name, value) in sample.labels {
            if labels.iter().any(|(n, _)| n == name) {
                return Err(at(format!("label {name} repeated")));
            }
            labels.push((name.to_string(), value.into_owned()));
        }
        let (series, value) = (sample.name, sample.value);
        let i = match family_of(series, &out) {
            Some(i) => i,
            None => {
                out.push(new(series));
                out.len() - 1
            }
        };
        out[i].samples.push((series.to_string(), labels, value));
    }
    Ok(out)
}

/// The text exposition of accepted families (with node_exporter's HELP for
/// families that have none).
pub fn render(families: &[TextFamily]) -> String {
    let mut out = String::new();
    for f in families.iter().filter(|f| !f.samples.is_empty()) {
        let help = f
            .help
            .clone()
            .unwrap_or_else(|| format!("Metric read from {}", f.file));
        let _ = writeln!(
            out,
            "# HELP {} {}",
            f.name,
            help.replace('\\', "\\\\").replace('\n', "\\n")
        );
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind);
        for (series, labels, value) in &f.samples {
            out.push_str(series);
            if !labels.is_empty() {
                let l: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape_label_value(v)))
                    .collect();
                let _ = write!(out, "{{{}}}", l.join(","));
            }
            let _ = writeln!(out, " {}", format_value(*value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_labels_and_histograms() {
        let text = "# HELP backup_age_seconds Age of the last backup.\n# TYPE backup_age_seconds gauge\nbackup_age_seconds{job=\"nightly\",path=\"a\\\"b\"} 3600\n\n# TYPE lat histogram\nlat_bucket{le=\"+Inf\"} 3\nlat_sum 1.5\nlat_count 3\nloose 1\n";
        let f = parse(text, "/t/a.prom").expect("valid");
        assert_eq!(f.len(), 3);
        assert_eq!(
            f[0].samples[0].1[1],
            ("path".to_string(), "a\"b".to_string())
        );
        assert_eq!(f[1].samples.len(), 3);
        assert_eq!((f[2].kind.as_str(), f[2].samples[0].2), ("untyped", 1.0));
        assert_eq!(
            render(&f[..1]),
            "# HELP backup_age_seconds Age of the last backup.\n# TYPE backup_age_seconds gauge\nbackup_age_seconds{job=\"nightly\",path=\"a\\\"b\"} 3600\n"
        );
        assert!(render(&f[2..]).starts_with("# HELP loose Metric read from /t/a.prom\n"));
    }

    #[test]
    fn syntax_errors_reject_the_file() {
        for bad in [
            "x{a=\"1\" 2\n",
            "x 1 1700000000\n",
            "x abc\n",
            "9x 1\n",
            "x{a=1} 2\n",
            "# TYPE x gauge\n# TYPE x counter\nx 1\n",
            "# TYPE x widget\n",
            "x{a=\"1\",a=\"2\"} 1\n",
        ] {
            assert!(parse(bad, "f").is_err(), "{bad:?}");
        }
        assert_eq!(
            parse("x{} +Inf\n# just a comment\n", "f").expect("ok")[0].samples[0].2,
            f64::INFINITY
        );
    }
}
