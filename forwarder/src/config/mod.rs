//! The forwarder's configuration: its settings (declared once in
//! [`settings`]) read from flags, environment and defaults, validated once
//! into a typed [`Config`].

pub mod alerts;
pub mod mqtt;
pub mod remote_write;
pub mod settings;
pub mod source_access;
pub mod values;

use crate::remote_write::settings::RemoteWriteConfig;
use reqwest::Url;
use settings::*;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use system_stats_common::setting::{Origin, RawValue};
use system_stats_common::{
    parse_command_line, read_secret_files, Fatal, Invocation, LogSettings, RawSettings, Secret,
    SettingError,
};
use values::{bearer_token, create_spool_dir, default_spool_dir, parse_url, URL_EXPECTED};

pub const PROGRAM: &str = "system-stats-forwarder";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const ABOUT: &str = "Polls the system-stats agent and forwards every sample to monitoring \
                     servers, keeping a durable on-disk queue while they are unreachable.";

/// Everything the forwarder needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub source_url: Url,
    pub destinations: Vec<Url>,
    pub interval: Duration,
    pub log: LogSettings,
    pub token: Option<Secret>,
    pub timeout: Duration,
    pub spool_dir: PathBuf,
    pub spool_max_bytes: u64,
    /// How long samples are held while the clock is not synchronized.
    pub clock_wait: Duration,
    /// Remote-write destinations, when `SYSTEM_STATS_REMOTE_WRITE_URL` is set.
    pub remote_write: Option<RemoteWriteConfig>,
    /// Credentials and CA for an agent serving HTTPS with authentication.
    pub source_access: source_access::SourceAccess,
    /// Home Assistant over MQTT, when `SYSTEM_STATS_MQTT_URL` is set.
    pub mqtt: Option<mqtt::MqttConfig>,
    /// Alert receivers and rules, when `SYSTEM_STATS_ALERT_URLS` is set.
    pub alerts: Option<alerts::AlertsConfig>,
}

/// Parse the command line and environment; errors are one line naming the
/// offending variable (or flag). Creates the spool directory.
pub fn parse<I, E>(args: I, env: E) -> Result<Invocation<Config>, Fatal>
where
    I: IntoIterator<Item = OsString>,
    E: Fn(&str) -> Option<String>,
{
    parse_command_line(PROGRAM, VERSION, ABOUT, SPECS, args, &env)
        .map_err(Fatal::Usage)?
        .try_map(|mut raw| {
            let credentials = env("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty());
            let credentials = credentials.as_deref().map(Path::new);
            read_secret_files(&mut raw, SECRETS, credentials)?;
            read_secret_files(&mut raw, source_access::SECRETS, credentials)?;
            read_secret_files(&mut raw, mqtt::SECRETS, credentials)?;
            read_secret_files(&mut raw, alerts::SECRETS, credentials)?;
            raw.judge_all(SPECS)?;
            from_raw(&raw, &env).map_err(Fatal::from)
        })
}

fn from_raw(
    raw: &RawSettings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, SettingError> {
    let source_url = SOURCE_URL.get(raw)?;
    let remote_write = remote_write::from_raw(raw, &source_url)?;
    let mqtt = mqtt::from_raw(raw)?;
    let alerts = alerts::from_raw(raw)?;
    let others = Others {
        remote_write: remote_write.is_some(),
        mqtt: mqtt.is_some(),
        alerts: alerts.is_some(),
    };
    let destinations = json_destinations(raw, others)?;
    let spool_raw = match raw.get(SPOOL_DIR.env) {
        Some(v) if !v.value.trim().is_empty() => v.clone(),
        _ => RawValue {
            value: default_spool_dir(env)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
            origin: Origin::Default(SPOOL_DIR.env),
        },
    };
    Ok(Config {
        source_url,
        destinations,
        interval: INTERVAL.get(raw)?,
        log: LogSettings::from_raw(&LOG_LEVEL, raw)?,
        token: bearer_token(raw.get(TOKEN.env))?,
        timeout: TIMEOUT.get(raw)?,
        spool_max_bytes: SPOOL_MAX_BYTES.get(raw)?,
        clock_wait: CLOCK_WAIT.get(raw)?,
        spool_dir: create_spool_dir(&spool_raw)?,
        remote_write,
        source_access: source_access::from_raw(raw)?,
        mqtt,
        alerts,
    })
}

/// Which destinations other than JSON servers are configured.
#[derive(Debug, Clone, Copy)]
struct Others {
    remote_write: bool,
    mqtt: bool,
    alerts: bool,
}

impl Others {
    fn any(self) -> bool {
        self.remote_write || self.mqtt || self.alerts
    }
}

/// The JSON servers: the comma-separated `MONITORING_SERVER_METRICS_URL`.
/// With remote write, MQTT or alerts on, only those given (not the default).
fn json_destinations(raw: &RawSettings, others: Others) -> Result<Vec<Url>, SettingError> {
    let metrics = raw.get(METRICS_URL.env).cloned().unwrap_or(RawValue {
        value: String::new(),
        origin: Origin::Env(METRICS_URL.env),
    });
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
    if others.any() && metrics.origin == Origin::Default(METRICS_URL.env) {
        destinations.clear();
    }
    if destinations.is_empty() && !others.any() {
        return Err(SettingError::new(
            &metrics,
            format!(
                "at least one http(s) URL (or set {}, {} or {})",
                REMOTE_WRITE_URL.env,
                mqtt::MQTT_URL.env,
                alerts::ALERT_URLS.env
            ),
        ));
    }
    Ok(destinations)
}

#[cfg(test)]
mod tests;
