//! Every forwarder setting as the forwarder reads it: its entry in common's
//! catalogue (`system_stats_common::settings::forwarder`) and its parser. Settings whose meaning depends on others (lists of
//! URLs, credentials, the spool directory's default) are read as text here
//! and validated with the others (`config/mod.rs`, `config/remote_write.rs`).

use reqwest::Url;
use std::time::Duration;
use system_stats_common::logging::log_level;
use system_stats_common::settings::{forwarder as f, validators as v};
use system_stats_common::{SecretSetting, Setting, SettingSpec};
use tracing_subscriber::filter::LevelFilter;

/// A setting read as text here, validated with the others; the catalogue's
/// check has judged it already.
const fn text(spec: SettingSpec) -> Setting<String> {
    Setting::new(spec, v::any_text)
}

pub const SOURCE_URL: Setting<Url> = Setting::new(f::SOURCE_URL, v::http_url);
pub const METRICS_URL: Setting<String> = text(f::METRICS_URL);
pub const INTERVAL: Setting<Duration> = Setting::new(f::INTERVAL, v::seconds);
pub const LOG_LEVEL: Setting<LevelFilter> = log_level(f::LOG_LEVEL);
pub const TOKEN: Setting<String> = text(f::FORWARD_TOKEN);
pub const TIMEOUT: Setting<Duration> = Setting::new(f::TIMEOUT, v::seconds);
pub const SPOOL_DIR: Setting<String> = text(f::SPOOL_DIR);
pub const SPOOL_MAX_BYTES: Setting<u64> = Setting::new(f::SPOOL_MAX_BYTES, v::spool_bytes);
pub const CLOCK_WAIT: Setting<Duration> = Setting::new(f::CLOCK_WAIT, v::seconds);
pub const REMOTE_WRITE_URL: Setting<String> = text(f::REMOTE_WRITE_URL);
pub const REMOTE_WRITE_LABELS: Setting<String> = text(f::REMOTE_WRITE_LABELS);
pub const REMOTE_WRITE_USERNAME: Setting<String> = text(f::REMOTE_WRITE_USERNAME);
pub const REMOTE_WRITE_PASSWORD: Setting<String> = text(f::REMOTE_WRITE_PASSWORD);
pub const REMOTE_WRITE_BEARER_TOKEN: Setting<String> = text(f::REMOTE_WRITE_BEARER_TOKEN);
pub const TOKEN_FILE: Setting<String> = text(f::FORWARD_TOKEN_FILE);
pub const REMOTE_WRITE_PASSWORD_FILE: Setting<String> = text(f::REMOTE_WRITE_PASSWORD_FILE);
pub const REMOTE_WRITE_BEARER_TOKEN_FILE: Setting<String> = text(f::REMOTE_WRITE_BEARER_TOKEN_FILE);

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

pub const METRICS_SOURCE_URL: Setting<Url> = Setting::new(f::METRICS_SOURCE_URL, v::http_url);

/// The table behind `--help` and the command line: the catalogue's list.
pub const SPECS: &[SettingSpec] = f::ALL;
