//! The events list: the last [`MAX_EVENTS`] power/heat events, newest
//! last, each with start, end and duration; a count per kind since the
//! agent started (`system_stats_rpi_events_total`); and the journal record
//! of each start (warning) and end (info), with `EVENT=` and `STATE=`
//! fields.

use super::detect::{Kind, Transition};
use serde::Serialize;
use std::collections::VecDeque;

/// How many events are kept.
pub const MAX_EVENTS: usize = 200;

/// One event. Times are Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PowerEvent {
    pub kind: Kind,
    /// When it began; null when it began before the agent started.
    pub started_at: Option<i64>,
    /// When it ended; null while it goes on, or when that is unknown.
    pub ended_at: Option<i64>,
    /// When the agent first saw it.
    pub seen_at: i64,
    /// It began before the agent started (the firmware's "since boot").
    pub before_agent_start: bool,
    pub ongoing: bool,
}

impl PowerEvent {
    /// Seconds from start to end, when both are known.
    pub fn duration_s(&self) -> Option<i64> {
        Some(self.ended_at? - self.started_at?)
    }
}

/// The events and the per-kind counts.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    events: VecDeque<PowerEvent>,
    counts: [u64; 5],
}

impl EventLog {
    /// A log holding `events` (from the history file): those that were
    /// going on when the agent stopped are closed with an unknown end.
    pub fn restored(events: Vec<PowerEvent>) -> EventLog {
        let mut events: VecDeque<_> = events.into_iter().collect();
        while events.len() > MAX_EVENTS {
            events.pop_front();
        }
        for e in events.iter_mut() {
            e.ongoing = false;
        }
        EventLog {
            events,
            counts: [0; 5],
        }
    }

    pub fn events(&self) -> impl DoubleEndedIterator<Item = &PowerEvent> {
        self.events.iter()
    }

    /// Events counted per kind since the agent started.
    pub fn count(&self, kind: Kind) -> u64 {
        self.counts[kind.index()]
    }

    /// Whether an event of `kind` was already seen at or after `t` (a
    /// restart within the same boot must not log the firmware's "since
    /// boot" flags again).
    pub fn seen_since(&self, kind: Kind, t: i64) -> bool {
        self.events.iter().any(|e| e.kind == kind && e.seen_at >= t)
    }

    /// Apply a transition; the event it started or ended.
    pub fn apply(&mut self, t: Transition) -> Option<PowerEvent> {
        let (kind, e) = match t {
            Transition::Started { kind, at } => (
                kind,
                PowerEvent {
                    kind,
                    started_at: Some(at),
                    ended_at: None,
                    seen_at: at,
                    before_agent_start: false,
                    ongoing: true,
                },
            ),
            Transition::BeforeStart { kind, at, ongoing } => (
                kind,
                PowerEvent {
                    kind,
                    started_at: None,
                    ended_at: None,
                    seen_at: at,
                    before_agent_start: true,
                    ongoing,
                },
            ),
            Transition::Ended { kind, at } => {
                let open = self
                    .events
                    .iter_mut()
                    .rev()
                    .find(|e| e.kind == kind && e.ongoing)?;
                open.ongoing = false;
                open.ended_at = Some(at);
                return Some(*open);
            }
        };
        self.counts[kind.index()] += 1;
        if self.events.len() == MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(e);
        Some(e)
    }
}

/// One journal record per start (warning) or end (info).
pub fn log(e: &PowerEvent) {
    let kind = e.kind.as_str();
    let what = e.kind.describe();
    if e.before_agent_start && e.ended_at.is_none() {
        if e.ongoing {
            tracing::warn!(
                event = kind,
                state = "started",
                before_agent_start = true,
                "{what} began before the agent started and is still going on"
            );
        } else {
            tracing::warn!(
                event = kind,
                state = "started",
                before_agent_start = true,
                "{what} occurred before the agent started (the firmware's since-boot flag)"
            );
        }
    } else if e.ongoing {
        tracing::warn!(event = kind, state = "started", "{what} started");
    } else {
        let duration_s = e.duration_s();
        match duration_s {
            Some(d) => tracing::info!(
                event = kind,
                state = "ended",
                duration_s = d,
                "{what} ended after {d} s"
            ),
            None => tracing::info!(event = kind, state = "ended", "{what} ended"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_then_end_gives_a_duration() {
        let mut log = EventLog::default();
        log.apply(Transition::Started {
            kind: Kind::Throttled,
            at: 10,
        });
        let e = log
            .apply(Transition::Ended {
                kind: Kind::Throttled,
                at: 25,
            })
            .expect("closes the open one");
        assert_eq!(
            (e.started_at, e.ended_at, e.duration_s()),
            (Some(10), Some(25), Some(15))
        );
        assert!(!e.ongoing);
        assert_eq!(log.count(Kind::Throttled), 1);
        assert_eq!(log.count(Kind::UnderVoltage), 0);
        assert_eq!(
            log.apply(Transition::Ended {
                kind: Kind::Throttled,
                at: 30
            }),
            None
        );
    }

    #[test]
    fn before_start_events_have_no_duration() {
        let mut log = EventLog::default();
        log.apply(Transition::BeforeStart {
            kind: Kind::UnderVoltage,
            at: 5,
            ongoing: true,
        });
        let e = log
            .apply(Transition::Ended {
                kind: Kind::UnderVoltage,
                at: 9,
            })
            .expect("ends");
        assert_eq!(
            (e.started_at, e.ended_at, e.duration_s()),
            (None, Some(9), None)
        );
        assert!(e.before_agent_start);
    }

    #[test]
    fn only_the_last_200_are_kept() {
        let mut log = EventLog::default();
        for at in 0..250 {
            log.apply(Transition::Started {
                kind: Kind::Throttled,
                at,
            });
            log.apply(Transition::Ended {
                kind: Kind::Throttled,
                at: at + 1,
            });
        }
        assert_eq!(log.events().count(), MAX_EVENTS);
        assert_eq!(log.events().next().and_then(|e| e.started_at), Some(50));
        assert_eq!(log.count(Kind::Throttled), 250);
    }

    #[test]
    fn seen_since_looks_at_the_time_each_event_was_first_seen() {
        let mut log = EventLog::default();
        log.apply(Transition::BeforeStart {
            kind: Kind::UnderVoltage,
            at: 100,
            ongoing: false,
        });
        assert!(log.seen_since(Kind::UnderVoltage, 50));
        assert!(!log.seen_since(Kind::UnderVoltage, 101));
        assert!(!log.seen_since(Kind::Throttled, 0));
    }

    #[test]
    fn restored_events_are_no_longer_ongoing() {
        let mut log = EventLog::default();
        log.apply(Transition::Started {
            kind: Kind::Throttled,
            at: 1,
        });
        let kept: Vec<_> = log.events().copied().collect();
        let restored = EventLog::restored(kept);
        assert!(restored
            .events()
            .all(|e| !e.ongoing && e.ended_at.is_none()));
        assert_eq!(restored.count(Kind::Throttled), 0);
    }
}
