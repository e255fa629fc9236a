//! node_exporter's `time` collector (not timex): the current time, the
//! local time zone's offset, and the clock sources of
//! `/sys/devices/system/clocksource/clocksourceN`.

use crate::metrics::model::MetricFamily;

/// One `clocksourceN` directory: N, `available_clocksource`, `current_clocksource`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockSource {
    pub device: String,
    pub available: String,
    pub current: String,
}

pub fn families(
    now: f64,
    zone: Option<(String, i64)>,
    sources: &[ClockSource],
) -> Vec<MetricFamily> {
    let mut out = vec![MetricFamily::gauge(
        "node_time_seconds",
        "System time in seconds since the epoch (1970).",
    )
    .with(vec![], now)];
    if let Some((name, offset)) = zone {
        out.push(
            MetricFamily::gauge(
                "node_time_zone_offset_seconds",
                "Offset of the local time zone from UTC, in seconds.",
            )
            .with(vec![("time_zone", name)], offset as f64),
        );
    }
    let mut available = MetricFamily::gauge(
        "node_time_clocksource_available_info",
        "Clock sources the kernel can use; always 1.",
    );
    let mut current = MetricFamily::gauge(
        "node_time_clocksource_current_info",
        "The clock source the kernel uses; always 1.",
    );
    for s in sources {
        for name in s.available.split_whitespace() {
            available.push(
                vec![
                    ("clocksource", name.to_string()),
                    ("device", s.device.clone()),
                ],
                1.0,
            );
        }
        let cur = s.current.trim();
        if !cur.is_empty() {
            current.push(
                vec![
                    ("clocksource", cur.to_string()),
                    ("device", s.device.clone()),
                ],
                1.0,
            );
        }
    }
    out.push(available);
    out.push(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zone_and_clock_sources() {
        let src = [ClockSource {
            device: "0".into(),
            available: "kvm-clock tsc \n".into(),
            current: "tsc\n".into(),
        }];
        let f = families(1.5e9, Some(("CET".into(), 3600)), &src);
        assert_eq!(f[0].samples[0].value, 1.5e9);
        assert_eq!(f[1].value(&[("time_zone", "CET")]), Some(3600.0));
        assert_eq!(f[2].samples.len(), 2);
        assert_eq!(
            f[2].value(&[("clocksource", "tsc"), ("device", "0")]),
            Some(1.0)
        );
        assert_eq!(f[3].value(&[("clocksource", "tsc")]), Some(1.0));
    }
}
