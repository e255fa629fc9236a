//! Validation of the remote-write settings: destination URLs, extra labels
//! (`k=v,k=v`), credentials, and the agent's `/metrics` URL to scrape.

use super::exposition::is_label_name;
use crate::config::{
    parse_url, METRICS_SOURCE_URL, REMOTE_WRITE_BEARER_TOKEN, REMOTE_WRITE_LABELS,
    REMOTE_WRITE_PASSWORD, REMOTE_WRITE_URL, REMOTE_WRITE_USERNAME, SOURCE_URL,
};
use reqwest::Url;
use system_stats_common::setting::{Origin, RawValue};
use system_stats_common::{RawSettings, SettingError};

/// How a remote-write request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    Basic {
        username: String,
        password: Option<String>,
    },
    Bearer(String),
}

/// One remote-write endpoint: its URL without credentials, and its auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: Url,
    pub auth: Auth,
}

/// Validated remote-write settings.
#[derive(Debug, Clone)]
pub struct RemoteWriteConfig {
    pub endpoints: Vec<Endpoint>,
    pub labels: Vec<(String, String)>,
    /// The agent's Prometheus exposition, scraped at each poll.
    pub metrics_source: Url,
}

fn secret_error(raw: &RawValue, expected: &str) -> SettingError {
    // Never echo a secret back in the error.
    let redacted = RawValue {
        value: "<redacted>".into(),
        origin: raw.origin.clone(),
    };
    SettingError::new(&redacted, expected)
}

fn non_empty<'a>(raw: &'a RawSettings, name: &str) -> Option<&'a RawValue> {
    raw.get(name).filter(|v| !v.value.trim().is_empty())
}

/// `None` when `SYSTEM_STATS_REMOTE_WRITE_URL` is unset or empty.
pub fn from_raw(
    raw: &RawSettings,
    source_url: &Url,
) -> Result<Option<RemoteWriteConfig>, SettingError> {
    let Some(urls) = non_empty(raw, REMOTE_WRITE_URL) else {
        return Ok(None);
    };
    let username = non_empty(raw, REMOTE_WRITE_USERNAME).map(|v| v.value.trim().to_string());
    let password = non_empty(raw, REMOTE_WRITE_PASSWORD);
    if let (Some(p), None) = (password, &username) {
        return Err(secret_error(
            p,
            &format!("to be set together with {REMOTE_WRITE_USERNAME}"),
        ));
    }
    let password = password.map(|p| p.value.clone());
    let bearer = match non_empty(raw, REMOTE_WRITE_BEARER_TOKEN) {
        Some(t) => {
            let token = t.value.trim().to_string();
            if reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
                return Err(secret_error(t, "a token of visible ASCII characters"));
            }
            Some((t, token))
        }
        None => None,
    };

    let mut endpoints: Vec<Endpoint> = Vec::new();
    for part in urls
        .value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let mut url = parse_url(part).ok_or_else(|| {
            // The URL may hold a password: show only that it is bad.
            let shown = RawValue {
                value: if urls.value.contains('@') {
                    "<URL with credentials>".into()
                } else {
                    urls.value.clone()
                },
                origin: urls.origin.clone(),
            };
            SettingError::new(
                &shown,
                "http:// or https:// URL(s) with a host, comma-separated",
            )
        })?;
        let auth = if !url.username().is_empty() {
            let decode = |s: &str| {
                percent_decode(s).ok_or_else(|| secret_error(urls, "percent-encoded credentials"))
            };
            let username = decode(url.username())?;
            let password = url.password().map(decode).transpose()?;
            let _ = url.set_username("");
            let _ = url.set_password(None);
            Auth::Basic { username, password }
        } else if let Some(username) = &username {
            Auth::Basic {
                username: username.clone(),
                password: password.clone(),
            }
        } else {
            Auth::None
        };
        if let (Some((t, _)), Auth::Basic { .. }) = (&bearer, &auth) {
            return Err(secret_error(
                t,
                "either basic auth (URL user info or SYSTEM_STATS_REMOTE_WRITE_USERNAME) or a bearer token, not both",
            ));
        }
        let auth = match (&bearer, auth) {
            (Some((_, token)), Auth::None) => Auth::Bearer(token.clone()),
            (_, auth) => auth,
        };
        if endpoints.iter().any(|e| e.url == url) {
            return Err(SettingError::new(
                urls,
                format!("distinct URLs ({url} is listed twice)"),
            ));
        }
        endpoints.push(Endpoint { url, auth });
    }
    if endpoints.is_empty() {
        return Err(SettingError::new(urls, "at least one http(s) URL"));
    }

    let labels = match raw.get(REMOTE_WRITE_LABELS) {
        Some(v) => parse_labels(&v.value).map_err(|why| SettingError::new(v, why))?,
        None => Vec::new(),
    };

    let metrics_source = match non_empty(raw, METRICS_SOURCE_URL) {
        Some(v) => parse_url(&v.value)
            .ok_or_else(|| SettingError::new(v, "an http:// or https:// URL with a host"))?,
        None => derive_metrics_url(source_url).ok_or_else(|| {
            SettingError::new(
                &RawValue {
                    value: String::new(),
                    origin: Origin::Default(METRICS_SOURCE_URL),
                },
                format!(
                    "the agent's /metrics URL ({SOURCE_URL}={source_url} does not end in /system, \
                     so it cannot be derived)"
                ),
            )
        })?,
    };
    Ok(Some(RemoteWriteConfig {
        endpoints,
        labels,
        metrics_source,
    }))
}

