//! The MQTT settings (`SYSTEM_STATS_MQTT_*`) and their validation into an
//! [`MqttConfig`]: broker URL with optional credentials, TLS trust, and the
//! Home Assistant discovery prefix.

use super::values::secret_error;
use reqwest::Url;
use std::path::PathBuf;
use system_stats_common::setting::RawValue;
use system_stats_common::{RawSettings, Secret, SecretSetting, Setting, SettingError};

const fn text(env: &'static str, flag: &'static str, help: &'static str) -> Setting<String> {
    Setting {
        env,
        flag,
        default: None,
        help,
        expected: "a value",
        parse: |v| Some(v.to_string()),
    }
}

pub const MQTT_URL: Setting<String> = text(
    "SYSTEM_STATS_MQTT_URL",
    "mqtt-url",
    "MQTT broker for Home Assistant: mqtt://[user[:password]@]host[:port] or mqtts://...",
);
pub const MQTT_PASSWORD: Setting<String> = text(
    "SYSTEM_STATS_MQTT_PASSWORD",
    "mqtt-password",
    "MQTT password (instead of the one in the URL; never logged)",
);
pub const MQTT_PASSWORD_FILE: Setting<String> = text(
    "SYSTEM_STATS_MQTT_PASSWORD_FILE",
    "mqtt-password-file",
    "file holding SYSTEM_STATS_MQTT_PASSWORD",
);
pub const MQTT_CA_FILE: Setting<String> = text(
    "SYSTEM_STATS_MQTT_CA_FILE",
    "mqtt-ca-file",
    "PEM CA certificate(s) trusted for mqtts:// [default: the system's roots]",
);
pub const MQTT_DISCOVERY_PREFIX: Setting<String> = Setting {
    env: "SYSTEM_STATS_MQTT_DISCOVERY_PREFIX",
    flag: "mqtt-discovery-prefix",
    default: Some("homeassistant"),
    help: "Home Assistant's MQTT discovery prefix",
    expected: "a topic prefix without wildcards (+ #), e.g. homeassistant",
    parse: parse_prefix,
};

pub const SECRETS: &[SecretSetting] = &[SecretSetting {
    env: MQTT_PASSWORD.env,
    file_env: MQTT_PASSWORD_FILE.env,
}];

/// A broker to publish to.
#[derive(Debug, Clone)]
pub struct MqttConfig {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub ca_file: Option<PathBuf>,
    pub discovery_prefix: String,
    /// The URL without credentials, for logs.
    pub shown: String,
}

/// A topic level sequence with no wildcards, no empty levels at the ends.
pub fn parse_prefix(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('/');
    let ok = !v.is_empty()
        && !v.starts_with('/')
        && !v.contains(['+', '#', '\0'])
        && !v.chars().any(char::is_whitespace);
    ok.then(|| v.to_string())
}

fn given<'a>(raw: &'a RawSettings, name: &str) -> Option<&'a RawValue> {
    raw.get(name).filter(|v| !v.value.trim().is_empty())
}

const URL_EXPECTED: &str = "mqtt://[user[:password]@]host[:port] or mqtts://...";

/// `None` when `SYSTEM_STATS_MQTT_URL` is unset or empty.
pub fn from_raw(raw: &RawSettings) -> Result<Option<MqttConfig>, SettingError> {
    let Some(url_raw) = given(raw, MQTT_URL.env) else {
        return Ok(None);
    };
    // The URL may hold a password: errors never show it.
    let shown_raw = RawValue {
        value: if url_raw.value.contains('@') {
            "<URL with credentials>".into()
        } else {
            url_raw.value.clone()
        },
        origin: url_raw.origin.clone(),
    };
    let bad = |why: &str| SettingError::new(&shown_raw, format!("{URL_EXPECTED} ({why})"));
    let url = Url::parse(url_raw.value.trim()).map_err(|e| bad(&e.to_string()))?;
    let tls = match url.scheme() {
        "mqtt" => false,
        "mqtts" => true,
        other => return Err(bad(&format!("unknown scheme {other}"))),
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("no host"))?
        .trim_matches(['[', ']'])
        .to_string();
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("no path, query or fragment expected"));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| secret_error(url_raw, "percent-encoded credentials"))
    };
    let username = Some(url.username())
        .filter(|u| !u.is_empty())
        .map(decode)
        .transpose()?;
    let url_password = url.password().map(decode).transpose()?;
    let setting_password = given(raw, MQTT_PASSWORD.env);
    let password = match (url_password, setting_password) {
        (Some(_), Some(p)) => {
            return Err(secret_error(
                p,
                "not to be set when the URL already has a password",
            ))
        }
        (Some(p), None) => Some(Secret::new(p)),
        (None, Some(p)) if username.is_none() => {
            return Err(secret_error(
                p,
                "to come with a user name in SYSTEM_STATS_MQTT_URL (mqtt://user@host)",
            ))
        }
        (None, Some(p)) => Some(Secret::new(p.value.trim_end_matches(['\r', '\n']))),
        (None, None) => None,
    };
    let ca_file = match given(raw, MQTT_CA_FILE.env) {
        Some(ca) if !tls => {
            return Err(SettingError::new(
                ca,
                "to be set only with an mqtts:// SYSTEM_STATS_MQTT_URL",
            ))
        }
        Some(ca) => {
            let path = PathBuf::from(ca.value.trim());
            if !path.is_file() {
                return Err(SettingError::new(ca, "a readable PEM file"));
            }
            Some(path)
        }
        None => None,
    };
    let port = url.port().unwrap_or(if tls { 8883 } else { 1883 });
    Ok(Some(MqttConfig {
        shown: format!("{}://{}:{port}", url.scheme(), url.host_str().unwrap_or("")),
        host,
        port,
        tls,
        username,
        password,
        ca_file,
        discovery_prefix: MQTT_DISCOVERY_PREFIX.get(raw)?,
    }))
}
