//! `system_stats_rpi_events_total{kind}`: the Raspberry Pi power/heat
//! events the agent has counted since it started (see `power`).

use super::model::MetricFamily;
use crate::power::Kind;

pub const NAME: &str = "system_stats_rpi_events_total";

/// The family, one sample per kind (zeros included, so a rate works from
/// the first scrape).
pub fn family(counts: &[(Kind, u64)]) -> MetricFamily {
    let mut f = MetricFamily::counter(
        NAME,
        "Raspberry Pi power/heat events (throttling flags and the rpi_volt alarm coming on, or found set since boot at start) since the agent started.",
    );
    for (kind, n) in counts {
        f.push(vec![("kind", kind.as_str().to_string())], *n as f64);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_kind_with_help_and_type() {
        let text =
            super::super::text::render(&[family(&[(Kind::UnderVoltage, 2), (Kind::Throttled, 0)])]);
        assert!(text.contains("# TYPE system_stats_rpi_events_total counter\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"under_voltage\"} 2\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"throttled\"} 0\n"));
    }
}