/// `http://h:5001/system` → `http://h:5001/metrics` (query dropped).
pub fn derive_metrics_url(source: &Url) -> Option<Url> {
    let path = source.path().strip_suffix("/system")?;
    let mut url = source.clone();
    url.set_path(&format!("{path}/metrics"));
    url.set_query(None);
    url.set_fragment(None);
    Some(url)
}

/// `k=v,k=v`: label names as Prometheus allows them, not reserved (`__`),
/// non-empty values without commas, each name once. Empty → no labels.
pub fn parse_labels(value: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("k=v,k=v label pairs ({part:?} has no =)"));
        };
        let (k, v) = (k.trim(), v.trim());
        if !is_label_name(k) || k.starts_with("__") {
            return Err(format!(
                "k=v,k=v with label names like [a-zA-Z_][a-zA-Z0-9_]*, not starting with __ ({k:?} is not)"
            ));
        }
        if v.is_empty() {
            return Err(format!("k=v,k=v with non-empty values ({k} has none)"));
        }
        if out.iter().any(|(name, _)| name == k) {
            return Err(format!("k=v,k=v with each label once ({k} is repeated)"));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// Decode `%XX` escapes of URL user info; `None` if not valid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_syntax() {
        assert_eq!(
            parse_labels(" site=lab , rack=3 ").unwrap(),
            vec![("site".into(), "lab".into()), ("rack".into(), "3".into())]
        );
        assert_eq!(parse_labels("").unwrap(), vec![]);
        for bad in ["site", "=x", "1a=b", "__name__=x", "a-b=c", "a=", "a=1,a=2"] {
            assert!(parse_labels(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metrics_url_from_system_url() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            derive_metrics_url(&u("http://127.0.0.1:5001/system?x=1"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:5001/metrics"
        );
        assert_eq!(
            derive_metrics_url(&u("https://pi/agent/system"))
                .unwrap()
                .as_str(),
            "https://pi/agent/metrics"
        );
        assert_eq!(derive_metrics_url(&u("http://pi/snapshot")), None);
    }

    #[test]
    fn userinfo_is_percent_decoded() {
        assert_eq!(percent_decode("p%40ss%3Aw").as_deref(), Some("p@ss:w"));
        assert_eq!(percent_decode("%zz"), None);
    }
}
