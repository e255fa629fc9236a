//! The systemd watchdog, pinged from its own task for as long as every
//! monitored part keeps its promise: before each wait, a part (the poller,
//! each delivery task, the spool's threads) says how long it may take
//! ([`Beat::within`]), or that it only waits for another monitored part
//! ([`Beat::idle`]). A part past its promise is hung: the pings stop and
//! systemd restarts the forwarder. Also bounds the request timeout so that
//! a hung poll is noticed within `WatchdogSec=`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use system_stats_common::notify;
use tokio::sync::watch;
use tracing::warn;

/// Added to every promise: scheduling, a busy CPU, a slow DNS answer.
pub const SLACK: Duration = Duration::from_secs(2);

#[derive(Debug)]
struct BeatState {
    name: String,
    /// `None`: idle, waiting for another monitored part.
    due: Mutex<Option<Instant>>,
}

/// One monitored part's promise.
#[derive(Debug, Clone)]
pub struct Beat(Arc<BeatState>);

impl Beat {
    /// The next step finishes within `limit` (plus [`SLACK`]).
    pub fn within(&self, limit: Duration) {
        let due = Instant::now()
            .checked_add(limit.saturating_add(SLACK))
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365));
        *self.0.due.lock().unwrap_or_else(PoisonError::into_inner) = Some(due);
    }

    /// Waiting for another monitored part (or for nothing at all).
    pub fn idle(&self) {
        *self.0.due.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Every monitored part.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    beats: Arc<Mutex<Vec<Beat>>>,
}

impl Liveness {
    /// Monitor one more part, idle until it makes a promise.
    pub fn beat(&self, name: &str) -> Beat {
        let beat = Beat(Arc::new(BeatState {
            name: name.to_string(),
            due: Mutex::new(None),
        }));
        self.beats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(beat.clone());
        beat
    }

    /// The first part past its promise at `now`, and by how much.
    pub fn overdue(&self, now: Instant) -> Option<(String, Duration)> {
        let beats = self.beats.lock().unwrap_or_else(PoisonError::into_inner);
        beats.iter().find_map(|beat| {
            let due = (*beat.0.due.lock().unwrap_or_else(PoisonError::into_inner))?;
            (now > due).then(|| (beat.0.name.clone(), now - due))
        })
    }
}

/// Ping every `every` while nothing is overdue, until shutdown.
pub async fn run(liveness: Liveness, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    let mut reported = false;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = crate::shutdown::requested(&mut stop) => return,
        }
        match liveness.overdue(Instant::now()) {
            None => {
                notify::watchdog();
                reported = false;
            }
            Some((name, late)) if !reported => {
                reported = true;
                warn!(
                    "{name} is {:.1}s past its deadline: no more watchdog pings, systemd will restart us",
                    late.as_secs_f64()
                );
            }
            Some(_) => {}
        }
    }
}

/// The per-request timeout to use under a watchdog of `period`
/// (`WATCHDOG_USEC`): a poll (fetch + scrape) must fit in the period with
/// [`SLACK`] to spare, so a hung poll is noticed within `WatchdogSec=`.
/// Returns the timeout and, when it had to be lowered, why.
pub fn bound_timeout(timeout: Duration, period: Option<Duration>) -> (Duration, Option<String>) {
    let Some(period) = period else {
        return (timeout, None);
    };
    let max = (period.saturating_sub(SLACK) / 2).max(Duration::from_secs(1));
    if timeout <= max {
        return (timeout, None);
    }
    let why = format!(
        "SYSTEM_STATS_FORWARD_TIMEOUT={}s lowered to {}s: a poll (fetch + scrape) must end \
         within WatchdogSec={}s; raise WatchdogSec= to allow longer requests",
        timeout.as_secs_f64(),
        max.as_secs_f64(),
        period.as_secs_f64()
    );
    (max, Some(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_only_past_a_promise() {
        let liveness = Liveness::default();
        let poller = liveness.beat("poller");
        let delivery = liveness.beat("delivery");
        let now = Instant::now();
        assert_eq!(liveness.overdue(now), None);
        poller.within(Duration::from_secs(10));
        delivery.within(Duration::ZERO);
        assert_eq!(liveness.overdue(now + SLACK / 2), None);
        let (name, late) = liveness.overdue(now + SLACK * 2).expect("delivery is late");
        assert_eq!(name, "delivery");
        assert!(late >= SLACK / 2);
        delivery.idle();
        assert_eq!(liveness.overdue(now + SLACK * 2), None);
        let late = now + Duration::from_secs(10) + SLACK * 2;
        assert_eq!(
            liveness.overdue(late).map(|o| o.0).as_deref(),
            Some("poller")
        );
        poller.within(Duration::MAX);
        assert_eq!(liveness.overdue(late), None);
    }

    #[test]
    fn timeout_fits_the_watchdog() {
        let s = Duration::from_secs;
        assert_eq!(bound_timeout(s(30), None), (s(30), None));
        assert_eq!(bound_timeout(s(10), Some(s(60))), (s(10), None));
        assert_eq!(bound_timeout(s(29), Some(s(60))), (s(29), None));
        let (t, why) = bound_timeout(s(30), Some(s(60)));
        assert_eq!(t, s(29));
        let why = why.expect("explained");
        assert!(
            why.contains("SYSTEM_STATS_FORWARD_TIMEOUT=30s lowered to 29s")
                && why.contains("WatchdogSec=60s"),
            "{why}"
        );
        // Absurdly short watchdogs still leave a usable timeout.
        assert_eq!(bound_timeout(s(10), Some(s(1))).0, s(1));
    }
}
