//! Log level names, accepting Python's logging names as the seed did.

use tracing_subscriber::filter::LevelFilter;

/// Parse trace/debug/info/warning/warn/error/critical (any case).
pub fn parse_log_level(value: &str) -> Option<LevelFilter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "trace" => Some(LevelFilter::TRACE),
        "debug" => Some(LevelFilter::DEBUG),
        "info" => Some(LevelFilter::INFO),
        "warning" | "warn" => Some(LevelFilter::WARN),
        "error" | "critical" | "fatal" => Some(LevelFilter::ERROR),
        "off" => Some(LevelFilter::OFF),
        _ => None,
    }
}

/// Describes the accepted names, for error messages.
pub const LOG_LEVEL_EXPECTED: &str = "one of trace, debug, info, warning, error, critical, off";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_and_rust_names() {
        assert_eq!(parse_log_level("WARNING"), Some(LevelFilter::WARN));
        assert_eq!(parse_log_level("warn"), Some(LevelFilter::WARN));
        assert_eq!(parse_log_level("critical"), Some(LevelFilter::ERROR));
        assert_eq!(parse_log_level("Info"), Some(LevelFilter::INFO));
        assert_eq!(parse_log_level("loud"), None);
    }
}
