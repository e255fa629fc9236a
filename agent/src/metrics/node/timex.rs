//! node_exporter's `timex` collector families (`node_timex_*`): the
//! kernel's clock discipline from `adjtimex(2)`, with node_exporter's names,
//! help, types and unit conversions (µs or ns with `STA_NANO` to seconds,
//! ppm with a 16-bit fraction to ratios/hertz). A pure function of the raw
//! struct; the syscall lives in `system_stats_common::timex`.

use super::raw::RawCounters;
use crate::metrics::model::{MetricFamily, MetricKind};
use crate::snapshot::Snapshot;
use system_stats_common::timex::{Timex, STA_NANO, TIME_ERROR};

/// A `freq`/`ppsfreq`/`stabil` unit: one ppm with a 16-bit binary fraction.
const PPM16: f64 = 1_000_000.0 * 65_536.0;
const MICRO: f64 = 1_000_000.0;
const NANO: f64 = 1_000_000_000.0;

/// Every `node_timex_*` value, in node_exporter's order.
pub fn values(t: &Timex) -> Vec<(&'static str, &'static str, MetricKind, f64)> {
    use MetricKind::{Counter, Gauge};
    // offset and jitter follow STA_NANO; the other times are always µs
    let fine = if t.status & STA_NANO != 0 {
        NANO
    } else {
        MICRO
    };
    let synced = if t.state == TIME_ERROR { 0.0 } else { 1.0 };
    vec![
        (
            "node_timex_sync_status",
            "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
            Gauge,
            synced,
        ),
        (
            "node_timex_offset_seconds",
            "Time offset in between local system and reference clock.",
            Gauge,
            t.offset as f64 / fine,
        ),
        (
            "node_timex_frequency_adjustment_ratio",
            "Local clock frequency adjustment.",
            Gauge,
            1.0 + t.freq as f64 / PPM16,
        ),
        (
            "node_timex_maxerror_seconds",
            "Maximum error in seconds.",
            Gauge,
            t.maxerror as f64 / MICRO,
        ),
        (
            "node_timex_estimated_error_seconds",
            "Estimated error in seconds.",
            Gauge,
            t.esterror as f64 / MICRO,
        ),
        (
            "node_timex_status",
            "Value of the status array bits.",
            Gauge,
            t.status as f64,
        ),
        (
            "node_timex_loop_time_constant",
            "Phase-locked loop time constant.",
            Gauge,
            t.constant as f64,
        ),
        (
            "node_timex_tick_seconds",
            "Seconds between clock ticks.",
            Gauge,
            t.tick as f64 / MICRO,
        ),
        (
            "node_timex_pps_frequency_hertz",
            "Pulse per second frequency.",
            Gauge,
            t.ppsfreq as f64 / PPM16,
        ),
        (
            "node_timex_pps_jitter_seconds",
            "Pulse per second jitter.",
            Gauge,
            t.jitter as f64 / fine,
        ),
        (
            "node_timex_pps_shift_seconds",
            "Pulse per second interval duration.",
            Gauge,
            t.shift as f64,
        ),
        (
            "node_timex_pps_stability_hertz",
            "Pulse per second stability, average of recent frequency changes.",
            Gauge,
            t.stabil as f64 / PPM16,
        ),
        (
            "node_timex_pps_jitter_total",
            "Pulse per second count of jitter limit exceeded events.",
            Counter,
            t.jitcnt as f64,
        ),
        (
            "node_timex_pps_calibration_total",
            "Pulse per second count of calibration intervals.",
            Counter,
            t.calcnt as f64,
        ),
        (
            "node_timex_pps_error_total",
            "Pulse per second count of calibration errors.",
            Counter,
            t.errcnt as f64,
        ),
        (
            "node_timex_pps_stability_exceeded_total",
            "Pulse per second count of stability limit exceeded events.",
            Counter,
            t.stbcnt as f64,
        ),
        (
            "node_timex_tai_offset_seconds",
            "International Atomic Time (TAI) offset.",
            Gauge,
            t.tai as f64,
        ),
    ]
}

pub fn families(_snap: &Snapshot, raw: &RawCounters) -> Vec<MetricFamily> {
    from_timex(raw.timex.as_ref())
}

