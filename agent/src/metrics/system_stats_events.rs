//! `system_stats_rpi_events_total{kind}`: the Raspberry Pi power/heat
//! events the agent has counted since it started (see `power`), and the
//! upgrades the image's guard rolled back (`kind="upgrade_rolled_back"`,
//! see `rollbacks`).

use super::model::MetricFamily;
use crate::power::Kind;

pub const NAME: &str = "system_stats_rpi_events_total";

/// The family, one sample per kind (zeros included, so a rate works from
/// the first scrape), then the rollbacks recorded (when known).
pub fn family(counts: &[(Kind, u64)], rollbacks: Option<usize>) -> MetricFamily {
    let mut f = MetricFamily::counter(
        NAME,
        "Raspberry Pi power/heat events (throttling flags and the rpi_volt alarm coming on, or found set since boot at start) since the agent started; upgrade_rolled_back: the upgrades the image's upgrade guard rolled back (its rollbacks.jsonl).",
    );
    for (kind, n) in counts {
        f.push(vec![("kind", kind.as_str().to_string())], *n as f64);
    }
    if let Some(n) = rollbacks {
        f.push(vec![("kind", crate::rollbacks::KIND.to_string())], n as f64);
    }
    f
}

/// The family's exposition text ("" when there is nothing to count).
pub fn text(counts: Option<&[(Kind, u64)]>, rollbacks: Option<usize>) -> String {
    if counts.is_none() && rollbacks.is_none() {
        return String::new();
    }
    super::text::render(&[family(counts.unwrap_or_default(), rollbacks)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_kind_with_help_and_type() {
        let text = text(
            Some(&[(Kind::UnderVoltage, 2), (Kind::Throttled, 0)]),
            Some(3),
        );
        assert!(text.contains("# TYPE system_stats_rpi_events_total counter\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"under_voltage\"} 2\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"throttled\"} 0\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"upgrade_rolled_back\"} 3\n"));
        assert_eq!(super::text(None, None), "");
        let only_rollbacks = super::text(None, Some(1));
        assert!(only_rollbacks.contains("# TYPE system_stats_rpi_events_total counter\n"));
        assert!(only_rollbacks
            .ends_with("\nsystem_stats_rpi_events_total{kind=\"upgrade_rolled_back\"} 1\n"));
    }
}
