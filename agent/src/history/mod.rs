//! Bounded history of the key figures, shown as charts on the status page:
//! `series` (what is kept, from a snapshot), `tiers` (the two round-robin
//! tiers), `render` (`/history` JSON and CSV), `format` + `file` (the
//! history file), `recorder` (the task that feeds it). [`History`] is the
//! shared handle: the tiers, the power events, and cached bodies.

pub mod file;
pub mod format;
pub mod recorder;
pub mod render;
pub mod series;
pub mod tiers;

use crate::power::{EventLog, Kind, PowerEvent, Transition};
use render::Range;
use series::Point;
use std::sync::{Arc, Mutex, MutexGuard};
use tiers::Tiers;

/// A cached body: (JSON?, range), generation, window end, the body.
type Cached = ((bool, Range), u64, i64, Arc<Vec<u8>>);

#[derive(Default)]
struct Inner {
    tiers: Tiers,
    events: EventLog,
    /// Bumped by every record: cached bodies of another generation are stale.
    generation: u64,
    /// The last JSON body of each range (generation, window end, body).
    cache: Vec<Cached>,
    /// Whether the flags of a Raspberry Pi were ever read (the event
    /// counter is exported only then).
    pi: bool,
}

/// Shared handle; cheap to clone.
#[derive(Clone, Default)]
pub struct History {
    inner: Arc<Mutex<Inner>>,
}

impl History {
    /// A history holding what a file kept.
    pub fn restored(tiers: Tiers, events: Vec<PowerEvent>) -> History {
        History {
            inner: Arc::new(Mutex::new(Inner {
                tiers,
                events: EventLog::restored(events),
                ..Default::default()
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub fn record(&self, t: i64, p: Point) {
        let mut inner = self.lock();
        inner.tiers.record(t, p);
        inner.generation += 1;
    }

    /// Apply transitions of the Pi's flags; the events they started or
    /// ended. A "since boot" flag that is off now and was already recorded
    /// in this boot (`booted_at`: a restart of the agent) is not recorded again.
    pub fn apply(&self, transitions: &[Transition], booted_at: Option<i64>) -> Vec<PowerEvent> {
        let mut inner = self.lock();
        inner.pi = true;
        let mut out = Vec::new();
        for t in transitions {
            if let (
                Transition::BeforeStart {
                    kind,
                    ongoing: false,
                    ..
                },
                Some(boot),
            ) = (t, booted_at)
            {
                if inner.events.seen_since(*kind, boot) {
                    continue;
                }
            }
            out.extend(inner.events.apply(*t));
        }
        out
    }

    /// `/history` (json) or `/history.csv` for the window ending at `now`.
    pub fn body(&self, json: bool, range: Range, now: i64) -> Arc<Vec<u8>> {
        let mut inner = self.lock();
        let end = match range {
            Range::Hour => inner.tiers.fine.align(now),
            Range::Day => inner.tiers.coarse.align(now),
        };
        let generation = inner.generation;
        if let Some((_, _, _, body)) = inner
            .cache
            .iter()
            .find(|(k, g, e, _)| *k == (json, range) && *g == generation && *e == end)
        {
            return body.clone();
        }
        let body = Arc::new(if json {
            render::json(&inner.tiers, range, end)
        } else {
            render::csv(&inner.tiers, range, end)
        });
        // JSON only: the page polls it; CSV is for the odd download
        if json {
            inner.cache.retain(|(k, _, _, _)| *k != (json, range));
            inner
                .cache
                .push(((json, range), generation, end, body.clone()));
        }
        body
    }

    /// The events, newest first.
    pub fn events(&self) -> Vec<PowerEvent> {
        self.lock().events.events().rev().copied().collect()
    }

    /// Per-kind event counts since the agent started; None when this is
    /// not a Raspberry Pi.
    pub fn event_counts(&self) -> Option<Vec<(Kind, u64)>> {
        let inner = self.lock();
        inner.pi.then(|| {
            Kind::ALL
                .iter()
                .map(|k| (*k, inner.events.count(*k)))
                .collect()
        })
    }

    /// The history file's bytes for what is held now.
    pub fn encode(&self) -> Vec<u8> {
        let inner = self.lock();
        let events: Vec<_> = inner.events.events().copied().collect();
        format::encode(&inner.tiers, &events)
    }

    /// Memory held by the tiers and the events, in bytes (cached bodies
    /// not counted: they are rebuilt on demand).
    pub fn bytes(&self) -> usize {
        self.lock().tiers.bytes() + crate::power::MAX_EVENTS * std::mem::size_of::<PowerEvent>()
    }
}

/// The history setting: off, or on and kept in `dir` (None: memory only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    pub enabled: bool,
    pub dir: Option<std::path::PathBuf>,
}
