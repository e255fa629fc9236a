//! Small pure helpers shared by every collector: psutil-style rounding and
//! percentages, RFC 3339 timestamps, and the human uptime string.

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};

/// Round to one decimal, as psutil's `round(x, 1)`.
pub fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// `part / whole * 100`, one decimal, 0.0 when `whole` is zero (psutil's usage_percent).
pub fn percent(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 {
        return 0.0;
    }
    round1(part / whole * 100.0)
}

/// RFC 3339 UTC with microseconds and a `+00:00` offset, as Python's isoformat().
pub fn rfc3339_utc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// A Unix time rendered in the given offset, to the second, as Python's
/// `datetime.fromtimestamp(t).astimezone().isoformat()`.
pub fn rfc3339_at_offset(unix_seconds: i64, offset: FixedOffset) -> Option<String> {
    offset
        .timestamp_opt(unix_seconds, 0)
        .single()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
}

/// "2d 3h", "10h 17m", "5m", "0m": days and hours when non-zero, minutes when
/// non-zero or when nothing else is shown.
pub fn human_uptime(seconds: u64) -> String {
    let days = seconds / 86_400;
    let hours = (seconds % 86_400) / 3_600;
    let minutes = (seconds % 3_600) / 60;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0 || parts.is_empty() {
        parts.push(format!("{minutes}m"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_uptime_matches_seed_examples() {
        assert_eq!(human_uptime(10 * 3600 + 17 * 60 + 5), "10h 17m");
        assert_eq!(human_uptime(2 * 86_400 + 3 * 3600), "2d 3h");
        assert_eq!(human_uptime(59), "0m");
        assert_eq!(human_uptime(0), "0m");
        assert_eq!(human_uptime(86_400 + 60), "1d 1m");
    }

    #[test]
    fn percent_and_rounding() {
        assert_eq!(percent(1.0, 3.0), 33.3);
        assert_eq!(percent(2.0, 3.0), 66.7);
        assert_eq!(percent(5.0, 0.0), 0.0);
        assert_eq!(round1(12.25000001), 12.3);
    }

    #[test]
    fn timestamps() {
        let t = Utc
            .timestamp_opt(1_758_644_292, 743_209_000)
            .single()
            .unwrap();
        assert_eq!(rfc3339_utc(t), "2025-09-23T16:18:12.743209+00:00");
        let cest = FixedOffset::east_opt(2 * 3600).unwrap();
        assert_eq!(
            rfc3339_at_offset(1_758_644_292, cest).unwrap(),
            "2025-09-23T18:18:12+02:00"
        );
    }
}
