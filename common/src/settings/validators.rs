//! The value parsers behind every setting of the catalogue. Each returns the
//! typed value or the words that complete "expected ...", so the daemon
//! (which keeps the value) and `system-stats-bootconf --check` (which keeps
//! only the verdict) judge a value with the same function.

use crate::log_format::LogFormat;
use crate::log_level::parse_log_level;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;
use tracing_subscriber::filter::LevelFilter;
use url::Url;

/// A verdict: the value, or what was expected instead.
pub type Parsed<T> = Result<T, String>;

pub const URL_EXPECTED: &str = "an http:// or https:// URL with a host";
/// Smallest accepted spool cap: a few samples.
pub const MIN_SPOOL_BYTES: u64 = 4096;
/// Longest accepted interval or timeout (one day).
const MAX_SECONDS: f64 = 86_400.0;

/// A TCP port; 0 asks the kernel for a free one.
pub fn port(v: &str) -> Parsed<u16> {
    v.parse()
        .map_err(|_| "a port number from 0 to 65535".to_string())
}

/// An IP address (brackets allowed around IPv6), or `localhost`.
pub fn ip_host(v: &str) -> Parsed<IpAddr> {
    if v.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    v.trim_matches(|c| c == '[' || c == ']')
        .parse()
        .map_err(|_| "an IP address such as 0.0.0.0, 127.0.0.1 or ::".to_string())
}

pub fn log_level(v: &str) -> Parsed<LevelFilter> {
    parse_log_level(v).ok_or_else(|| crate::log_level::LOG_LEVEL_EXPECTED.to_string())
}

pub fn log_format(v: &str) -> Parsed<LogFormat> {
    LogFormat::parse(v).ok_or_else(|| LogFormat::EXPECTED.to_string())
}

pub fn on_off(v: &str) -> Parsed<bool> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err("on or off".to_string()),
    }
}

/// An absolute path (the daemons run with `/` as their directory, so a
/// relative one would name a different place than the user meant).
pub fn absolute_path(v: &str) -> Parsed<PathBuf> {
    if v.starts_with('/') {
        Ok(PathBuf::from(v))
    } else {
        Err("an absolute path (starting with /)".to_string())
    }
}

/// Any text (its meaning is checked with the other settings).
pub fn any_text(v: &str) -> Parsed<String> {
    Ok(v.to_string())
}

/// An absolute http(s) URL with a host and a valid port.
pub fn http_url(v: &str) -> Parsed<Url> {
    let url = Url::parse(v.trim()).map_err(|e| format!("{URL_EXPECTED} ({e})"))?;
    let scheme_ok = matches!(url.scheme(), "http" | "https");
    if scheme_ok && url.host_str().is_some_and(|h| !h.is_empty()) {
        Ok(url)
    } else {
        Err(URL_EXPECTED.to_string())
    }
}

/// Comma-separated http(s) URLs, each once (user info aside); empty: none.
pub fn url_list(v: &str) -> Parsed<Vec<Url>> {
    let mut urls: Vec<Url> = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let url = http_url(part).map_err(|_| {
            let shown = if part.contains('@') {
                "<URL with credentials>"
            } else {
                part
            };
            format!("{URL_EXPECTED}, comma-separated ({shown:?} is not)")
        })?;
        for info in [url.username(), url.password().unwrap_or_default()] {
            if percent_encoding::percent_decode_str(info)
                .decode_utf8()
                .is_err()
            {
                return Err("percent-encoded UTF-8 credentials in the URL".to_string());
            }
        }
        let mut bare = url.clone();
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        if urls.iter().any(|u| u.as_str() == bare.as_str()) {
            return Err(format!("distinct URLs ({bare} is listed twice)"));
        }
        urls.push(bare);
    }
    if urls.is_empty() && !v.trim().is_empty() {
        return Err("at least one http(s) URL".to_string());
    }
    Ok(urls)
}

/// Seconds > 0, fractions allowed, at most a day.
pub fn seconds(v: &str) -> Parsed<Duration> {
    const WHY: &str = "a number of seconds > 0 and at most 86400 (e.g. 30 or 0.5)";
    let secs: f64 = v.trim().parse().map_err(|_| WHY.to_string())?;
    if !(secs.is_finite() && secs > 0.0 && secs <= MAX_SECONDS) {
        return Err(WHY.to_string());
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| WHY.to_string())
}

