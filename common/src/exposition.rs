//! The one Prometheus text exposition (0.0.4) parser of the project: a
//! small, strict line parser for `name{label="value",...} value [timestamp]`
//! sample lines, label values escaping `\\`, `\"` and `\n`, and Go-style
//! `NaN`/`+Inf`/`-Inf`. The forwarder checks and re-encodes the agent's
//! `/metrics` with it (remote write); the agent's textfile collector parses
//! each sample line of a `*.prom` file with it (`parse_sample`) and keeps
//! the `# HELP`/`# TYPE` and family rules of its own.
//!
//! Why not a crate: `prometheus-parse` (the only maintained-looking one)
//! pulls in `regex` and `chrono`, costs binary size and RSS on a Pi, and
//! returns owned, re-sorted maps; what we need is ~100 lines, fully tested
//! here, and rejects anything else loudly instead of guessing.

use std::borrow::Cow;

/// Label pairs of a line, values unescaped.
pub type Labels<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    /// The series as written (name and labels): identical text, same series.
    pub series: &'a str,
    pub name: &'a str,
    pub labels: Labels<'a>,
    pub value: f64,
    /// The optional timestamp, in milliseconds.
    pub timestamp: Option<i64>,
}

/// A line that is not valid exposition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Parse every sample line of `text` (comments and blank lines skipped).
pub fn parse(text: &str) -> Result<Vec<Line<'_>>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_sample(line).map_err(|reason| ParseError {
            line: i + 1,
            reason,
        })?);
    }
    Ok(out)
}

/// `text` without comment and blank lines: what the spool keeps.
pub fn samples_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    for line in text.lines().map(str::trim) {
        if !line.is_empty() && !line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

pub fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

pub use crate::settings::validators::is_label_name;

/// One sample line (trimmed, not a comment); Err is the reason it is not one.
pub fn parse_sample(line: &str) -> Result<Line<'_>, &'static str> {
    let name_end = line.find(['{', ' ', '\t']).ok_or("no value")?;
    let name = &line[..name_end];
    if !is_metric_name(name) {
        return Err("bad metric name");
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let (parsed, tail) = parse_labels(after)?;
        labels = parsed;
        rest = tail;
    }
    let series = &line[..line.len() - rest.len()];
    let mut fields = rest.split_ascii_whitespace();
    let value = parse_value(fields.next().ok_or("no value")?).ok_or("bad value")?;
    let timestamp = match fields.next() {
        Some(ts) => Some(ts.parse::<i64>().map_err(|_| "bad timestamp")?),
        None => None,
    };
    if fields.next().is_some() {
        return Err("trailing text");
    }
    Ok(Line {
        series,
        name,
        labels,
        value,
        timestamp,
    })
}

/// Labels after `{` up to and including `}`; returns the text after `}`.
fn parse_labels(mut s: &str) -> Result<(Labels<'_>, &str), &'static str> {
    let mut labels = Vec::new();
    loop {
        s = s.trim_start();
        if let Some(tail) = s.strip_prefix('}') {
            return Ok((labels, tail));
        }
        let eq = s.find('=').ok_or("bad label")?;
        let name = s[..eq].trim();
        if !is_label_name(name) {
            return Err("bad label name");
        }
        s = s[eq + 1..].trim_start();
        s = s.strip_prefix('"').ok_or("label value not quoted")?;
        let (value, tail) = parse_quoted(s)?;
        labels.push((name, value));
        s = tail.trim_start();
        if let Some(tail) = s.strip_prefix(',') {
            s = tail;
        } else if !s.starts_with('}') {
            return Err("expected , or }");
        }
    }
}

/// A label value after its opening quote; returns it and the text after
/// the closing quote.
fn parse_quoted(s: &str) -> Result<(Cow<'_, str>, &str), &'static str> {
    let bytes = s.as_bytes();
    let mut owned: Option<String> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let value = match owned {
                    Some(o) => Cow::Owned(o),
                    None => Cow::Borrowed(&s[..i]),
                };
                return Ok((value, &s[i + 1..]));
            }
            b'\\' => {
                let o = owned.get_or_insert_with(|| s[..i].to_string());
                match bytes.get(i + 1) {
                    Some(b'\\') => o.push('\\'),
                    Some(b'"') => o.push('"'),
                    Some(b'n') => o.push('\n'),
                    _ => return Err("bad escape in label value"),
                }
                i += 2;
            }
            _ => {
                let ch_len = s[i..].chars().next().map_or(1, char::len_utf8);
                if let Some(o) = owned.as_mut() {
                    o.push_str(&s[i..i + ch_len]);
                }
                i += ch_len;
            }
        }
    }
    Err("unterminated label value")
}

fn parse_value(v: &str) -> Option<f64> {
    match v {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ if v
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
        {
            v.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_lines() {
        let text = "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.42\n\
                    node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 554.71\n\n\
                    node_uname_info{machine=\"aarch64\",nodename=\"pi\"} 1\n";
        let lines = parse(text).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].name, "node_load1");
        assert!(lines[0].labels.is_empty());
        assert_eq!(lines[0].value, 0.42);
        assert_eq!(
            lines[1].labels,
            vec![("cpu", Cow::from("0")), ("mode", Cow::from("idle"))]
        );
        assert_eq!(lines[2].labels[1].1, "pi");
        assert_eq!(
            lines[1].series,
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"
        );
        assert_eq!(lines[0].series, "node_load1");
    }

    #[test]
    fn escapes_specials_and_timestamps() {
        let lines =
            parse("a{x=\"q\\\"b\\\\s\\nn\",y=\"é,}\",} NaN\nb +Inf 1700000000000\nc -Inf\nd 1e3\n")
                .unwrap();
        assert_eq!(lines[0].labels[0].1, "q\"b\\s\nn");
        assert_eq!(lines[0].labels[1].1, "é,}");
        assert!(lines[0].value.is_nan());
        assert_eq!(lines[1].value, f64::INFINITY);
        assert_eq!(lines[2].value, f64::NEG_INFINITY);
        assert_eq!(lines[3].value, 1000.0);
        assert_eq!(lines[1].timestamp, Some(1_700_000_000_000));
        assert_eq!(lines[0].timestamp, None);
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        for bad in [
            "1bad 1",
            "name",
            "name{",
            "name{a=\"x} 1",
            "name{a=x} 1",
            "name{a=\"x\" b=\"y\"} 1",
            "name{0a=\"x\"} 1",
            "name{a=\"\\t\"} 1",
            "name one",
            "name 1 2 3",
            "name 1 later",
            "name 0x10",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse("ok 1\nbad").unwrap_err().line, 2);
    }

    #[test]
    fn comments_are_dropped_for_the_spool() {
        assert_eq!(
            samples_only("# HELP a x\n# TYPE a gauge\n a 1 \n\nb{c=\"d\"} 2\n"),
            "a 1\nb{c=\"d\"} 2\n"
        );
    }
}