/// The families, one unlabelled sample each; none when `adjtimex` failed.
pub fn from_timex(timex: Option<&Timex>) -> Vec<MetricFamily> {
    let Some(t) = timex else {
        return Vec::new();
    };
    values(t)
        .into_iter()
        .map(|(name, help, kind, v)| MetricFamily::new(name, kind, help).with(vec![], v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::model::find;
    use system_stats_common::timex::STA_UNSYNC;

    fn value(families: &[MetricFamily], name: &str) -> f64 {
        find(families, name)
            .and_then(|f| f.value(&[]))
            .unwrap_or_else(|| panic!("{name} missing"))
    }

    /// chrony-disciplined clock, values as adjtimex(2) gives them.
    const SYNCED: Timex = Timex {
        state: 0,
        offset: -1_234_567, // ns (STA_NANO): -1.234567 ms
        freq: -1_073_741,   // -1073741 / 65536 = -16.38 ppm
        maxerror: 16_500,   // µs
        esterror: 250,      // µs
        status: 0x2001,     // STA_NANO | STA_PLL
        constant: 7,
        precision: 1,
        tolerance: 32_768_000,
        tick: 10_000,     // µs
        ppsfreq: 131_072, // 2 ppm
        jitter: 500,      // ns
        shift: 4,
        stabil: 65_536, // 1 ppm
        jitcnt: 3,
        calcnt: 11,
        errcnt: 2,
        stbcnt: 1,
        tai: 37,
    };

    #[test]
    fn a_synchronized_nanosecond_clock() {
        let f = from_timex(Some(&SYNCED));
        assert_eq!(f.len(), 17);
        assert_eq!(value(&f, "node_timex_sync_status"), 1.0);
        assert_eq!(value(&f, "node_timex_offset_seconds"), -0.001234567);
        // 1 + (-1073741 / 65536) / 1e6
        assert_eq!(
            value(&f, "node_timex_frequency_adjustment_ratio"),
            1.0 - 1_073_741.0 / 65_536_000_000.0
        );
        assert_eq!(value(&f, "node_timex_maxerror_seconds"), 0.0165);
        assert_eq!(value(&f, "node_timex_estimated_error_seconds"), 0.00025);
        assert_eq!(value(&f, "node_timex_status"), 8193.0);
        assert_eq!(value(&f, "node_timex_loop_time_constant"), 7.0);
        assert_eq!(value(&f, "node_timex_tick_seconds"), 0.01);
        assert_eq!(value(&f, "node_timex_pps_frequency_hertz"), 2e-6);
        assert_eq!(value(&f, "node_timex_pps_jitter_seconds"), 5e-7);
        assert_eq!(value(&f, "node_timex_pps_shift_seconds"), 4.0);
        assert_eq!(value(&f, "node_timex_pps_stability_hertz"), 1e-6);
        assert_eq!(value(&f, "node_timex_pps_jitter_total"), 3.0);
        assert_eq!(value(&f, "node_timex_pps_calibration_total"), 11.0);
        assert_eq!(value(&f, "node_timex_pps_error_total"), 2.0);
        assert_eq!(value(&f, "node_timex_pps_stability_exceeded_total"), 1.0);
        assert_eq!(value(&f, "node_timex_tai_offset_seconds"), 37.0);
        for fam in &f {
            let counter = fam.name.ends_with("_total");
            assert_eq!(fam.kind == MetricKind::Counter, counter, "{}", fam.name);
        }
    }

    #[test]
    fn an_unsynchronized_microsecond_clock() {
        // a Pi without RTC before NTP: TIME_ERROR, STA_UNSYNC, µs units
        let t = Timex {
            state: TIME_ERROR,
            status: STA_UNSYNC,
            offset: 2_500,
            jitter: 40,
            maxerror: 16_000_000,
            ..SYNCED
        };
        let f = from_timex(Some(&t));
        assert_eq!(value(&f, "node_timex_sync_status"), 0.0);
        assert_eq!(value(&f, "node_timex_status"), 64.0);
        assert_eq!(value(&f, "node_timex_offset_seconds"), 0.0025);
        assert_eq!(value(&f, "node_timex_pps_jitter_seconds"), 0.00004);
        assert_eq!(value(&f, "node_timex_maxerror_seconds"), 16.0);
    }

    #[test]
    fn no_adjtimex_no_families() {
        assert!(from_timex(None).is_empty());
    }
}
