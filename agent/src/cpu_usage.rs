//! CPU utilisation from two readings of cumulative CPU times, with psutil's
//! semantics: busy = total - idle - iowait, where total excludes guest time
//! (already counted in user/nice).

use crate::units::round1;

/// Cumulative CPU times in clock ticks, as in one `/proc/stat` cpu line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    pub user: u64,
    pub nice: u64,
    pub system: u64,
    pub idle: u64,
    pub iowait: u64,
    pub irq: u64,
    pub softirq: u64,
    pub steal: u64,
    pub guest: u64,
    pub guest_nice: u64,
}

impl CpuTimes {
    /// All time, without guest time (Linux accounts it inside user/nice).
    pub fn total(&self) -> u64 {
        [
            self.user,
            self.nice,
            self.system,
            self.idle,
            self.iowait,
            self.irq,
            self.softirq,
            self.steal,
        ]
        .iter()
        .fold(0u64, |sum, v| sum.saturating_add(*v))
    }

    /// Time doing something: total minus idle and iowait.
    pub fn busy(&self) -> u64 {
        self.total()
            .saturating_sub(self.idle.saturating_add(self.iowait))
    }
}

/// The aggregate and per-core times taken at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpuReading {
    pub total: CpuTimes,
    pub per_core: Vec<CpuTimes>,
}

/// Utilisation in percent (one decimal, 0-100) between two readings; 0.0
/// when no time passed or the counters went backwards.
pub fn busy_percent(before: &CpuTimes, after: &CpuTimes) -> f64 {
    let all = after.total().saturating_sub(before.total());
    if all == 0 {
        return 0.0;
    }
    let busy = after.busy().saturating_sub(before.busy());
    round1((busy as f64 / all as f64 * 100.0).clamp(0.0, 100.0))
}

/// Per-mode shares of a window, one decimal each, as psutil's cpu_times_percent.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct TimesPercent {
    pub user: f64,
    pub nice: f64,
    pub system: f64,
    pub idle: f64,
    pub iowait: f64,
    pub irq: f64,
    pub softirq: f64,
    pub steal: f64,
    pub guest: f64,
    pub guest_nice: f64,
}

pub fn times_percent(before: &CpuTimes, after: &CpuTimes) -> TimesPercent {
    let all = after.total().saturating_sub(before.total()) as f64;
    let share = |b: u64, a: u64| {
        if all <= 0.0 {
            0.0
        } else {
            round1((a.saturating_sub(b) as f64 / all * 100.0).clamp(0.0, 100.0))
        }
    };
    TimesPercent {
        user: share(before.user, after.user),
        nice: share(before.nice, after.nice),
        system: share(before.system, after.system),
        idle: share(before.idle, after.idle),
        iowait: share(before.iowait, after.iowait),
        irq: share(before.irq, after.irq),
        softirq: share(before.softirq, after.softirq),
        steal: share(before.steal, after.steal),
        guest: share(before.guest, after.guest),
        guest_nice: share(before.guest_nice, after.guest_nice),
    }
}

/// The utilisation of the most recent sampling window.
/// What requests read from the sampler: the latest window plus facts from
/// the same reading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuState {
    pub window: Option<CpuWindow>,
    pub logical_cores: Option<u32>,
    pub boot_time: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuWindow {
    pub percent: f64,
    pub per_core: Vec<f64>,
    pub times_percent: TimesPercent,
}

impl CpuWindow {
    pub fn between(before: &CpuReading, after: &CpuReading) -> CpuWindow {
        CpuWindow {
            percent: busy_percent(&before.total, &after.total),
            per_core: before
                .per_core
                .iter()
                .zip(&after.per_core)
                .map(|(b, a)| busy_percent(b, a))
                .collect(),
            times_percent: times_percent(&before.total, &after.total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(user: u64, system: u64, idle: u64, iowait: u64, guest: u64) -> CpuTimes {
        CpuTimes {
            user,
            system,
            idle,
            iowait,
            guest,
            ..Default::default()
        }
    }

    #[test]
    fn busy_excludes_idle_iowait_and_guest() {
        let a = t(100, 50, 800, 50, 0);
        let b = t(130, 60, 850, 60, 20);
        // total delta = 30+10+50+10 = 100, busy = 40
        assert_eq!(busy_percent(&a, &b), 40.0);
    }

    #[test]
    fn no_time_or_backwards_is_zero() {
        let a = t(100, 50, 800, 50, 0);
        assert_eq!(busy_percent(&a, &a), 0.0);
        assert_eq!(busy_percent(&t(200, 50, 900, 50, 0), &a), 0.0);
    }

    #[test]
    fn window_per_core_and_modes() {
        let before = CpuReading {
            total: t(0, 0, 0, 0, 0),
            per_core: vec![t(0, 0, 0, 0, 0), t(0, 0, 0, 0, 0)],
        };
        let after = CpuReading {
            total: t(25, 25, 50, 0, 0),
            per_core: vec![t(25, 25, 0, 0, 0), t(0, 0, 50, 0, 0)],
        };
        let w = CpuWindow::between(&before, &after);
        assert_eq!(w.percent, 50.0);
        assert_eq!(w.per_core, vec![100.0, 0.0]);
        assert_eq!(w.times_percent.user, 25.0);
        assert_eq!(w.times_percent.idle, 50.0);
    }
}
