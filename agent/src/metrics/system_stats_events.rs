//! `system_stats_rpi_events_total{kind}`: the Raspberry Pi power/heat
//! events the agent has counted since it started (see `power`), and the
//! upgrades the image's guard rolled back (`kind="upgrade_rolled_back"`,
//! see `rollbacks`).

use super::model::MetricFamily;
use crate::power::Kind;

pub const NAME: &str = "system_stats_rpi_events_total";

/// What the family counts: the power/heat events (one per kind, zeros
/// included, so a rate works from the first scrape) and the rollbacks
/// recorded (when known).
#[derive(Debug, Clone, Copy, Default)]
pub struct EventCounts<'a> {
    pub power: &'a [(Kind, u64)],
    pub rollbacks: Option<usize>,
}

impl<'a> EventCounts<'a> {
    /// None when there is nothing to count (no history, no rollbacks).
    pub fn of(power: Option<&'a [(Kind, u64)]>, rollbacks: Option<usize>) -> Option<Self> {
        (power.is_some() || rollbacks.is_some()).then(|| Self {
            power: power.unwrap_or_default(),
            rollbacks,
        })
    }
}

/// The family: one sample per power/heat kind, then the rollbacks.
pub fn family(EventCounts { power, rollbacks }: EventCounts) -> MetricFamily {
    let mut f = MetricFamily::counter(
        NAME,
        "Raspberry Pi power/heat events (throttling flags and the rpi_volt alarm coming on, or found set since boot at start) since the agent started; upgrade_rolled_back: the upgrades the image's upgrade guard rolled back (its rollbacks.jsonl).",
    );
    for (kind, n) in power {
        f.push(vec![("kind", kind.as_str().to_string())], *n as f64);
    }
    if let Some(n) = rollbacks {
        f.push(vec![("kind", crate::rollbacks::KIND.to_string())], n as f64);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_kind_with_help_and_type() {
        let text = super::super::text::render(&[family(EventCounts {
            power: &[(Kind::UnderVoltage, 2), (Kind::Throttled, 0)],
            rollbacks: Some(3),
        })]);
        assert!(text.contains("# TYPE system_stats_rpi_events_total counter\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"under_voltage\"} 2\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"throttled\"} 0\n"));
        assert!(text.contains("system_stats_rpi_events_total{kind=\"upgrade_rolled_back\"} 3\n"));
        assert!(EventCounts::of(None, None).is_none());
        let only = EventCounts::of(None, Some(1)).expect("rollbacks alone");
        let only_rollbacks = super::super::text::render(&[family(only)]);
        assert!(only_rollbacks.contains("# TYPE system_stats_rpi_events_total counter\n"));
        assert!(only_rollbacks
            .ends_with("\nsystem_stats_rpi_events_total{kind=\"upgrade_rolled_back\"} 1\n"));
    }
}
