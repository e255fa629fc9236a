//! Pure retry arithmetic: capped exponential backoff with jitter, the pace
//! kept after a server said 429, and `Retry-After` parsing (seconds or an
//! HTTP date).

use std::time::{Duration, SystemTime};

/// Capped exponential backoff. `next_delay` doubles the base each failure up
/// to `max`; the delay returned is "equal jitter": half fixed, half random.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max: max.max(initial),
            failures: 0,
        }
    }

    /// Backoff suited to a poll interval: starts at min(1 s, interval) and is
    /// capped at twice the interval, between 1 s and 5 minutes.
    pub fn for_interval(interval: Duration) -> Backoff {
        let initial = interval.min(Duration::from_secs(1));
        let max = (interval * 2).clamp(Duration::from_secs(1), Duration::from_secs(300));
        Backoff::new(initial, max)
    }

    /// The un-jittered delay for the current failure count.
    pub fn base(&self) -> Duration {
        let factor = 1u32 << self.failures.min(20);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// Record a failure and return how long to wait; `unit` is a random
    /// number in [0, 1).
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let base = self.base();
        self.failures = self.failures.saturating_add(1);
        let half = base / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Longest `Retry-After` we obey; a larger value is clamped to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How long a `Retry-After` value asks us to wait: delay-seconds or an
/// HTTP-date (relative to `now`; a date in the past means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else if let Some(secs) = value.parse::<f64>().ok().filter(|s| s.is_finite()) {
        // Clamp first: a value beyond u64 or Duration still means "long".
        Duration::try_from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())).ok()?
    } else {
        let when = httpdate::parse_http_date(value).ok()?;
        when.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// After a 429 the destination is paced: at most one post per `pace` until
/// `PACED_FOR` has gone by without another 429. The pace for the seed's
/// server (60 posts per minute per client) is one second; shorter poll
/// intervals get a proportionally shorter pace so they still keep up.
pub fn pace_after_429(interval: Duration) -> Duration {
    (interval / 2).min(Duration::from_secs(1))
}

/// How long pacing lasts after the last 429.
pub const PACED_FOR: Duration = Duration::from_secs(600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_jitter_in_range() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        let bases: Vec<u64> = (0..6)
            .map(|_| {
                let base = b.base();
                let d = b.next_delay(0.5);
                assert!(d >= base / 2 && d <= base);
                base.as_secs()
            })
            .collect();
        assert_eq!(bases, vec![1, 2, 4, 8, 8, 8]);
        assert_eq!(b.failures(), 6);
        b.reset();
        assert_eq!(b.base(), Duration::from_secs(1));
        assert_eq!(b.next_delay(0.0), Duration::from_millis(500));
        assert_eq!(b.next_delay(0.999_999).as_millis(), 1999);
    }

    #[test]
    fn never_overflows() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        for _ in 0..1000 {
            assert!(b.next_delay(1.0) <= Duration::from_secs(60));
        }
    }

    #[test]
    fn interval_sized_backoff() {
        let b = Backoff::for_interval(Duration::from_secs(30));
        assert_eq!(
            (b.initial, b.max),
            (Duration::from_secs(1), Duration::from_secs(60))
        );
        let b = Backoff::for_interval(Duration::from_millis(200));
        assert_eq!(
            (b.initial, b.max),
            (Duration::from_millis(200), Duration::from_secs(1))
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("99999999", now), Some(MAX_RETRY_AFTER));
        // Beyond u64 or Duration: still "a very long time", not "unknown".
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_retry_after("1e300", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("inf", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn pace_matches_sixty_per_minute() {
        assert_eq!(
            pace_after_429(Duration::from_secs(30)),
            Duration::from_secs(1)
        );
        assert_eq!(
            pace_after_429(Duration::from_millis(200)),
            Duration::from_millis(100)
        );
    }
}