/// A whole number of bytes, at least [`MIN_SPOOL_BYTES`].
pub fn spool_bytes(v: &str) -> Parsed<u64> {
    v.parse::<u64>()
        .ok()
        .filter(|n| *n >= MIN_SPOOL_BYTES)
        .ok_or_else(|| format!("a whole number of bytes >= {MIN_SPOOL_BYTES}"))
}

pub fn failure_limit(v: &str) -> Parsed<u32> {
    v.parse()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| "a number from 1 to 100000".to_string())
}

/// Comma-separated URL paths (`/health`); trailing slashes dropped.
pub fn path_list(v: &str) -> Parsed<Vec<String>> {
    let paths: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.trim_end_matches('/') {
            "" => "/".to_string(),
            q => q.to_string(),
        })
        .collect();
    if paths.iter().all(|p| p.starts_with('/')) {
        Ok(paths)
    } else {
        Err("a comma-separated list of paths such as /health".to_string())
    }
}

/// A token or password sent in an HTTP header: visible ASCII, no spaces.
pub fn token(v: &str) -> Parsed<String> {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(v.to_string())
    } else {
        Err("a token of visible ASCII characters without spaces".to_string())
    }
}

/// A password: any characters but control characters.
pub fn password(v: &str) -> Parsed<String> {
    if !v.is_empty() && !v.chars().any(char::is_control) {
        Ok(v.to_string())
    } else {
        Err("a password without control characters".to_string())
    }
}

/// A user name for basic auth: visible characters, no `:` or spaces.
pub fn user_name(v: &str) -> Parsed<String> {
    if !v.is_empty() && !v.contains(':') && !v.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Ok(v.to_string())
    } else {
        Err("a user name without spaces or ':'".to_string())
    }
}

/// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `k=v,k=v`: label names as Prometheus allows them, not reserved (`__`),
/// non-empty values without commas, each name once. Empty → no labels.
pub fn labels(value: &str) -> Parsed<Vec<(String, String)>> {
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

/// An MQTT broker: `mqtt://[user[:password]@]host[:port]` or `mqtts://...`,
/// without path, query or fragment.
pub fn mqtt_url(v: &str) -> Parsed<Url> {
    const WHY: &str = "mqtt://[user[:password]@]host[:port] or mqtts://...";
    let url = Url::parse(v.trim()).map_err(|e| format!("{WHY} ({e})"))?;
    if !matches!(url.scheme(), "mqtt" | "mqtts") {
        return Err(format!("{WHY} (unknown scheme {})", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{WHY} (no host)"));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{WHY} (no path, query or fragment expected)"));
    }
    Ok(url)
}

/// An MQTT topic prefix: levels without wildcards (`+ #`) or blanks.
pub fn topic_prefix(value: &str) -> Parsed<String> {
    let v = value.trim().trim_end_matches('/');
    let ok = !v.is_empty()
        && !v.starts_with('/')
        && !v.contains(['+', '#', '\0'])
        && !v.chars().any(char::is_whitespace);
    ok.then(|| v.to_string())
        .ok_or_else(|| "a topic prefix without wildcards (+ #), e.g. homeassistant".to_string())
}

/// One alert receiver: `ntfy+http(s)://host/<topic>` (true) or a webhook
/// `http(s)://...` (false), with the URL after the `ntfy+`.
pub fn alert_url(text: &str) -> Parsed<(bool, Url)> {
    let (ntfy, rest) = match text.strip_prefix("ntfy+") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let url = Url::parse(rest).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("unknown scheme {}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("no host".into());
    }
    let topic = url.path().trim_start_matches('/');
    let topic_ok = (1..=64).contains(&topic.len())
        && topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ntfy && (!topic_ok || url.query().is_some()) {
        return Err(format!(
            "the ntfy topic must be one path segment of 1-64 letters, digits, _ or - ({topic:?} is not)"
        ));
    }
    Ok((ntfy, url))
}

pub const ALERT_URLS_EXPECTED: &str =
    "comma-separated ntfy+http(s)://host[:port]/<topic> or http(s)://... URLs";

/// Comma-separated [`alert_url`]s, each once (user info aside).
pub fn alert_urls(v: &str) -> Parsed<Vec<Url>> {
    let mut urls: Vec<Url> = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (_, mut url) =
            alert_url(part).map_err(|why| format!("{ALERT_URLS_EXPECTED}: {why}"))?;
        let _ = url.set_username("");
        let _ = url.set_password(None);
        if urls.contains(&url) {
            return Err(format!("distinct URLs ({url} is listed twice)"));
        }
        urls.push(url);
    }
    Ok(urls)
}

