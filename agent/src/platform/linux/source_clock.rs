//! A stopwatch per node_exporter collector for one collection: the time
//! spent reading and parsing each collector's sources, summed over the
//! places that read them, for `node_scrape_collector_duration_seconds`.

use crate::metrics::node::{CollectorRun, CollectorStatus};
use std::cell::RefCell;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct SourceClock {
    /// collector → time spent so far, in first-use order
    spent: RefCell<Vec<(&'static str, Duration)>>,
}

impl SourceClock {
    /// Runs `read`, charging its time to `collector`.
    pub fn time<T>(&self, collector: &'static str, read: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = read();
        self.charge(collector, start.elapsed());
        out
    }

    fn charge(&self, collector: &'static str, spent: Duration) {
        let mut all = self.spent.borrow_mut();
        match all.iter_mut().find(|(name, _)| *name == collector) {
            Some((_, total)) => *total += spent,
            None => all.push((collector, spent)),
        }
    }

    /// The seconds charged to `collector` (0 when nothing was).
    pub fn seconds(&self, collector: &str) -> f64 {
        self.spent
            .borrow()
            .iter()
            .find(|(name, _)| *name == collector)
            .map_or(0.0, |(_, d)| d.as_secs_f64())
    }

    /// `collector`'s status: `success` as its caller judged the source.
    pub fn status(&self, collector: &'static str, success: bool) -> CollectorStatus {
        CollectorStatus {
            name: collector,
            success,
            seconds: self.seconds(collector),
        }
    }

    /// Adds the time charged to a run's collector (a read it shares with
    /// the snapshot) to that run's own.
    pub fn add_to(&self, runs: &mut [CollectorRun]) {
        for run in runs {
            let spent = self.seconds(run.name);
            if let Some(outcome) = &mut run.outcome {
                outcome.seconds += spent;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_summed_per_collector() {
        let clock = SourceClock::default();
        clock.charge("meminfo", Duration::from_micros(30));
        clock.charge("loadavg", Duration::from_micros(5));
        clock.charge("meminfo", Duration::from_micros(12));
        assert_eq!(clock.seconds("meminfo"), 42e-6);
        assert_eq!(clock.seconds("loadavg"), 5e-6);
        assert_eq!(clock.seconds("hwmon"), 0.0);
        assert_eq!(
            clock.status("meminfo", false),
            CollectorStatus {
                name: "meminfo",
                success: false,
                seconds: 42e-6
            }
        );
    }

    #[test]
    fn timed_reads_return_their_value_and_nest() {
        let clock = SourceClock::default();
        let v = clock.time("diskstats", || {
            std::thread::sleep(Duration::from_millis(2));
            clock.time("netdev", || 7)
        });
        assert_eq!(v, 7);
        assert!(clock.seconds("diskstats") >= 0.002);
        assert!(clock.seconds("netdev") < clock.seconds("diskstats"));
    }

    #[test]
    fn shared_reads_are_added_to_the_runs_that_parse_them() {
        let clock = SourceClock::default();
        clock.charge("vmstat", Duration::from_micros(20));
        let mut runs = vec![
            CollectorRun::read("vmstat", Some(vec![]), 10e-6),
            CollectorRun::read("arp", None, 1e-6),
        ];
        clock.add_to(&mut runs);
        let seconds = |i: usize| runs[i].outcome.map(|o| o.seconds);
        assert!(seconds(0).is_some_and(|s| (s - 30e-6).abs() < 1e-12));
        assert_eq!(seconds(1), Some(1e-6));
    }
}
