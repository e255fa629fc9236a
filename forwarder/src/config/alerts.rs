//! The alert settings (`SYSTEM_STATS_ALERT_*`) and their validation into an
//! [`AlertsConfig`]: the receivers (ntfy topics or JSON webhooks) and the
//! rules' thresholds.

use super::values::{bearer_token, secret_error};
use reqwest::Url;
use std::path::PathBuf;
use std::time::Duration;
use system_stats_common::setting::RawValue;
use system_stats_common::settings::{forwarder as f, validators as v};
use system_stats_common::{RawSettings, Secret, SecretSetting, Setting, SettingError, SettingSpec};

const fn text(spec: SettingSpec) -> Setting<String> {
    Setting::new(spec, v::any_text)
}

pub const ALERT_URLS: Setting<String> = text(f::ALERT_URLS);
pub const ALERT_TOKEN: Setting<String> = text(f::ALERT_TOKEN);
pub const ALERT_TOKEN_FILE: Setting<String> = text(f::ALERT_TOKEN_FILE);
pub const ALERT_TEMP_C: Setting<f64> = Setting::new(f::ALERT_TEMP_C, v::celsius);
pub const ALERT_DISK_PERCENT: Setting<f64> = Setting::new(f::ALERT_DISK_PERCENT, v::disk_percent);
pub const ALERT_CLOCK_MINUTES: Setting<u64> =
    Setting::new(f::ALERT_CLOCK_MINUTES, v::alert_minutes);
pub const ALERT_UNREACHABLE_POLLS: Setting<u32> =
    Setting::new(f::ALERT_UNREACHABLE_POLLS, v::poll_count);
pub const ALERT_STATUS_FILE: Setting<String> = text(f::ALERT_STATUS_FILE);

pub const SECRETS: &[SecretSetting] = &[SecretSetting {
    env: ALERT_TOKEN.env,
    file_env: ALERT_TOKEN_FILE.env,
}];

/// How a receiver wants its alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverKind {
    /// ntfy's publish format: the message as body, Title/Priority/Tags headers.
    Ntfy,
    /// `{"host","kind","state","since","value","message"}` as JSON.
    Webhook,
}

/// One place alerts go.
#[derive(Debug, Clone)]
pub struct Receiver {
    pub kind: ReceiverKind,
    /// http(s), without credentials.
    pub url: Url,
    /// Basic auth from the URL's user info.
    pub basic: Option<(String, Option<Secret>)>,
}

/// The rules' thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub temp_c: f64,
    pub disk_percent: f64,
    pub clock_unsynchronized: Duration,
    pub unreachable_polls: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            temp_c: 80.0,
            disk_percent: 90.0,
            clock_unsynchronized: Duration::from_secs(15 * 60),
            unreachable_polls: 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AlertsConfig {
    pub receivers: Vec<Receiver>,
    pub token: Option<Secret>,
    pub thresholds: Thresholds,
    /// Explicit status file; `None`: the default (see [`ALERT_STATUS_FILE`]).
    pub status_file: Option<PathBuf>,
}

/// One receiver URL, or why it is not one.
pub fn parse_receiver(text: &str) -> Result<Receiver, String> {
    let (ntfy, mut url) = v::alert_url(text)?;
    let kind = if ntfy {
        ReceiverKind::Ntfy
    } else {
        ReceiverKind::Webhook
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| "credentials not percent-encoded UTF-8".to_string())
    };
    let basic = if url.username().is_empty() {
        None
    } else {
        let user = decode(url.username())?;
        let password = url.password().map(decode).transpose()?.map(Secret::new);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Some((user, password))
    };
    Ok(Receiver { kind, url, basic })
}

/// `None` when `SYSTEM_STATS_ALERT_URLS` is unset or empty.
pub fn from_raw(raw: &RawSettings) -> Result<Option<AlertsConfig>, SettingError> {
    let Some(urls) = raw
        .get(ALERT_URLS.env)
        .filter(|v| !v.value.trim().is_empty())
    else {
        return Ok(None);
    };
    let shown = RawValue {
        value: if urls.value.contains('@') {
            "<URLs with credentials>".into()
        } else {
            urls.value.clone()
        },
        origin: urls.origin.clone(),
    };
    let mut receivers: Vec<Receiver> = Vec::new();
    for part in urls
        .value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let receiver = parse_receiver(part).map_err(|why| {
            SettingError::new(&shown, format!("{}: {why}", v::ALERT_URLS_EXPECTED))
        })?;
        if receivers.iter().any(|r| r.url == receiver.url) {
            return Err(SettingError::new(
                &shown,
                format!("distinct URLs ({} is listed twice)", receiver.url),
            ));
        }
        receivers.push(receiver);
    }
    let token_raw = raw.get(ALERT_TOKEN.env);
    let token = bearer_token(token_raw)?;
    if let (Some(_), Some(t)) = (&token, token_raw) {
        if receivers.iter().any(|r| r.basic.is_some()) {
            return Err(secret_error(
                t,
                "either URL user info or a token for the alert receivers, not both",
            ));
        }
    }
    let status_file = raw
        .get(ALERT_STATUS_FILE.env)
        .filter(|v| !v.value.trim().is_empty())
        .map(|v| {
            let path = PathBuf::from(v.value.trim());
            if path.is_absolute() && !path.is_dir() {
                Ok(path)
            } else {
                Err(SettingError::new(v, "an absolute file path"))
            }
        })
        .transpose()?;
    Ok(Some(AlertsConfig {
        receivers,
        token,
        thresholds: Thresholds {
            temp_c: ALERT_TEMP_C.get(raw)?,
            disk_percent: ALERT_DISK_PERCENT.get(raw)?,
            clock_unsynchronized: Duration::from_secs(ALERT_CLOCK_MINUTES.get(raw)? * 60),
            unreachable_polls: ALERT_UNREACHABLE_POLLS.get(raw)?,
        },
        status_file,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_by_scheme() {
        let n = parse_receiver("ntfy+https://ntfy.sh/pi-alerts").unwrap();
        assert_eq!(n.kind, ReceiverKind::Ntfy);
        assert_eq!(n.url.as_str(), "https://ntfy.sh/pi-alerts");
        let w = parse_receiver("http://u:p%40ss@127.0.0.1:9/hook?x=1").unwrap();
        assert_eq!(w.kind, ReceiverKind::Webhook);
        assert_eq!(w.url.as_str(), "http://127.0.0.1:9/hook?x=1");
        let (user, pass) = w.basic.unwrap();
        assert_eq!((user.as_str(), pass.unwrap().expose()), ("u", "p@ss"));
    }

    #[test]
    fn bad_receivers_say_why() {
        for (url, why) in [
            ("ntfy+https://ntfy.sh/", "topic"),
            ("ntfy+https://ntfy.sh/a/b", "topic"),
            ("ntfy+https://ntfy.sh/a b", "topic"),
            ("ftp://host/x", "scheme"),
            ("ntfy+mqtt://host/x", "scheme"),
            ("not a url", "not a URL"),
        ] {
            let e = parse_receiver(url).unwrap_err();
            assert!(e.contains(why), "{url}: {e}");
        }
    }
}
