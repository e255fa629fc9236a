//! `/history` and `/history.csv` bodies from the tiers: columnar JSON (`t`
//! in Unix seconds, one array per series, `null` for gaps; the 24 h range
//! adds a `<series>_max` array per series) and CSV with a header. Pure.

use super::series::{Point, SERIES};
use super::tiers::Tiers;
use std::fmt::Write;

/// Which tier a request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// The last hour at 5 s.
    Hour,
    /// The last 24 h at 1 min (average and maximum).
    Day,
}

impl Range {
    pub fn parse(value: &str) -> Option<Range> {
        match value {
            "1h" => Some(Range::Hour),
            "24h" => Some(Range::Day),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
        }
    }
}

/// One time of a window: its average and maximum, or None for a gap.
type Row = (i64, Option<(Point, Point)>);

/// The window's times and, per time, the average and the maximum (equal
/// for the fine tier) or None for a gap.
fn columns(tiers: &Tiers, range: Range, now: i64) -> (i64, Vec<Row>) {
    match range {
        Range::Hour => (
            tiers.fine.step(),
            tiers
                .fine
                .window(now)
                .map(|(t, p)| (t, p.map(|p| (*p, *p))))
                .collect(),
        ),
        Range::Day => (
            tiers.coarse.step(),
            tiers
                .coarse
                .window(now)
                .map(|(t, c)| (t, c.map(|c| (c.avg, c.max))))
                .collect(),
        ),
    }
}

/// A value as a chart needs it: whole numbers from 1000 up (bytes/s), two
/// decimals below, trailing zeros dropped (a quarter of the bytes of f32's
/// full digits, and the 24 h body is ~200 KB).
fn value(out: &mut String, v: f32) {
    let start = out.len();
    if v.abs() >= 1000.0 {
        let _ = write!(out, "{v:.0}");
    } else {
        let _ = write!(out, "{v:.2}");
        let trimmed = out[start..]
            .trim_end_matches('0')
            .trim_end_matches('.')
            .len();
        out.truncate(start + trimmed);
        if &out[start..] == "-0" {
            out.truncate(start);
            out.push('0');
        }
    }
}

fn number(out: &mut String, v: f32) {
    if v.is_finite() {
        value(out, v);
    } else {
        out.push_str("null");
    }
}

fn array(out: &mut String, name: &str, rows: &[Row], value: impl Fn(&(Point, Point)) -> f32) {
    let _ = write!(out, ",\"{name}\":[");
    for (i, (_, v)) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        number(out, v.as_ref().map_or(f32::NAN, &value));
    }
    out.push(']');
}

pub fn json(tiers: &Tiers, range: Range, now: i64) -> Vec<u8> {
    let (step, rows) = columns(tiers, range, now);
    let mut out = String::with_capacity(rows.len() * (SERIES.len() + 1) * 8);
    let _ = write!(
        out,
        "{{\"range\":\"{}\",\"step\":{step},\"t\":[",
        range.as_str()
    );
    for (i, (t, _)) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{t}");
    }
    out.push(']');
    for (k, name) in SERIES.iter().enumerate() {
        array(&mut out, name, &rows, |(avg, _)| avg[k]);
        if range == Range::Day {
            array(&mut out, &format!("{name}_max"), &rows, |(_, max)| max[k]);
        }
    }
    out.push('}');
    out.into_bytes()
}

pub fn csv(tiers: &Tiers, range: Range, now: i64) -> Vec<u8> {
    let (_, rows) = columns(tiers, range, now);
    let mut out = String::from("t,time");
    for name in SERIES {
        let _ = write!(out, ",{name}");
        if range == Range::Day {
            let _ = write!(out, ",{name}_max");
        }
    }
    out.push('\n');
    for (t, v) in &rows {
        let time = chrono::DateTime::from_timestamp(*t, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        let _ = write!(out, "{t},{time}");
        for k in 0..SERIES.len() {
            for (i, p) in [v.map(|v| v.0), v.map(|v| v.1)].iter().enumerate() {
                if i == 1 && range == Range::Hour {
                    break;
                }
                out.push(',');
                if let Some(x) = p.map(|p| p[k]).filter(|x| x.is_finite()) {
                    value(&mut out, x);
                }
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::series::EMPTY;
    use crate::history::tiers::FINE_SLOTS;

    fn tiers() -> Tiers {
        let mut t = Tiers::default();
        let mut p = EMPTY;
        p[0] = 12.5;
        t.record(1_700_000_000, p);
        p[0] = 50.0;
        t.record(1_700_000_010, p);
        t
    }

    #[test]
    fn json_is_columnar_with_nulls_for_gaps() {
        let body = json(&tiers(), Range::Hour, 1_700_000_012);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        let t = v["t"].as_array().expect("t");
        let cpu = v["cpu_percent"].as_array().expect("cpu");
        assert_eq!(t.len(), FINE_SLOTS);
        assert_eq!(cpu.len(), FINE_SLOTS);
        assert_eq!(t[FINE_SLOTS - 1], 1_700_000_010);
        assert_eq!(cpu[FINE_SLOTS - 1], 50.0);
        assert!(cpu[FINE_SLOTS - 2].is_null());
        assert_eq!(cpu[FINE_SLOTS - 3], 12.5);
        assert!(v["memory_percent"][FINE_SLOTS - 1].is_null());
        assert_eq!(v["step"], 5);
        assert!(v.get("cpu_percent_max").is_none());
    }

    #[test]
    fn day_json_has_average_and_maximum() {
        let body = json(&tiers(), Range::Day, 1_700_000_012);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        let n = v["t"].as_array().map(Vec::len);
        assert_eq!(n, Some(1440));
        assert_eq!(v["cpu_percent"][1439], 31.25);
        assert_eq!(v["cpu_percent_max"][1439], 50.0);
        assert_eq!(v["t"][1439], 1_699_999_980);
    }

    #[test]
    fn csv_has_a_header_and_empty_cells_for_gaps() {
        let body = String::from_utf8(csv(&tiers(), Range::Hour, 1_700_000_012)).expect("utf8");
        let lines: Vec<&str> = body.lines().collect();
        assert!(lines[0].starts_with("t,time,cpu_percent,memory_percent,"));
        assert_eq!(lines.len(), FINE_SLOTS + 1);
        let last: Vec<&str> = lines[FINE_SLOTS].split(',').collect();
        assert_eq!(last[..3], ["1700000010", "2023-11-14T22:13:30Z", "50"]);
        assert_eq!(last.len(), SERIES.len() + 2);
        assert_eq!(last[3], "");
        let day = String::from_utf8(csv(&tiers(), Range::Day, 1_700_000_012)).expect("utf8");
        assert!(day
            .lines()
            .next()
            .is_some_and(|h| h.contains("cpu_percent_max")));
    }

    #[test]
    fn values_are_rounded_for_charts() {
        let mut out = String::new();
        for v in [0.0, 50.0, 12.345, 0.004, -0.001, 1234.6, 99.999, f32::NAN] {
            number(&mut out, v);
            out.push(' ');
        }
        assert_eq!(out, "0 50 12.35 0 0 1235 100 null ");
    }

    #[test]
    fn ranges() {
        assert_eq!(Range::parse("1h"), Some(Range::Hour));
        assert_eq!(Range::parse("24h"), Some(Range::Day));
        assert_eq!(Range::parse("7d"), None);
    }
}
