//! The forwarder's settings: the table of environment variables (and their
//! `--flag` twins), and their validation into one typed [`Config`].

use crate::remote_write::{self, settings::RemoteWriteConfig};
use reqwest::Url;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use system_stats_common::log_level::LOG_LEVEL_EXPECTED;
use system_stats_common::setting::{Origin, RawValue};
use system_stats_common::{
    parse_command_line, parse_log_level, Command, LogFormat, RawSettings, SettingError, SettingSpec,
};
use tracing_subscriber::filter::LevelFilter;

pub const PROGRAM: &str = "system-stats-forwarder";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const ABOUT: &str = "Polls the system-stats agent and forwards every sample to monitoring \
                     servers, keeping a durable on-disk queue while they are unreachable.";

pub const SOURCE_URL: &str = "SYSTEM_STATS_URL";
pub const METRICS_URL: &str = "MONITORING_SERVER_METRICS_URL";
pub const INTERVAL: &str = "SYSTEM_STATS_FORWARD_INTERVAL";
pub const LOG_LEVEL: &str = "SYSTEM_STATS_FORWARD_LOG_LEVEL";
pub const LOG_FORMAT: &str = "SYSTEM_STATS_LOG_FORMAT";
pub const TOKEN: &str = "SYSTEM_STATS_FORWARD_TOKEN";
pub const TIMEOUT: &str = "SYSTEM_STATS_FORWARD_TIMEOUT";
pub const SPOOL_DIR: &str = "SYSTEM_STATS_SPOOL_DIR";
pub const SPOOL_MAX_BYTES: &str = "SYSTEM_STATS_SPOOL_MAX_BYTES";
pub const REMOTE_WRITE_URL: &str = "SYSTEM_STATS_REMOTE_WRITE_URL";
pub const REMOTE_WRITE_LABELS: &str = "SYSTEM_STATS_REMOTE_WRITE_LABELS";
pub const REMOTE_WRITE_USERNAME: &str = "SYSTEM_STATS_REMOTE_WRITE_USERNAME";
pub const REMOTE_WRITE_PASSWORD: &str = "SYSTEM_STATS_REMOTE_WRITE_PASSWORD";
pub const REMOTE_WRITE_BEARER_TOKEN: &str = "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN";
pub const METRICS_SOURCE_URL: &str = "SYSTEM_STATS_METRICS_SOURCE_URL";

/// Smallest accepted spool cap: a few samples.
pub const MIN_SPOOL_BYTES: u64 = 4096;
/// Longest accepted interval or timeout (one day).
const MAX_SECONDS: f64 = 86_400.0;

pub const SPECS: &[SettingSpec] = &[
    SettingSpec {
        env: SOURCE_URL,
        flag: "source-url",
        default: Some("http://127.0.0.1:5001/system"),
        help: "the agent's snapshot URL to poll",
    },
    SettingSpec {
        env: METRICS_URL,
        flag: "metrics-url",
        default: Some("http://127.0.0.1:5050/metrics"),
        help: "monitoring server URL(s) to POST JSON to; comma-separated for several; \
               with remote write set, only those given (empty: none)",
    },
    SettingSpec {
        env: INTERVAL,
        flag: "interval",
        default: Some("30"),
        help: "seconds between polls (> 0, fractions allowed)",
    },
    SettingSpec {
        env: LOG_LEVEL,
        flag: "log-level",
        default: Some("info"),
        help: "trace, debug, info, warning, error or critical",
    },
    SettingSpec {
        env: LOG_FORMAT,
        flag: "log-format",
        default: Some("auto"),
        help: "auto (journald under systemd), journald or text",
    },
    SettingSpec {
        env: TOKEN,
        flag: "token",
        default: None,
        help: "when set, sent as `Authorization: Bearer <token>`",
    },
    SettingSpec {
        env: TIMEOUT,
        flag: "timeout",
        default: Some("10"),
        help: "seconds allowed per HTTP request (> 0)",
    },
    SettingSpec {
        env: SPOOL_DIR,
        flag: "spool-dir",
        default: None,
        help: "durable queue directory [default: $STATE_DIRECTORY, else \
               $XDG_STATE_HOME/system-stats, else ~/.local/state/system-stats]",
    },
    SettingSpec {
        env: SPOOL_MAX_BYTES,
        flag: "spool-max-bytes",
        default: Some("67108864"),
        help: "cap of the queue on disk in bytes (>= 4096); the oldest samples go first",
    },
    SettingSpec {
        env: REMOTE_WRITE_URL,
        flag: "remote-write-url",
        default: None,
        help: "Prometheus remote-write URL(s) to push /metrics samples to (e.g. \
               http://prom:9090/api/v1/write); comma-separated; user:pass@ = basic auth",
    },
    SettingSpec {
        env: REMOTE_WRITE_LABELS,
        flag: "remote-write-labels",
        default: None,
        help: "extra labels k=v,k=v for remote write (may override instance and job)",
    },
    SettingSpec {
        env: REMOTE_WRITE_USERNAME,
        flag: "remote-write-username",
        default: None,
        help: "basic auth user for remote write (unless the URL has user info)",
    },
    SettingSpec {
        env: REMOTE_WRITE_PASSWORD,
        flag: "remote-write-password",
        default: None,
        help: "basic auth password for remote write (never logged)",
    },
    SettingSpec {
        env: REMOTE_WRITE_BEARER_TOKEN,
        flag: "remote-write-bearer-token",
        default: None,
        help: "sent as `Authorization: Bearer <token>` to remote write (not with basic auth)",
    },
    SettingSpec {
        env: METRICS_SOURCE_URL,
        flag: "metrics-source-url",
        default: None,
        help: "the agent's Prometheus /metrics URL scraped for remote write [default: \
               SYSTEM_STATS_URL with /system replaced by /metrics]",
    },
];

