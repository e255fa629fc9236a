//! The background CPU sampler: reads cumulative CPU times on a fixed cadence
//! so no request ever waits to measure utilisation, and proves liveness to
//! systemd's watchdog (a hung sampler stops the pings).

use crate::collect::Collector;
use crate::cpu_usage::{CpuReading, CpuState, CpuWindow};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use system_stats_common::notify;

/// Shared handle to the latest CPU state.
#[derive(Debug, Clone, Default)]
pub struct CpuSampler {
    state: Arc<RwLock<CpuState>>,
}

impl CpuSampler {
    pub fn latest(&self) -> CpuState {
        match self.state.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn store(&self, state: CpuState) {
        match self.state.write() {
            Ok(mut s) => *s = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
    }

    /// Take a first reading now (utilisation since boot until the first
    /// window closes), then sample every `interval` in a background task.
    pub fn start(collector: Arc<dyn Collector>, interval: Duration) -> CpuSampler {
        let sampler = CpuSampler::default();
        let mut previous = collector.read_cpu();
        if let Some((reading, btime)) = &previous {
            sampler.store(state_from(&CpuReading::default(), reading, *btime));
        }
        let watchdog = notify::watchdog_interval();
        let tick = watchdog.map_or(interval, |w| w.min(interval));
        // the first window closes quickly so early requests see a real figure
        let first = Duration::from_millis(250).min(tick);
        let handle = sampler.clone();
        tokio::spawn(async move {
            let mut wait = first;
            let mut last_sample: Option<Instant> = None;
            loop {
                tokio::time::sleep(wait).await;
                wait = tick;
                // tolerate timer jitter: a window of 0.9 s counts as 1 s
                let due = last_sample.is_none_or(|t| t.elapsed() >= interval.mul_f64(0.9));
                if previous.is_none() || due {
                    last_sample = Some(Instant::now());
                    let current = collector.read_cpu();
                    if let (Some((before, _)), Some((after, btime))) = (&previous, &current) {
                        handle.store(state_from(before, after, *btime));
                    }
                    if current.is_some() {
                        previous = current;
                    }
                }
                if watchdog.is_some() {
                    notify::watchdog();
                }
            }
        });
        sampler
    }
}

fn state_from(before: &CpuReading, after: &CpuReading, btime: u64) -> CpuState {
    let mut before = before.clone();
    if before.per_core.len() != after.per_core.len() {
        // first reading or CPU hot-plug: start per-core deltas from zero
        before.per_core = vec![Default::default(); after.per_core.len()];
    }
    CpuState {
        window: Some(CpuWindow::between(&before, after)),
        logical_cores: Some(after.per_core.len() as u32).filter(|n| *n > 0),
        boot_time: Some(btime).filter(|b| *b > 0),
    }
}
