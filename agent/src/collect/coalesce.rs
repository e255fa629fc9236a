//! Async single-flight over a `Collector`: at most one collection runs at a
//! time, on the blocking pool; every request that arrives while it runs
//! awaits it (no thread parks per request), and a collection younger than
//! `REUSE` is shared. When a collection is later than `LATE`, waiting
//! requests get the previous result instead (logged as stale; the JSON is
//! unchanged), so a source that hangs in the kernel never holds up HTTP.
//! A hung collection is never started twice: the next one starts when it
//! returns, which bounds the threads a dead source can take.

use super::{Collected, Collector, Want};
use crate::cpu_usage::CpuState;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long a collection is reused for HTTP requests.
pub const REUSE: Duration = Duration::from_millis(250);

/// How long a request waits for a collection before it is served the
/// previous one. Above the guard's deadline for kernel calls, so a dead
/// mount costs one guarded call, not a stale answer.
pub const LATE: Duration = Duration::from_secs(2);

/// A finished collection and when it finished.
#[derive(Debug)]
pub struct Stamped {
    pub at: Instant,
    pub collected: Collected,
}

struct Flight {
    started: Instant,
    want: Want,
    /// Closed (sender dropped) when the collection has finished.
    done: watch::Receiver<()>,
    late_logged: bool,
}

enum Next {
    Serve(Option<Arc<Stamped>>),
    Retry,
    AwaitFlight,
}

#[derive(Default)]
struct State {
    /// The newest collection of any kind.
    latest: Option<Arc<Stamped>>,
    /// The newest collection holding raw counters.
    latest_raw: Option<Arc<Stamped>>,
    flight: Option<Flight>,
}

impl State {
    fn latest_for(&self, want: Want) -> Option<&Arc<Stamped>> {
        if want.raw_counters {
            self.latest_raw.as_ref()
        } else {
            self.latest.as_ref()
        }
    }
}

struct Inner {
    collector: Arc<dyn Collector>,
    state: Mutex<State>,
    reuse: Duration,
    late: Duration,
}

/// Shared handle; cheap to clone.
#[derive(Clone)]
pub struct Coalescer {
    inner: Arc<Inner>,
}

impl Coalescer {
    pub fn new(collector: Arc<dyn Collector>) -> Coalescer {
        Coalescer::with_periods(collector, REUSE, LATE)
    }

