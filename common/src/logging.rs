//! Logging setup: structured journald records when stderr is the journal (or
//! when asked), readable text on stderr otherwise.

use crate::setting::{RawSettings, Setting, SettingError};
use crate::settings::validators;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;

/// `SYSTEM_STATS_LOG_FORMAT`, shared by both binaries.
pub const LOG_FORMAT: Setting<LogFormat> =
    Setting::new(crate::settings::LOG_FORMAT, validators::log_format);

/// A binary's log level setting (each binary has its own variable).
pub const fn log_level(spec: crate::settings::SettingSpec) -> Setting<LevelFilter> {
    Setting::new(spec, validators::log_level)
}

/// How a daemon logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    pub level: LevelFilter,
    pub format: LogFormat,
}

impl LogSettings {
    /// Read `level` and [`LOG_FORMAT`] from `raw`.
    pub fn from_raw(
        level: &Setting<LevelFilter>,
        raw: &RawSettings,
    ) -> Result<LogSettings, SettingError> {
        Ok(LogSettings {
            level: level.get(raw)?,
            format: LOG_FORMAT.get(raw)?,
        })
    }
}

pub use crate::log_format::LogFormat;

/// `JOURNAL_STREAM` is "device:inode" of the journal socket systemd connected
/// to our stdout/stderr; it only counts when it matches stderr itself.
pub fn journal_stream_matches(journal_stream: &str, stderr_dev: u64, stderr_ino: u64) -> bool {
    let mut parts = journal_stream.trim().splitn(2, ':');
    let dev = parts.next().and_then(|d| d.parse::<u64>().ok());
    let ino = parts.next().and_then(|i| i.parse::<u64>().ok());
    dev == Some(stderr_dev) && ino == Some(stderr_ino)
}

#[cfg(target_os = "linux")]
fn stderr_is_journal() -> bool {
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Ok(stat) = rustix::fs::fstat(std::io::stderr()) else {
        return false;
    };
    // st_dev/st_ino are not u64 on every target
    #[allow(clippy::unnecessary_cast)]
    journal_stream_matches(
        &stream.to_string_lossy(),
        stat.st_dev as u64,
        stat.st_ino as u64,
    )
}

#[cfg(not(target_os = "linux"))]
fn stderr_is_journal() -> bool {
    false
}

/// Install the global subscriber. `identifier` is the syslog identifier used
/// in the journal. Falls back to text when the journal cannot be reached.
pub fn init_logging(level: LevelFilter, format: LogFormat, identifier: &str) {
    let use_journal = match format {
        LogFormat::Journald => true,
        LogFormat::Text => false,
        LogFormat::Auto => stderr_is_journal(),
    };
    if use_journal {
        #[cfg(target_os = "linux")]
        if let Ok(layer) = tracing_journald::layer() {
            let layer = layer
                .with_syslog_identifier(identifier.to_string())
                .with_field_prefix(None);
            let _ = tracing_subscriber::registry()
                .with(layer.with_filter(level))
                .try_init();
            return;
        }
    }
    let _ = identifier;
    let text = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(text.with_filter(level))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_stream_must_match_stderr() {
        assert!(journal_stream_matches("64768:123456", 64768, 123456));
        assert!(!journal_stream_matches("64768:123456", 64768, 1));
        assert!(!journal_stream_matches("garbage", 64768, 123456));
        assert!(!journal_stream_matches("", 0, 0));
    }

    #[test]
    fn formats() {
        assert_eq!(LogFormat::parse("JOURNALD"), Some(LogFormat::Journald));
        assert_eq!(LogFormat::parse("text"), Some(LogFormat::Text));
        assert_eq!(LogFormat::parse("auto"), Some(LogFormat::Auto));
        assert_eq!(LogFormat::parse("xml"), None);
    }
}
