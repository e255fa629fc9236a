//! Samples taken before the system clock is synchronized are held (with
//! their monotonic time) until it is, then stamped with the corrected wall
//! time; after the configured wait they go out with the unsynchronized
//! time, with a warning. Every stamp comes from [`Clock::stamp`], so
//! timestamps never go backwards, whatever the clock does.

use crate::clock::Clock;
use crate::payload::Throughput;
use crate::spool::Scraped;
use serde_json::Value;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tracing::{info, warn};

/// Samples held at most while waiting for the clock; the oldest go first.
pub const MAX_HELD: usize = 1000;

/// One poll's data, not yet stamped.
#[derive(Debug)]
pub struct Taken {
    /// When it was polled (monotonic).
    pub at: Instant,
    /// The snapshot and its disk rates, when JSON destinations need them.
    pub snapshot: Option<(Value, Throughput)>,
    pub prom: Option<Scraped>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not synchronized yet: holding samples.
    Waiting,
    /// Waited long enough: sending with the unsynchronized time.
    GaveUp,
    Synchronized,
}

#[derive(Debug)]
pub struct ClockGate {
    clock: Clock,
    wait: Duration,
    started: Instant,
    state: State,
    held: VecDeque<Taken>,
}

impl ClockGate {
    pub fn new(clock: Clock, wait: Duration) -> ClockGate {
        if clock.is_seam() {
            warn!(
                "test seam {} is set: the clock is shifted and its sync state read from a file",
                crate::clock::TEST_CLOCK_ENV
            );
        }
        ClockGate {
            clock,
            wait,
            started: Instant::now(),
            state: State::Waiting,
            held: VecDeque::new(),
        }
    }

    /// The samples to spool now, oldest first, each with its Unix time in
    /// ms (none while the clock is awaited).
    pub fn pass(&mut self, taken: Taken) -> Vec<(i64, Taken)> {
        let synced = self.clock.synchronized();
        match self.state {
            State::Synchronized => {}
            _ if synced => {
                if self.state == State::GaveUp || !self.held.is_empty() {
                    info!(
                        "the system clock is synchronized: {} held samples get its time",
                        self.held.len()
                    );
                }
                self.state = State::Synchronized;
            }
            State::GaveUp => {}
            State::Waiting if self.started.elapsed() < self.wait => {
                if self.held.is_empty() {
                    info!(
                        "the system clock is not synchronized yet: holding samples until it \
                         is (at most {}s)",
                        self.wait.as_secs()
                    );
                }
                self.held.push_back(taken);
                while self.held.len() > MAX_HELD {
                    self.held.pop_front();
                }
                return Vec::new();
            }
            State::Waiting => {
                warn!(
                    held = self.held.len(),
                    "the system clock is still not synchronized after {:.0}s: samples ({} held) \
                     are sent with its time, which may be wrong",
                    self.wait.as_secs_f64(),
                    self.held.len()
                );
                self.state = State::GaveUp;
            }
        }
        let clock = &mut self.clock;
        self.held
            .drain(..)
            .chain(std::iter::once(taken))
            .map(|t| (clock.stamp(t.at), t))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(ago: Duration) -> Taken {
        Taken {
            at: Instant::now() - ago,
            snapshot: None,
            prom: None,
        }
    }

    #[test]
    fn held_until_synchronized_then_stamped_with_the_corrected_time() {
        let dir = tempfile::tempdir().unwrap();
        let seam = dir.path().join("clock");
        std::fs::write(&seam, "-86400000 0").unwrap();
        let mut gate = ClockGate::new(Clock::with_seam(seam.clone()), Duration::from_secs(60));
        assert!(gate.pass(taken(Duration::from_secs(20))).is_empty());
        assert!(gate.pass(taken(Duration::from_secs(10))).is_empty());
        std::fs::write(&seam, "0 1").unwrap();
        let now = crate::clock::Clock::default().stamp(Instant::now());
        let out: Vec<i64> = gate
            .pass(taken(Duration::ZERO))
            .iter()
            .map(|(ms, _)| *ms)
            .collect();
        assert_eq!(out.len(), 3);
        for (ms, ago) in out.iter().zip([20_000, 10_000, 0]) {
            assert!((now - ago - ms).abs() < 1000, "{ms} vs {}", now - ago);
        }
        // A step back afterwards: still increasing.
        std::fs::write(&seam, "-3600000 1").unwrap();
        let next = gate.pass(taken(Duration::ZERO))[0].0;
        assert!(next > out[2]);
    }

    #[test]
    fn after_the_wait_samples_go_with_the_unsynchronized_time() {
        let dir = tempfile::tempdir().unwrap();
        let seam = dir.path().join("clock");
        std::fs::write(&seam, "-86400000 0").unwrap();
        let mut gate = ClockGate::new(Clock::with_seam(seam), Duration::from_millis(50));
        assert!(gate.pass(taken(Duration::ZERO)).is_empty());
        std::thread::sleep(Duration::from_millis(60));
        let out = gate.pass(taken(Duration::ZERO));
        assert_eq!(out.len(), 2);
        let real = crate::clock::Clock::default().stamp(Instant::now());
        assert!((real - 86_400_000 - out[1].0).abs() < 1000);
    }
}
