//! Reading the remote-write settings: destination URLs with their
//! credentials (URL user info or the username/password/token settings),
//! extra labels, and the agent's `/metrics` URL to scrape.

use super::settings::{
    METRICS_SOURCE_URL, REMOTE_WRITE_BEARER_TOKEN, REMOTE_WRITE_LABELS, REMOTE_WRITE_PASSWORD,
    REMOTE_WRITE_URL, REMOTE_WRITE_USERNAME, SOURCE_URL,
};
use super::values::{bearer_token, parse_url, secret_error, URL_EXPECTED};
use crate::remote_write::settings::{
    derive_metrics_url, parse_labels, Auth, Endpoint, RemoteWriteConfig,
};
use percent_encoding::percent_decode_str;
use reqwest::Url;
use system_stats_common::setting::{Origin, RawValue};
use system_stats_common::{RawSettings, Secret, SettingError};

/// URL user info, percent-decoded; `None` if not valid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

fn non_empty<'a>(raw: &'a RawSettings, name: &str) -> Option<&'a RawValue> {
    raw.get(name).filter(|v| !v.value.trim().is_empty())
}

/// `None` when `SYSTEM_STATS_REMOTE_WRITE_URL` is unset or empty.
pub fn from_raw(
    raw: &RawSettings,
    source_url: &Url,
) -> Result<Option<RemoteWriteConfig>, SettingError> {
    let Some(urls) = non_empty(raw, REMOTE_WRITE_URL.env) else {
        return Ok(None);
    };
    let username = non_empty(raw, REMOTE_WRITE_USERNAME.env).map(|v| v.value.trim().to_string());
    let password = non_empty(raw, REMOTE_WRITE_PASSWORD.env);
    if let (Some(p), None) = (password, &username) {
        return Err(secret_error(
            p,
            &format!("to be set together with {}", REMOTE_WRITE_USERNAME.env),
        ));
    }
    let password = password.map(|p| Secret::new(p.value.clone()));
    let bearer_raw = raw.get(REMOTE_WRITE_BEARER_TOKEN.env);
    let bearer = bearer_token(bearer_raw)?.zip(bearer_raw);

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
            SettingError::new(&shown, format!("{URL_EXPECTED}, comma-separated"))
        })?;
        let auth = if !url.username().is_empty() {
            let decode = |s: &str| {
                percent_decode(s).ok_or_else(|| secret_error(urls, "percent-encoded credentials"))
            };
            let username = decode(url.username())?;
            let password = url.password().map(decode).transpose()?.map(Secret::new);
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
        if let (Some((_, t)), Auth::Basic { .. }) = (&bearer, &auth) {
            return Err(secret_error(
                t,
                "either basic auth (URL user info or SYSTEM_STATS_REMOTE_WRITE_USERNAME) or a bearer token, not both",
            ));
        }
        let auth = match (&bearer, auth) {
            (Some((token, _)), Auth::None) => Auth::Bearer(token.clone()),
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

    let labels = match raw.get(REMOTE_WRITE_LABELS.env) {
        Some(v) => parse_labels(&v.value).map_err(|why| SettingError::new(v, why))?,
        None => Vec::new(),
    };

    let metrics_source = match non_empty(raw, METRICS_SOURCE_URL.env) {
        Some(v) => {
            (METRICS_SOURCE_URL.parse)(v.value.trim()).map_err(|why| SettingError::new(v, why))?
        }
        None => derive_metrics_url(source_url).ok_or_else(|| {
            SettingError::new(
                &RawValue {
                    value: String::new(),
                    origin: Origin::Default(METRICS_SOURCE_URL.env),
                },
                format!(
                    "the agent's /metrics URL ({}={source_url} does not end in /system, \
                     so it cannot be derived)",
                    SOURCE_URL.env
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_percent_decoded() {
        assert_eq!(percent_decode("p%40ss%3Aw").as_deref(), Some("p@ss:w"));
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode("%ff"), None);
    }
}
