//! The MQTT settings (`SYSTEM_STATS_MQTT_*`) and their validation into an
//! [`MqttConfig`]: broker URL with optional credentials, TLS trust, and the
//! Home Assistant discovery prefix.

use super::values::secret_error;
use std::path::PathBuf;
use system_stats_common::setting::RawValue;
use system_stats_common::settings::{forwarder as f, validators as v};
use system_stats_common::{RawSettings, Secret, SecretSetting, Setting, SettingError, SettingSpec};

const fn text(spec: SettingSpec) -> Setting<String> {
    Setting::new(spec, v::any_text)
}

pub const MQTT_URL: Setting<String> = text(f::MQTT_URL);
pub const MQTT_PASSWORD: Setting<String> = text(f::MQTT_PASSWORD);
pub const MQTT_PASSWORD_FILE: Setting<String> = text(f::MQTT_PASSWORD_FILE);
pub const MQTT_CA_FILE: Setting<String> = text(f::MQTT_CA_FILE);
pub const MQTT_DISCOVERY_PREFIX: Setting<String> =
    Setting::new(f::MQTT_DISCOVERY_PREFIX, v::topic_prefix);

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

fn given<'a>(raw: &'a RawSettings, name: &str) -> Option<&'a RawValue> {
    raw.get(name).filter(|v| !v.value.trim().is_empty())
}

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
    let url = v::mqtt_url(&url_raw.value).map_err(|why| SettingError::new(&shown_raw, why))?;
    let tls = url.scheme() == "mqtts";
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
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
