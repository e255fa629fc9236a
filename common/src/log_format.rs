//! The log format names (`SYSTEM_STATS_LOG_FORMAT`), pure.

/// `SYSTEM_STATS_LOG_FORMAT`: auto (journald when stderr is the journal), journald, text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Auto,
    Journald,
    Text,
}

impl LogFormat {
    pub fn parse(value: &str) -> Option<LogFormat> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(LogFormat::Auto),
            "journald" | "journal" => Some(LogFormat::Journald),
            "text" => Some(LogFormat::Text),
            _ => None,
        }
    }

    pub const EXPECTED: &'static str = "one of auto, journald, text";
}
