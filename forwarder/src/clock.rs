//! The time samples are stamped with: whether the system clock is
//! synchronized (the kernel's `adjtimex` status without `STA_UNSYNC`, or
//! systemd-timesyncd's flag file), and timestamps that never go backwards
//! however the clock steps. A hidden test seam shifts the clock and sets
//! its synchronized state from a file.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Hidden test seam: `SYSTEM_STATS_TEST_CLOCK=<file>`, the file holding
/// `<offset in ms> <synchronized: 0 or 1>`, read at each poll. Not a
/// setting; a warning is logged at start whenever it is set.
pub const TEST_CLOCK_ENV: &str = "SYSTEM_STATS_TEST_CLOCK";

/// systemd-timesyncd creates it once it has synchronized the clock.
const TIMESYNCD_FLAG: &str = "/run/systemd/timesync/synchronized";

#[derive(Debug, Default)]
pub struct Clock {
    seam: Option<PathBuf>,
    /// The last timestamp handed out, in ms.
    last_ms: i64,
}

impl Clock {
    /// The system clock (or the test seam when its variable is set).
    pub fn from_env() -> Clock {
        Clock {
            seam: std::env::var_os(TEST_CLOCK_ENV).map(PathBuf::from),
            last_ms: 0,
        }
    }

    /// A clock driven by the file at `seam` (tests).
    pub fn with_seam(seam: PathBuf) -> Clock {
        Clock {
            seam: Some(seam),
            last_ms: 0,
        }
    }

    pub fn is_seam(&self) -> bool {
        self.seam.is_some()
    }

    /// The seam's (offset ms, synchronized), when set and readable.
    fn seam(&self) -> Option<(i64, bool)> {
        let text = std::fs::read_to_string(self.seam.as_ref()?).ok()?;
        let mut fields = text.split_whitespace();
        let offset = fields.next()?.parse().ok()?;
        let synced = fields.next()? == "1";
        Some((offset, synced))
    }

    /// Whether the system clock is synchronized to a time source.
    pub fn synchronized(&self) -> bool {
        if self.seam.is_some() {
            return self.seam().is_some_and(|(_, synced)| synced);
        }
        kernel_synchronized() || std::path::Path::new(TIMESYNCD_FLAG).exists()
    }

    fn wall_ms(&self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        now + self.seam().map_or(0, |(offset, _)| offset)
    }

    /// The Unix time in ms of a sample taken at `at`: the wall clock now,
    /// less the (monotonic) time since; always after the previous stamp,
    /// so a clock stepped backwards never reorders samples.
    pub fn stamp(&mut self, at: Instant) -> i64 {
        let ms = self.wall_ms() - at.elapsed().as_millis() as i64;
        self.last_ms = ms.max(self.last_ms + 1);
        self.last_ms
    }
}

/// The kernel's view (`adjtimex`, shared with the agent through
/// `system_stats_common::timex`); where there is none (macOS) the clock is
/// taken as synchronized.
fn kernel_synchronized() -> bool {
    if cfg!(target_os = "linux") {
        system_stats_common::timex::read().is_some_and(|t| t.synchronized())
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stamps_follow_the_seam_and_never_go_back() {
        let dir = tempfile::tempdir().unwrap();
        let seam = dir.path().join("clock");
        let mut clock = Clock::with_seam(seam.clone());
        assert!(!clock.synchronized(), "no file: not synchronized");
        std::fs::write(&seam, "-3600000 0").unwrap();
        assert!(!clock.synchronized());
        let taken = Instant::now() - Duration::from_secs(10);
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        std::fs::write(&seam, "0 1").unwrap();
        assert!(clock.synchronized());
        let first = clock.stamp(taken);
        assert!((first - (real - 10_000)).abs() < 1000, "{first} vs {real}");
        // The clock steps an hour back: stamps still increase.
        std::fs::write(&seam, "-3600000 1").unwrap();
        let second = clock.stamp(Instant::now());
        let third = clock.stamp(Instant::now());
        assert!(first < second && second < third);
    }

    #[test]
    fn the_system_clock_answers() {
        // Either answer is right; it must not panic, and stamps increase.
        let mut clock = Clock::default();
        let _ = clock.synchronized();
        let (a, b) = (clock.stamp(Instant::now()), clock.stamp(Instant::now()));
        assert!(a > 1_600_000_000_000 && b > a);
    }
}
