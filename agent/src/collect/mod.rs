//! What every platform's collector promises (`Collector`: one `collect`),
//! and what sits above it regardless of platform: single-flight coalescing
//! of HTTP requests (`coalesce`) and the bounded guard for kernel calls that
//! can hang (`guard`), and the CPU window every request reads: the
//! background `sampler` (the utilisation arithmetic is `crate::cpu_usage`,
//! which metrics use too).

pub mod coalesce;
pub mod guard;
pub mod sampler;

use crate::cpu_usage::{CpuReading, CpuState};
use crate::metrics::RawCounters;
use crate::snapshot::{Filesystem, RaspberryPi, Snapshot};

/// What a caller needs from one collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    /// The raw counters behind `/metrics` (node_exporter families), read in
    /// the same pass as the snapshot.
    pub raw_counters: bool,
}

impl Want {
    /// The JSON snapshot only (`/system`).
    pub const SNAPSHOT: Want = Want {
        raw_counters: false,
    };
    /// The snapshot and the raw counters (`/metrics`).
    pub const METRICS: Want = Want { raw_counters: true };

    /// Whether a collection made for `self` also serves `other`.
    pub fn covers(self, other: Want) -> bool {
        self.raw_counters || !other.raw_counters
    }
}

/// The result of one collection.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    pub snapshot: Snapshot,
    /// Present when the collection was asked for raw counters (a platform
    /// without them gives the empty set).
    pub raw: Option<RawCounters>,
}

/// One host's metric sources. Linux reads procfs/sysfs, macOS sysctl and
/// Mach; both hand the bytes to pure parsers and return the same shapes.
/// `collect` may block (file reads, statvfs): callers run it off the async
/// runtime's workers.
pub trait Collector: Send + Sync + 'static {
    /// Cumulative CPU times and the boot time, for the background sampler.
    fn read_cpu(&self) -> Option<(CpuReading, u64)>;

    /// Everything but the CPU window, read now; `cpu` is the sampler's
    /// latest state.
    fn collect(&self, cpu: &CpuState, now: chrono::DateTime<chrono::Utc>, want: Want) -> Collected;

    /// Every real filesystem with its health (read-only flag, ext4 error
    /// counters), the mount table read afresh: for the storage watcher. A
    /// platform without filesystems (macOS today) has none.
    fn filesystems(&self) -> Vec<Filesystem> {
        Vec::new()
    }

    /// The `raspberry_pi` section alone (throttling flags, the under-voltage
    /// alarm), read now: for the power events, every second. None when this
    /// is not a Raspberry Pi.
    fn raspberry_pi(&self) -> Option<RaspberryPi> {
        None
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

    #[test]
    fn metrics_collections_serve_snapshot_requests_too() {
        assert!(Want::METRICS.covers(Want::SNAPSHOT));
        assert!(Want::METRICS.covers(Want::METRICS));
        assert!(Want::SNAPSHOT.covers(Want::SNAPSHOT));
        assert!(!Want::SNAPSHOT.covers(Want::METRICS));
    }
}
