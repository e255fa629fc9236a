//! systemd service notifications (READY, STATUS, WATCHDOG, STOPPING). Every
//! call is a no-op outside systemd or on other operating systems.

use std::time::Duration;

/// Tell systemd start-up finished, with a status line.
pub fn ready(status: &str) {
    #[cfg(target_os = "linux")]
    let _ = sd_notify::notify(
        false,
        &[
            sd_notify::NotifyState::Ready,
            sd_notify::NotifyState::Status(status),
        ],
    );
    #[cfg(not(target_os = "linux"))]
    let _ = status;
}

/// Update the status line shown by `systemctl status`.
pub fn status(status: &str) {
    #[cfg(target_os = "linux")]
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Status(status)]);
    #[cfg(not(target_os = "linux"))]
    let _ = status;
}

/// Keep-alive ping for `WatchdogSec=`.
pub fn watchdog() {
    #[cfg(target_os = "linux")]
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
}

/// Tell systemd we are shutting down.
pub fn stopping() {
    #[cfg(target_os = "linux")]
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Stopping]);
}

/// `WATCHDOG_USEC` when systemd's watchdog is on for this process: without
/// a ping for that long, systemd restarts the service.
pub fn watchdog_period() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        let mut usec = 0u64;
        if sd_notify::watchdog_enabled(false, &mut usec) && usec > 0 {
            return Some(Duration::from_micros(usec));
        }
    }
    None
}

/// How often to ping: half of [`watchdog_period`], at least 10 ms apart
/// (never spin, even for absurd settings).
pub fn watchdog_interval() -> Option<Duration> {
    watchdog_period().map(|period| (period / 2).max(Duration::from_millis(10)))
}