/// Everything the forwarder needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub source_url: Url,
    pub destinations: Vec<Url>,
    pub interval: Duration,
    pub log_level: LevelFilter,
    pub log_format: LogFormat,
    pub token: Option<String>,
    pub timeout: Duration,
    pub spool_dir: PathBuf,
    pub spool_max_bytes: u64,
    /// Remote-write destinations, when `SYSTEM_STATS_REMOTE_WRITE_URL` is set.
    pub remote_write: Option<RemoteWriteConfig>,
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Parsed {
    Run(Box<Config>),
    Help(String),
    Version(String),
}

/// Parse the command line and environment; errors are one line naming the
/// offending variable (or flag). Creates the spool directory.
pub fn parse<I, E>(args: I, env: E) -> Result<Parsed, String>
where
    I: IntoIterator<Item = OsString>,
    E: Fn(&str) -> Option<String>,
{
    match parse_command_line(PROGRAM, VERSION, ABOUT, SPECS, args, &env)? {
        Command::Help(text) => Ok(Parsed::Help(text)),
        Command::Version(text) => Ok(Parsed::Version(text)),
        Command::Run(raw) => from_raw(&raw, &env)
            .map(|c| Parsed::Run(Box::new(c)))
            .map_err(|e| e.to_string()),
    }
}

