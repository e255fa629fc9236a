//! Prometheus text exposition format 0.0.4: HELP and TYPE for each family,
//! escaped label values, Go-compatible special float values.

use super::model::MetricFamily;
use std::fmt::Write;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Label values escape `\`, `"` and newlines.
pub fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// HELP text escapes `\` and newlines.
fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

/// Render families; families without samples are left out.
pub fn render(families: &[MetricFamily]) -> String {
    let mut out = String::with_capacity(families.len() * 160);
    for f in families.iter().filter(|f| !f.samples.is_empty()) {
        let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(&f.help));
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind.as_str());
        for s in &f.samples {
            out.push_str(&f.name);
            if !s.labels.is_empty() {
                out.push('{');
                for (i, (k, v)) in s.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{k}=\"{}\"", escape_label_value(v));
                }
                out.push('}');
            }
            out.push(' ');
            out.push_str(&format_value(s.value));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_help_type_labels_and_escapes() {
        let f = vec![
            MetricFamily::gauge("node_load1", "1m load average.").with(vec![], 0.42),
            MetricFamily::counter("x_total", "A \\ help\nline.").with(
                vec![("device", "a\"b\\c\nd".into()), ("mode", "user".into())],
                210.34,
            ),
            MetricFamily::gauge("empty", "Never printed."),
            MetricFamily::gauge("big", "Big.").with(vec![], 3_975_475_200.0),
        ];
        assert_eq!(
            render(&f),
            "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.42\n\
# HELP x_total A \\\\ help\\nline.\n# TYPE x_total counter\n\
x_total{device=\"a\\\"b\\\\c\\nd\",mode=\"user\"} 210.34\n\
# HELP big Big.\n# TYPE big gauge\nbig 3975475200\n"
        );
    }

    #[test]
    fn special_values() {
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(-1.5), "-1.5");
        assert_eq!(format_value(0.0), "0");
    }
}