    pub fn with_periods(
        collector: Arc<dyn Collector>,
        reuse: Duration,
        late: Duration,
    ) -> Coalescer {
        Coalescer {
            inner: Arc::new(Inner {
                collector,
                state: Mutex::default(),
                reuse,
                late,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        match self.inner.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Record a finished collection (None: it panicked) and end the flight.
    fn finish(&self, collected: Option<Collected>) {
        let mut st = self.lock();
        st.flight = None;
        match collected {
            Some(collected) => {
                let stamped = Arc::new(Stamped {
                    at: Instant::now(),
                    collected,
                });
                if stamped.collected.raw.is_some() {
                    st.latest_raw = Some(stamped.clone());
                }
                st.latest = Some(stamped);
            }
            None => tracing::error!("collection failed (panicked)"),
        }
    }

    /// A collection covering `want`: a recent one, the one in flight, a new
    /// one, or (when the one in flight is late) the previous one. None only
    /// when no collection has ever succeeded and the one in flight failed.
    pub async fn get(&self, cpu: &CpuState, want: Want) -> Option<Arc<Stamped>> {
        loop {
            let (mut done, started, flight_want) = {
                let mut st = self.lock();
                if let Some(s) = st.latest_for(want) {
                    if s.at.elapsed() < self.inner.reuse {
                        return Some(s.clone());
                    }
                }
                match &st.flight {
                    Some(f) => (f.done.clone(), f.started, f.want),
                    None => {
                        // a metrics collection also serves later snapshot requests
                        let f = self.start(&mut st, cpu.clone(), want);
                        (f.done.clone(), f.started, f.want)
                    }
                }
            };
            let waited =
                tokio::time::timeout_at((started + self.inner.late).into(), done.changed()).await;
            match self.after_wait(waited.is_ok(), started, flight_want, want) {
                Next::Serve(got) => return got,
                Next::Retry => continue,
                Next::AwaitFlight => {
                    // nothing to fall back on: wait for this one to finish
                    let _ = done.changed().await;
                }
            }
        }
    }

    /// What a request does once its wait for the flight started at
    /// `started` ended, `finished` or late.
    fn after_wait(&self, finished: bool, started: Instant, flight_want: Want, want: Want) -> Next {
        let mut st = self.lock();
        if finished {
            // ours if it covers us and succeeded
            if let Some(s) = st.latest_for(want).filter(|s| s.at >= started) {
                return Next::Serve(Some(s.clone()));
            }
            if !flight_want.covers(want) {
                return Next::Retry; // a snapshot-only collection; start ours
            }
            tracing::warn!("collection failed; serving the previous one");
            return Next::Serve(st.latest_for(want).cloned());
        }
        let previous = st.latest_for(want).cloned();
        if let Some(f) = st.flight.as_mut().filter(|f| f.started == started) {
            if !f.late_logged {
                f.late_logged = true;
                tracing::warn!(
                    running_ms = started.elapsed().as_millis() as u64,
                    "collection is late; serving the previous one until it returns"
                );
            }
        }
        match previous {
            Some(p) => {
                tracing::debug!(
                    age_ms = p.at.elapsed().as_millis() as u64,
                    "serving a stale collection"
                );
                Next::Serve(Some(p))
            }
            None => Next::AwaitFlight,
        }
    }

    /// Start a collection on the blocking pool; the blocking thread records
    /// its completion itself (no async task in between: one thread hop
    /// there and the waiting requests' wake-up back).
    fn start<'s>(&self, st: &'s mut State, cpu: CpuState, want: Want) -> &'s Flight {
        let (tx, rx) = watch::channel(());
        let started = Instant::now();
        let me = self.clone();
        // the JoinHandle is not needed: completion is the closed channel
        drop(tokio::task::spawn_blocking(move || {
            let collector = me.inner.collector.clone();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                collector.collect(&cpu, chrono::Utc::now(), want)
            }));
            me.finish(result.ok());
            drop(tx);
        }));
        st.flight.insert(Flight {
            started,
            want,
            done: rx,
            late_logged: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu_usage::CpuReading;
    use crate::metrics::RawCounters;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Counts collections; each takes `delay`, or hangs while `hang` is set.
    #[derive(Default)]
    struct Fake {
        calls: AtomicUsize,
        delay: Duration,
        hang: AtomicBool,
        threads: Mutex<std::collections::HashSet<std::thread::ThreadId>>,
    }

    impl Collector for Fake {
        fn read_cpu(&self) -> Option<(CpuReading, u64)> {
            None
        }
        fn collect(&self, _: &CpuState, _: chrono::DateTime<chrono::Utc>, want: Want) -> Collected {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if let Ok(mut t) = self.threads.lock() {
                t.insert(std::thread::current().id());
            }
            std::thread::sleep(self.delay);
            while self.hang.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            let mut c = Collected::default();
            c.snapshot.collected_at = format!("call {n}");
            c.raw = want.raw_counters.then(RawCounters::default);
            c
        }
    }

    fn coalescer(fake: &Arc<Fake>, reuse: Duration, late: Duration) -> Coalescer {
        Coalescer::with_periods(fake.clone(), reuse, late)
    }

    fn label(s: &Option<Arc<Stamped>>) -> &str {
        s.as_ref()
            .map_or("none", |s| s.collected.snapshot.collected_at.as_str())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_share_the_one_collection_in_flight() {
        let fake = Arc::new(Fake {
            delay: Duration::from_millis(200),
            ..Default::default()
        });
        let c = coalescer(&fake, REUSE, LATE);
        let cpu = CpuState::default();
        let requests = (0..64).map(|_| {
            let c = c.clone();
            let cpu = cpu.clone();
            tokio::spawn(async move { c.get(&cpu, Want::SNAPSHOT).await })
        });
        for r in requests.collect::<Vec<_>>() {
            assert_eq!(label(&r.await.expect("task")), "call 1");
        }
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        assert_eq!(fake.threads.lock().map(|t| t.len()).unwrap_or(0), 1);
    }

    #[tokio::test]
    async fn reuses_within_the_period_and_upgrades_for_raw_counters() {
        let fake = Arc::new(Fake::default());
        let c = coalescer(&fake, Duration::from_millis(300), LATE);
        let cpu = CpuState::default();
        assert_eq!(label(&c.get(&cpu, Want::SNAPSHOT).await), "call 1");
        assert_eq!(label(&c.get(&cpu, Want::SNAPSHOT).await), "call 1");
        // no raw counters in the reusable one: collect again, with them
        let m = c.get(&cpu, Want::METRICS).await;
        assert_eq!(label(&m), "call 2");
        assert!(m.as_ref().is_some_and(|s| s.collected.raw.is_some()));
        assert_eq!(label(&c.get(&cpu, Want::SNAPSHOT).await), "call 2");
        tokio::time::sleep(Duration::from_millis(320)).await;
        assert_eq!(label(&c.get(&cpu, Want::SNAPSHOT).await), "call 3");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_late_collection_serves_the_previous_one_and_is_not_started_twice() {
        let fake = Arc::new(Fake::default());
        let c = coalescer(&fake, Duration::ZERO, Duration::from_millis(100));
        let cpu = CpuState::default();
        assert_eq!(label(&c.get(&cpu, Want::SNAPSHOT).await), "call 1");
        fake.hang.store(true, Ordering::SeqCst);
        for _ in 0..5 {
            let t = Instant::now();
            assert_eq!(label(&c.get(&cpu, Want::SNAPSHOT).await), "call 1");
            assert!(t.elapsed() < Duration::from_secs(10));
        }
        // the blocking pool may start the hung one late on a busy machine:
        // wait for it to be counted, then check no other one was started
        let deadline = Instant::now() + Duration::from_secs(20);
        while fake.calls.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            fake.calls.load(Ordering::SeqCst),
            2,
            "one hung collection, no more"
        );
        fake.hang.store(false, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = c.get(&cpu, Want::SNAPSHOT).await;
            if label(&got) != "call 1" || Instant::now() > deadline {
                // the hung one (or one started after it returned) is served
                assert!(
                    matches!(label(&got), "call 2" | "call 3"),
                    "{}",
                    label(&got)
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn with_nothing_to_fall_back_on_a_late_collection_is_awaited() {
        let fake = Arc::new(Fake {
            delay: Duration::from_millis(300),
            ..Default::default()
        });
        let c = coalescer(&fake, REUSE, Duration::from_millis(50));
        assert_eq!(
            label(&c.get(&CpuState::default(), Want::SNAPSHOT).await),
            "call 1"
        );
    }
}
