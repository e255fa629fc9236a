//! Request coalescing: HTTP requests that arrive within a short period share
//! one collection (a burst of dashboards or scrapers costs one read of
//! procfs), with the CPU window still taken from the sampler per request.

use crate::metrics::RawCounters;
use crate::sampler::CpuState;
use crate::snapshot::Snapshot;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a collection is reused for HTTP requests.
pub const REUSE: Duration = Duration::from_millis(250);

struct Collected {
    at: Instant,
    snapshot: Snapshot,
    raw: Option<RawCounters>,
}

#[derive(Default)]
pub struct Recent {
    last: Mutex<Option<Collected>>,
}

impl Recent {
    /// The last collection when younger than `REUSE` (and holding raw
    /// counters if `with_raw`), else a new one from `collect`. Callers that
    /// arrive while one collects wait for it instead of collecting too.
    pub fn get(
        &self,
        with_raw: bool,
        collect: impl FnOnce() -> (Snapshot, Option<RawCounters>),
    ) -> (Snapshot, Option<RawCounters>) {
        let mut last = match self.last.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(c) = last.as_ref() {
            if c.at.elapsed() < REUSE && (c.raw.is_some() || !with_raw) {
                return (c.snapshot.clone(), c.raw.clone());
            }
        }
        let (snapshot, raw) = collect();
        *last = Some(Collected {
            at: Instant::now(),
            snapshot: snapshot.clone(),
            raw: raw.clone(),
        });
        (snapshot, raw)
    }
}

/// Put the sampler's latest CPU window into a (possibly reused) snapshot.
pub fn with_cpu_window(mut s: Snapshot, cpu: &CpuState) -> Snapshot {
    if let Some(w) = &cpu.window {
        s.cpu.percent = Some(w.percent);
        s.cpu.per_core = Some(w.per_core.clone());
        s.cpu.times_percent = Some(w.times_percent.clone());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn reuses_within_the_period_and_upgrades_for_raw() {
        let r = Recent::default();
        let calls = Cell::new(0);
        let collect = |raw: bool| {
            calls.set(calls.get() + 1);
            let s = Snapshot {
                collected_at: format!("call {}", calls.get()),
                ..Default::default()
            };
            (s, raw.then(RawCounters::default))
        };
        assert_eq!(r.get(false, || collect(false)).0.collected_at, "call 1");
        assert_eq!(r.get(false, || collect(false)).0.collected_at, "call 1");
        // no raw counters in the reusable one: collect again, with them
        let (s, raw) = r.get(true, || collect(true));
        assert_eq!((s.collected_at.as_str(), raw.is_some()), ("call 2", true));
        assert_eq!(r.get(false, || collect(false)).0.collected_at, "call 2");
        std::thread::sleep(REUSE + Duration::from_millis(20));
        assert_eq!(r.get(false, || collect(false)).0.collected_at, "call 3");
    }

    #[test]
    fn cpu_window_is_always_the_latest() {
        let state = CpuState {
            window: Some(crate::cpu_usage::CpuWindow {
                percent: 42.0,
                per_core: vec![40.0, 44.0],
                times_percent: Default::default(),
            }),
            ..Default::default()
        };
        let s = with_cpu_window(Snapshot::default(), &state);
        assert_eq!(s.cpu.percent, Some(42.0));
        assert_eq!(s.cpu.per_core, Some(vec![40.0, 44.0]));
    }
}