fn from_raw(
    raw: &RawSettings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, SettingError> {
    let required = |name: &str| {
        raw.get(name).cloned().unwrap_or(RawValue {
            value: String::new(),
            origin: Origin::Env(static_name(name)),
        })
    };
    let source = required(SOURCE_URL);
    let source_url =
        parse_url(&source.value).ok_or_else(|| SettingError::new(&source, URL_EXPECTED))?;

    let remote_write = remote_write::settings::from_raw(raw, &source_url)?;
    let metrics = required(METRICS_URL);
    let mut destinations: Vec<Url> = Vec::new();
    for part in metrics
        .value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let url = parse_url(part).ok_or_else(|| {
            SettingError::new(
                &metrics,
                format!("{URL_EXPECTED}, comma-separated ({part:?} is not)"),
            )
        })?;
        if destinations.contains(&url) {
            return Err(SettingError::new(
                &metrics,
                format!("distinct URLs ({part} is listed twice)"),
            ));
        }
        destinations.push(url);
    }
    if remote_write.is_some() && metrics.origin == Origin::Default(METRICS_URL) {
        // With remote write, JSON destinations are only those asked for.
        destinations.clear();
    }
    if destinations.is_empty() && remote_write.is_none() {
        return Err(SettingError::new(
            &metrics,
            format!("at least one http(s) URL (or set {REMOTE_WRITE_URL})"),
        ));
    }

    let interval = raw
        .parse(
            INTERVAL,
            "a number of seconds > 0 (e.g. 30 or 0.5)",
            parse_seconds,
        )?
        .unwrap_or(Duration::from_secs(30));
    let timeout = raw
        .parse(TIMEOUT, "a number of seconds > 0 (e.g. 10)", parse_seconds)?
        .unwrap_or(Duration::from_secs(10));
    let log_level = raw
        .parse(LOG_LEVEL, LOG_LEVEL_EXPECTED, parse_log_level)?
        .unwrap_or(LevelFilter::INFO);
    let log_format = raw
        .parse(LOG_FORMAT, LogFormat::EXPECTED, LogFormat::parse)?
        .unwrap_or(LogFormat::Auto);
    let spool_max_bytes = raw
        .parse(SPOOL_MAX_BYTES, "a whole number of bytes >= 4096", |v| {
            v.parse::<u64>().ok().filter(|n| *n >= MIN_SPOOL_BYTES)
        })?
        .unwrap_or(64 << 20);

    let token = match raw.get(TOKEN) {
        Some(t) if t.value.trim().is_empty() => None,
        Some(t) => {
            let value = t.value.trim().to_string();
            if reqwest::header::HeaderValue::from_str(&format!("Bearer {value}")).is_err() {
                // Never echo a secret back in the error.
                let redacted = RawValue {
                    value: "<redacted>".into(),
                    origin: t.origin.clone(),
                };
                return Err(SettingError::new(
                    &redacted,
                    "a token of visible ASCII characters",
                ));
            }
            Some(value)
        }
        None => None,
    };

    let spool_raw = match raw.get(SPOOL_DIR) {
        Some(v) if !v.value.trim().is_empty() => v.clone(),
        _ => RawValue {
            value: default_spool_dir(env)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
            origin: Origin::Default(SPOOL_DIR),
        },
    };
    let spool_dir = create_spool_dir(&spool_raw)?;

    Ok(Config {
        source_url,
        destinations,
        interval,
        log_level,
        log_format,
        token,
        timeout,
        spool_dir,
        spool_max_bytes,
        remote_write,
    })
}

const URL_EXPECTED: &str = "an http:// or https:// URL with a host";

/// `Origin` wants a `'static` name; all our names are in [`SPECS`].
fn static_name(name: &str) -> &'static str {
    SPECS
        .iter()
        .find(|s| s.env == name)
        .map(|s| s.env)
        .unwrap_or("setting")
}

/// An absolute http(s) URL with a host.
pub fn parse_url(value: &str) -> Option<Url> {
    let url = Url::parse(value.trim()).ok()?;
    let scheme_ok = matches!(url.scheme(), "http" | "https");
    (scheme_ok && url.host_str().is_some_and(|h| !h.is_empty())).then_some(url)
}

/// Seconds > 0, fractions allowed, at most a day.
pub fn parse_seconds(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    if !(secs.is_finite() && secs > 0.0 && secs <= MAX_SECONDS) {
        return None;
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
}

/// `$STATE_DIRECTORY` (first entry) when systemd sets it, else
/// `$XDG_STATE_HOME/system-stats`, else `~/.local/state/system-stats`.
pub fn default_spool_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(state) = non_empty("STATE_DIRECTORY") {
        let first = state.split(':').next().unwrap_or_default().to_string();
        return Some(PathBuf::from(first));
    }
    if let Some(xdg) = non_empty("XDG_STATE_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Some(Path::new(&xdg).join("system-stats"));
    }
    non_empty("HOME").map(|home| Path::new(&home).join(".local/state/system-stats"))
}

fn create_spool_dir(raw: &RawValue) -> Result<PathBuf, SettingError> {
    if raw.value.is_empty() {
        return Err(SettingError::new(
            raw,
            "a directory (none given and neither STATE_DIRECTORY, XDG_STATE_HOME nor HOME is set)",
        ));
    }
    let path = PathBuf::from(&raw.value);
    std::fs::create_dir_all(&path)
        .map_err(|e| SettingError::new(raw, format!("a directory that can be created ({e})")))?;
    if !path.is_dir() {
        return Err(SettingError::new(raw, "a directory"));
    }
    Ok(path)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
