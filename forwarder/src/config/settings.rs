//! Every forwarder setting, declared once: variable, `--flag`, default,
//! help text and parser. Settings whose meaning depends on others (lists of
//! URLs, credentials, the spool directory's default) are read as text here
//! and validated with the others (`config/mod.rs`, `config/remote_write.rs`).

use super::values::{parse_seconds, parse_url, parse_whole_bytes, URL_EXPECTED};
use reqwest::Url;
use std::time::Duration;
use system_stats_common::logging::{log_level, LOG_FORMAT};
use system_stats_common::{SecretSetting, Setting, SettingSpec};
use tracing_subscriber::filter::LevelFilter;

/// A setting read as text, validated with the others.
const fn text(
    env: &'static str,
    flag: &'static str,
    default: Option<&'static str>,
    help: &'static str,
) -> Setting<String> {
    Setting {
        env,
        flag,
        default,
        help,
        expected: "a value",
        parse: |v| Some(v.to_string()),
    }
}

pub const SOURCE_URL: Setting<Url> = Setting {
    env: "SYSTEM_STATS_URL",
    flag: "source-url",
    default: Some("http://127.0.0.1:5001/system"),
    help: "the agent's snapshot URL to poll",
    expected: URL_EXPECTED,
    parse: parse_url,
};
pub const METRICS_URL: Setting<String> = text(
    "MONITORING_SERVER_METRICS_URL",
    "metrics-url",
    Some("http://127.0.0.1:5050/metrics"),
    "monitoring server URL(s) to POST JSON to; comma-separated for several; \
     with remote write set, only those given (empty: none)",
);
pub const INTERVAL: Setting<Duration> = Setting {
    env: "SYSTEM_STATS_FORWARD_INTERVAL",
    flag: "interval",
    default: Some("30"),
    help: "seconds between polls (> 0, fractions allowed)",
    expected: "a number of seconds > 0 (e.g. 30 or 0.5)",
    parse: parse_seconds,
};
pub const LOG_LEVEL: Setting<LevelFilter> = log_level("SYSTEM_STATS_FORWARD_LOG_LEVEL");
pub const TOKEN: Setting<String> = text(
    "SYSTEM_STATS_FORWARD_TOKEN",
    "token",
    None,
    "when set, sent as `Authorization: Bearer <token>`",
);
pub const TIMEOUT: Setting<Duration> = Setting {
    env: "SYSTEM_STATS_FORWARD_TIMEOUT",
    flag: "timeout",
    default: Some("10"),
    help: "seconds allowed per HTTP request (> 0; under a systemd watchdog at most \
           (WatchdogSec - 2) / 2)",
    expected: "a number of seconds > 0 (e.g. 10)",
    parse: parse_seconds,
};
pub const SPOOL_DIR: Setting<String> = text(
    "SYSTEM_STATS_SPOOL_DIR",
    "spool-dir",
    None,
    "durable queue directory [default: $STATE_DIRECTORY, else \
     $XDG_STATE_HOME/system-stats, else ~/.local/state/system-stats]",
);
pub const SPOOL_MAX_BYTES: Setting<u64> = Setting {
    env: "SYSTEM_STATS_SPOOL_MAX_BYTES",
    flag: "spool-max-bytes",
    default: Some("67108864"),
    help: "cap of the queue on disk in bytes (>= 4096); the oldest samples go first",
    expected: "a whole number of bytes >= 4096",
    parse: parse_whole_bytes,
};
pub const CLOCK_WAIT: Setting<Duration> = Setting {
    env: "SYSTEM_STATS_CLOCK_WAIT",
    flag: "clock-wait",
    default: Some("300"),
    help: "seconds samples are held while the system clock is not synchronized (a Pi \
           without a real-time clock before NTP); then they are sent with its time",
    expected: "a number of seconds > 0 (e.g. 300)",
    parse: parse_seconds,
};
pub const REMOTE_WRITE_URL: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_URL",
    "remote-write-url",
    None,
    "Prometheus remote-write URL(s) to push /metrics samples to (e.g. \
     http://prom:9090/api/v1/write); comma-separated; user:pass@ = basic auth",
);
pub const REMOTE_WRITE_LABELS: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_LABELS",
    "remote-write-labels",
    None,
    "extra labels k=v,k=v for remote write (may override instance and job)",
);
pub const REMOTE_WRITE_USERNAME: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_USERNAME",
    "remote-write-username",
    None,
    "basic auth user for remote write (unless the URL has user info)",
);
pub const REMOTE_WRITE_PASSWORD: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_PASSWORD",
    "remote-write-password",
    None,
    "basic auth password for remote write (never logged)",
);
pub const REMOTE_WRITE_BEARER_TOKEN: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
    "remote-write-bearer-token",
    None,
    "sent as `Authorization: Bearer <token>` to remote write (not with basic auth)",
);
pub const TOKEN_FILE: Setting<String> = text(
    "SYSTEM_STATS_FORWARD_TOKEN_FILE",
    "token-file",
    None,
    "file holding SYSTEM_STATS_FORWARD_TOKEN (keeps it out of the environment)",
);
pub const REMOTE_WRITE_PASSWORD_FILE: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_PASSWORD_FILE",
    "remote-write-password-file",
    None,
    "file holding SYSTEM_STATS_REMOTE_WRITE_PASSWORD",
);
pub const REMOTE_WRITE_BEARER_TOKEN_FILE: Setting<String> = text(
    "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN_FILE",
    "remote-write-bearer-token-file",
    None,
    "file holding SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
);

