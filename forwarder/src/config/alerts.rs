//! The alert settings (`SYSTEM_STATS_ALERT_*`) and their validation into an
//! [`AlertsConfig`]: the receivers (ntfy topics or JSON webhooks) and the
//! rules' thresholds.

use super::values::{bearer_token, secret_error};
use reqwest::Url;
use std::path::PathBuf;
use std::time::Duration;
use system_stats_common::setting::RawValue;
use system_stats_common::{RawSettings, Secret, SecretSetting, Setting, SettingError};

pub const ALERT_URLS: Setting<String> = Setting {
    env: "SYSTEM_STATS_ALERT_URLS",
    flag: "alert-urls",
    default: None,
    help: "where alerts go, comma-separated: ntfy+https://host/<topic> (ntfy) or \
           http(s)://... (JSON webhook)",
    expected: "a value",
    parse: |v| Some(v.to_string()),
};
pub const ALERT_TOKEN: Setting<String> = Setting {
    env: "SYSTEM_STATS_ALERT_TOKEN",
    flag: "alert-token",
    default: None,
    help: "sent to the alert receivers as `Authorization: Bearer <token>` (an ntfy access token)",
    expected: "a value",
    parse: |v| Some(v.to_string()),
};
pub const ALERT_TOKEN_FILE: Setting<String> = Setting {
    env: "SYSTEM_STATS_ALERT_TOKEN_FILE",
    flag: "alert-token-file",
    default: None,
    help: "file holding SYSTEM_STATS_ALERT_TOKEN",
    expected: "a value",
    parse: |v| Some(v.to_string()),
};
pub const ALERT_TEMP_C: Setting<f64> = Setting {
    env: "SYSTEM_STATS_ALERT_TEMP_C",
    flag: "alert-temp-c",
    default: Some("80"),
    help: "alert when the temperature reaches this many °C (resolved 5 °C below)",
    expected: "a temperature in °C between 0 and 150",
    parse: |v| v.trim().parse().ok().filter(|t| (0.0..=150.0).contains(t)),
};
pub const ALERT_DISK_PERCENT: Setting<f64> = Setting {
    env: "SYSTEM_STATS_ALERT_DISK_PERCENT",
    flag: "alert-disk-percent",
    default: Some("90"),
    help: "alert when the root disk is this full, in % (resolved 2 points below)",
    expected: "a percentage between 1 and 100",
    parse: |v| v.trim().parse().ok().filter(|p| (1.0..=100.0).contains(p)),
};
pub const ALERT_CLOCK_MINUTES: Setting<u64> = Setting {
    env: "SYSTEM_STATS_ALERT_CLOCK_MINUTES",
    flag: "alert-clock-minutes",
    default: Some("15"),
    help: "alert when the clock has been unsynchronized this many minutes",
    expected: "a whole number of minutes between 1 and 10080",
    parse: |v| v.trim().parse().ok().filter(|m| (1..=10080).contains(m)),
};
pub const ALERT_UNREACHABLE_POLLS: Setting<u32> = Setting {
    env: "SYSTEM_STATS_ALERT_UNREACHABLE_POLLS",
    flag: "alert-unreachable-polls",
    default: Some("3"),
    help: "alert when this many polls in a row cannot reach the agent",
    expected: "a whole number of polls between 1 and 1000",
    parse: |v| v.trim().parse().ok().filter(|n| (1..=1000).contains(n)),
};
pub const ALERT_STATUS_FILE: Setting<String> = Setting {
    env: "SYSTEM_STATS_ALERT_STATUS_FILE",
    flag: "alert-status-file",
    default: None,
    help:
        "where the forwarder writes where alerts go and the last few sent (read by the \
           agent's /alerts) [default: $RUNTIME_DIRECTORY/alerts.json, else <spool dir>/alerts.json]",
    expected: "a value",
    parse: |v| Some(v.to_string()),
};

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

const URLS_EXPECTED: &str =
    "comma-separated ntfy+http(s)://host[:port]/<topic> or http(s)://... URLs";

/// An ntfy topic: 1 to 64 of A-Z a-z 0-9 _ -.
fn valid_topic(topic: &str) -> bool {
    (1..=64).contains(&topic.len())
        && topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One receiver URL, or why it is not one.
pub fn parse_receiver(text: &str) -> Result<Receiver, String> {
    let (kind, rest) = match text.strip_prefix("ntfy+") {
        Some(rest) => (ReceiverKind::Ntfy, rest),
        None => (ReceiverKind::Webhook, text),
    };
    let mut url = Url::parse(rest).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("unknown scheme {}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("no host".into());
    }
    if kind == ReceiverKind::Ntfy {
        let topic = url.path().trim_start_matches('/');
        if !valid_topic(topic) || url.query().is_some() {
            return Err(format!(
                "the ntfy topic must be one path segment of 1-64 letters, digits, _ or - ({topic:?} is not)"
            ));
        }
    }
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
        let receiver = parse_receiver(part)
            .map_err(|why| SettingError::new(&shown, format!("{URLS_EXPECTED}: {why}")))?;
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
