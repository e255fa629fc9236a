//! The task that feeds the history, beside the CPU sampler (whose latest
//! window gives the CPU series): every second it reads the Pi's throttling
//! flags and turns changes into events (elsewhere it wakes every 5 s and
//! looks for them once a minute); every 5 s it records one point from
//! a (coalesced) collection; every 10 minutes, and on stop, it saves the
//! history file when a directory is configured.

use super::{file, series, tiers::FINE_STEP, History};
use crate::collect::coalesce::Coalescer;
use crate::collect::sampler::CpuSampler;
use crate::collect::{with_cpu_window, Collector, Want};
use crate::power::{self, Detector, Flags};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the history file is rewritten at most (SD cards wear).
pub const SAVE_EVERY: Duration = Duration::from_secs(600);

/// What the recorder reads from.
pub struct Sources {
    pub collector: Arc<dyn Collector>,
    pub coalescer: Coalescer,
    pub sampler: CpuSampler,
}

/// How often a host without the Pi's flags is checked again for them.
const NOT_A_PI_RECHECK: Duration = Duration::from_secs(60);

/// Sleep until just after the next whole multiple of `step` seconds of
/// wall-clock time, so the 5 s slots are hit once each.
async fn next_tick(step: i64) {
    let now = chrono::Utc::now();
    let into =
        now.timestamp().rem_euclid(step) * 1000 + i64::from(now.timestamp_subsec_millis().min(999));
    let wait = (step * 1000 - into).max(0) as u64 + 20;
    tokio::time::sleep(Duration::from_millis(wait)).await;
}

pub fn start(src: Sources, history: History, dir: Option<PathBuf>) {
    tokio::spawn(async move {
        let origin = Instant::now();
        let mut detector = Detector::default();
        let mut last_slot = None;
        let mut previous: Option<series::Counters> = None;
        let mut last_save = Instant::now();
        // Some(false): no Pi flags at the last check; then the task wakes
        // only every 5 s and looks again every minute (idle CPU)
        let mut pi: Option<(bool, Instant)> = None;
        loop {
            let not_a_pi = matches!(pi, Some((false, _)));
            next_tick(if not_a_pi { FINE_STEP } else { 1 }).await;
            let now = chrono::Utc::now().timestamp();
            if pi.is_none_or(|(is, at)| is || at.elapsed() >= NOT_A_PI_RECHECK) {
                let collector = src.collector.clone();
                let read = tokio::task::spawn_blocking(move || collector.raspberry_pi())
                    .await
                    .ok()
                    .flatten();
                pi = Some((read.is_some(), Instant::now()));
                if let Some(read) = read {
                    let transitions = detector.update(&Flags::of(&read), now);
                    let booted_at = src
                        .sampler
                        .latest()
                        .boot_time
                        .and_then(|b| i64::try_from(b).ok());
                    for e in history.apply(&transitions, booted_at) {
                        power::events::log(&e);
                    }
                }
            }
            let slot = now.div_euclid(FINE_STEP);
            if last_slot != Some(slot) {
                last_slot = Some(slot);
                let cpu = src.sampler.latest();
                if let Some(got) = src.coalescer.get(&cpu, Want::SNAPSHOT).await {
                    let snap = with_cpu_window(got.collected.snapshot.clone(), &cpu);
                    let at = got.at.saturating_duration_since(origin).as_secs_f64();
                    let counters = series::counters(&snap, at);
                    history.record(now, series::point(&snap, &counters, previous.as_ref()));
                    previous = Some(counters);
                }
            }
            if let Some(dir) = &dir {
                if last_save.elapsed() >= SAVE_EVERY {
                    last_save = Instant::now();
                    let (dir, bytes) = (dir.clone(), history.encode());
                    let _ = tokio::task::spawn_blocking(move || save_logged(&dir, &bytes)).await;
                }
            }
        }
    });
}

/// Save the history file; a failure is a warning (the history stays in
/// memory and the next save tries again).
pub fn save_logged(dir: &std::path::Path, bytes: &[u8]) {
    let path = file::path(dir);
    match file::save(dir, bytes) {
        Ok(()) => tracing::debug!(path = %path.display(), bytes = bytes.len(), "history saved"),
        Err(e) => {
            tracing::warn!(path = %path.display(), "cannot save history to {}: {e}", path.display())
        }
    }
}

/// Restore the history (when a directory is configured) and start feeding
/// it; None when the history is off.
pub fn launch(config: &super::HistoryConfig, src: Sources) -> Option<History> {
    if !config.enabled {
        return None;
    }
    let history = match config.dir.as_deref().and_then(file::load_logged) {
        Some((tiers, events)) => History::restored(tiers, events),
        None => History::default(),
    };
    let most = super::format::max_len();
    let per_hour = most as u64 * 3600 / SAVE_EVERY.as_secs();
    tracing::info!(
        memory_bytes = history.bytes(),
        file_max_bytes = most,
        written_max_bytes_per_hour = per_hour,
        "history on: {} bytes in memory; {}",
        history.bytes(),
        match &config.dir {
            Some(d) => format!(
                "saved to {} every {} min and on stop (at most {most} bytes, {per_hour} bytes/h)",
                file::path(d).display(),
                SAVE_EVERY.as_secs() / 60
            ),
            None => "memory only (no SYSTEM_STATS_HISTORY_DIR or StateDirectory)".to_string(),
        }
    );
    start(src, history.clone(), config.dir.clone());
    Some(history)
}

/// The last save, on SIGTERM/SIGINT.
pub fn save_on_stop(history: &History, config: &super::HistoryConfig) {
    if let Some(dir) = &config.dir {
        save_logged(dir, &history.encode());
    }
}