/// The secret settings: each may instead come from its `*_FILE` twin or
/// from the systemd credential of its name.
pub const SECRETS: &[SecretSetting] = &[
    SecretSetting {
        env: TOKEN.env,
        file_env: TOKEN_FILE.env,
    },
    SecretSetting {
        env: REMOTE_WRITE_PASSWORD.env,
        file_env: REMOTE_WRITE_PASSWORD_FILE.env,
    },
    SecretSetting {
        env: REMOTE_WRITE_BEARER_TOKEN.env,
        file_env: REMOTE_WRITE_BEARER_TOKEN_FILE.env,
    },
];

pub const METRICS_SOURCE_URL: Setting<Url> = Setting {
    env: "SYSTEM_STATS_METRICS_SOURCE_URL",
    flag: "metrics-source-url",
    default: None,
    help: "the agent's Prometheus /metrics URL scraped for remote write [default: \
           SYSTEM_STATS_URL with /system replaced by /metrics]",
    expected: URL_EXPECTED,
    parse: parse_url,
};

/// The table behind `--help` and the command line, in this order.
pub const SPECS: &[SettingSpec] = &[
    SOURCE_URL.spec(),
    METRICS_URL.spec(),
    INTERVAL.spec(),
    LOG_LEVEL.spec(),
    LOG_FORMAT.spec(),
    TOKEN.spec(),
    TOKEN_FILE.spec(),
    TIMEOUT.spec(),
    SPOOL_DIR.spec(),
    SPOOL_MAX_BYTES.spec(),
    CLOCK_WAIT.spec(),
    REMOTE_WRITE_URL.spec(),
    REMOTE_WRITE_LABELS.spec(),
    REMOTE_WRITE_USERNAME.spec(),
    REMOTE_WRITE_PASSWORD.spec(),
    REMOTE_WRITE_PASSWORD_FILE.spec(),
    REMOTE_WRITE_BEARER_TOKEN.spec(),
    REMOTE_WRITE_BEARER_TOKEN_FILE.spec(),
    METRICS_SOURCE_URL.spec(),
    super::source_access::SOURCE_TOKEN.spec(),
    super::source_access::SOURCE_TOKEN_FILE.spec(),
    super::source_access::SOURCE_USERNAME.spec(),
    super::source_access::SOURCE_PASSWORD.spec(),
    super::source_access::SOURCE_PASSWORD_FILE.spec(),
    super::source_access::SOURCE_CA_FILE.spec(),
    super::mqtt::MQTT_URL.spec(),
    super::mqtt::MQTT_PASSWORD.spec(),
    super::mqtt::MQTT_PASSWORD_FILE.spec(),
    super::mqtt::MQTT_CA_FILE.spec(),
    super::mqtt::MQTT_DISCOVERY_PREFIX.spec(),
    super::alerts::ALERT_URLS.spec(),
    super::alerts::ALERT_TOKEN.spec(),
    super::alerts::ALERT_TOKEN_FILE.spec(),
    super::alerts::ALERT_TEMP_C.spec(),
    super::alerts::ALERT_DISK_PERCENT.spec(),
    super::alerts::ALERT_CLOCK_MINUTES.spec(),
    super::alerts::ALERT_UNREACHABLE_POLLS.spec(),
    super::alerts::ALERT_STATUS_FILE.spec(),
];