/// A number in `range`, or the words `why`.
fn number_in<T: std::str::FromStr + PartialOrd>(
    v: &str,
    range: std::ops::RangeInclusive<T>,
    why: &str,
) -> Parsed<T> {
    v.trim()
        .parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| why.to_string())
}

/// An alert temperature in °C.
pub fn celsius(v: &str) -> Parsed<f64> {
    number_in(v, 0.0..=150.0, "a temperature in °C between 0 and 150")
}

/// An alert disk use in %.
pub fn disk_percent(v: &str) -> Parsed<f64> {
    number_in(v, 1.0..=100.0, "a percentage between 1 and 100")
}

/// Whole minutes, up to a week.
pub fn alert_minutes(v: &str) -> Parsed<u64> {
    number_in(
        v,
        1..=10_080,
        "a whole number of minutes between 1 and 10080",
    )
}

/// A count of polls in a row.
pub fn poll_count(v: &str) -> Parsed<u32> {
    number_in(v, 1..=1000, "a whole number of polls between 1 and 1000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_hosts_and_levels() {
        assert_eq!(port("0"), Ok(0));
        assert!(port("65536").is_err());
        assert!(ip_host("localhost").is_ok() && ip_host("[::1]").is_ok());
        assert!(ip_host("example").is_err());
        assert_eq!(log_level("off"), Ok(LevelFilter::OFF));
    }

    #[test]
    fn urls_need_a_valid_port_and_a_host() {
        assert!(http_url("http://x:99999/m").is_err());
        assert!(http_url("ftp://x/").is_err());
        assert!(http_url("http://10.0.2.2:5050/m").is_ok());
        assert_eq!(url_list("").map(|u| u.len()), Ok(0));
        assert!(url_list(",").is_err());
        assert!(url_list("http://a/x, http://u:p@a/x").is_err());
        assert!(url_list("http://u:%ff@a/x").is_err());
    }

    #[test]
    fn labels_syntax() {
        assert_eq!(
            labels(" site=lab , rack=3 ").unwrap(),
            vec![("site".into(), "lab".into()), ("rack".into(), "3".into())]
        );
        for bad in ["site", "=x", "1a=b", "__name__=x", "a-b=c", "a=", "a=1,a=2"] {
            assert!(labels(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exempt_list() {
        assert_eq!(
            path_list("/health, /metrics/").unwrap(),
            ["/health", "/metrics"]
        );
        assert_eq!(path_list("").unwrap(), Vec::<String>::new());
        assert_eq!(path_list("/").unwrap(), ["/"]);
        assert!(path_list("health").is_err());
    }

    #[test]
    fn numbers_and_tokens() {
        assert!(seconds("0").is_err() && seconds("NaN").is_err() && seconds("0.5").is_ok());
        assert!(spool_bytes("4095").is_err() && spool_bytes("4096").is_ok());
        assert!(token("a b").is_err() && token("é").is_err() && token("s3cr3t!").is_ok());
        assert!(absolute_path("data").is_err());
    }

    #[test]
    fn mqtt_and_alert_values() {
        assert!(mqtt_url("mqtts://u:p@broker:8883").is_ok());
        assert!(mqtt_url("http://broker").is_err() && mqtt_url("mqtt://b/x").is_err());
        assert_eq!(topic_prefix("ha/").as_deref(), Ok("ha"));
        assert!(topic_prefix("ha/#").is_err());
        assert!(alert_urls("ntfy+https://ntfy.sh/pi-1, http://h/hook").is_ok());
        assert!(alert_urls("ntfy+https://ntfy.sh/a/b").is_err());
        assert!(alert_urls("http://h/x,http://u@h/x").is_err());
        assert!(celsius("151").is_err() && disk_percent("0").is_err());
        assert!(alert_minutes("10081").is_err() && poll_count("3").is_ok());
    }
}
