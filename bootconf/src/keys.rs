//! The keys `system-stats.conf` understands and how each value is checked.
//! system-stats keys are written to `/etc/default/system-stats` by this
//! program; image keys (hostname, Wi-Fi, SSH key, time zone) are applied by
//! the appliance image's own first-boot script and only recognised here.

/// What a known key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A variable of `/etc/default/system-stats`.
    SystemStats,
    /// Applied by the appliance image (not by the package).
    Image,
}

/// A known key: name, purpose, whether its value is a secret, and its check.
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub secret: bool,
    check: fn(&str) -> Result<(), String>,
}

impl Key {
    /// Checks a value; the error is a short reason naming what was wrong.
    pub fn check(&self, value: &str) -> Result<(), String> {
        if let Some(c) = value
            .chars()
            .find(|c| matches!(c, '"' | '\'' | '\\') || c.is_control())
        {
            return Err(format!("{c:?} is not allowed in a value"));
        }
        (self.check)(value)
    }
}

const fn ss(name: &'static str, check: fn(&str) -> Result<(), String>) -> Key {
    Key {
        name,
        kind: Kind::SystemStats,
        secret: false,
        check,
    }
}
const fn ss_secret(name: &'static str, check: fn(&str) -> Result<(), String>) -> Key {
    Key {
        name,
        kind: Kind::SystemStats,
        secret: true,
        check,
    }
}
const fn image(name: &'static str, secret: bool) -> Key {
    Key {
        name,
        kind: Kind::Image,
        secret,
        check: any,
    }
}

pub const KEYS: &[Key] = &[
    ss("SYSTEM_STATS_HOST", ip_address),
    ss("SYSTEM_STATS_PORT", port),
    ss("SYSTEM_STATS_LOG_LEVEL", log_level),
    ss("SYSTEM_STATS_LOG_FORMAT", log_format),
    ss("SYSTEM_STATS_DISK_PATH", absolute_path),
    ss("SYSTEM_STATS_PROCFS", absolute_path),
    ss("SYSTEM_STATS_SYSFS", absolute_path),
    ss("SYSTEM_STATS_TLS_CERT_FILE", absolute_path),
    ss("SYSTEM_STATS_TLS_KEY_FILE", absolute_path),
    ss("SYSTEM_STATS_BASIC_AUTH_USERS_FILE", absolute_path),
    ss_secret("SYSTEM_STATS_AUTH_TOKEN", token),
    ss("SYSTEM_STATS_AUTH_TOKEN_FILE", absolute_path),
    ss("SYSTEM_STATS_AUTH_EXEMPT", path_list),
    ss("SYSTEM_STATS_AUTH_FAILURE_LIMIT", failure_limit),
    ss("SYSTEM_STATS_TEXTFILE_DIR", absolute_path),
    ss("SYSTEM_STATS_HISTORY", on_off),
    ss("SYSTEM_STATS_HISTORY_DIR", absolute_path),
    ss("SYSTEM_STATS_URL", url),
    ss("MONITORING_SERVER_METRICS_URL", url_list),
    ss("SYSTEM_STATS_FORWARD_INTERVAL", positive_seconds),
    ss("SYSTEM_STATS_FORWARD_LOG_LEVEL", log_level),
    ss_secret("SYSTEM_STATS_FORWARD_TOKEN", token),
    ss("SYSTEM_STATS_FORWARD_TIMEOUT", positive_seconds),
    ss("SYSTEM_STATS_CLOCK_WAIT", positive_seconds),
    ss("SYSTEM_STATS_SPOOL_DIR", absolute_path),
    ss("SYSTEM_STATS_SPOOL_MAX_BYTES", spool_bytes),
    ss_secret("SYSTEM_STATS_REMOTE_WRITE_URL", url_list),
    ss("SYSTEM_STATS_REMOTE_WRITE_LABELS", labels),
    ss("SYSTEM_STATS_REMOTE_WRITE_USERNAME", token),
    ss_secret("SYSTEM_STATS_REMOTE_WRITE_PASSWORD", token),
    ss_secret("SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN", token),
    ss("SYSTEM_STATS_METRICS_SOURCE_URL", url),
    ss("SYSTEM_STATS_FORWARD_TOKEN_FILE", absolute_path),
    ss("SYSTEM_STATS_REMOTE_WRITE_PASSWORD_FILE", absolute_path),
    ss("SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN_FILE", absolute_path),
    ss_secret("SYSTEM_STATS_SOURCE_TOKEN", token),
    ss("SYSTEM_STATS_SOURCE_TOKEN_FILE", absolute_path),
    ss("SYSTEM_STATS_SOURCE_USERNAME", token),
    ss_secret("SYSTEM_STATS_SOURCE_PASSWORD", token),
    ss("SYSTEM_STATS_SOURCE_PASSWORD_FILE", absolute_path),
    ss("SYSTEM_STATS_SOURCE_CA_FILE", absolute_path),
    image("hostname", false),
    image("ssh_authorized_key", false),
    image("wifi_ssid", false),
    image("wifi_psk", true),
    image("wifi_country", false),
    image("timezone", false),
];

/// The known key of that exact name.
pub fn lookup(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// Keys whose non-empty value gives the forwarder somewhere to send samples.
pub const DESTINATIONS: &[&str] = &[
    "MONITORING_SERVER_METRICS_URL",
    "SYSTEM_STATS_REMOTE_WRITE_URL",
];

fn any(_: &str) -> Result<(), String> {
    Ok(())
}

fn ip_address(v: &str) -> Result<(), String> {
    v.parse::<std::net::IpAddr>()
        .map(|_| ())
        .map_err(|_| format!("{v:?} is not an IP address (e.g. 0.0.0.0, 127.0.0.1, ::)"))
}

fn port(v: &str) -> Result<(), String> {
    match v.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(format!("{v:?} is not a TCP port (1-65535)")),
    }
}

fn log_level(v: &str) -> Result<(), String> {
    const L: &[&str] = &[
        "trace", "debug", "info", "warning", "warn", "error", "critical",
    ];
    if L.contains(&v.to_ascii_lowercase().as_str()) {
        Ok(())
    } else {
        Err(format!(
            "{v:?} is not one of trace, debug, info, warning, error, critical"
        ))
    }
}

fn log_format(v: &str) -> Result<(), String> {
    match v {
        "auto" | "journald" | "text" => Ok(()),
        _ => Err(format!("{v:?} is not one of auto, journald, text")),
    }
}

fn on_off(v: &str) -> Result<(), String> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "off" | "true" | "false" | "yes" | "no" | "1" | "0" => Ok(()),
        _ => Err(format!("{v:?} is not on or off")),
    }
}

fn absolute_path(v: &str) -> Result<(), String> {
    if v.starts_with('/') && !v.contains(char::is_whitespace) {
        Ok(())
    } else {
        Err(format!("{v:?} is not an absolute path"))
    }
}

fn url(v: &str) -> Result<(), String> {
    let rest = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .ok_or_else(|| format!("{v:?} is not an http:// or https:// URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.ends_with('@') || v.contains(char::is_whitespace) {
        return Err(format!("{v:?} has no host"));
    }
    Ok(())
}

/// Comma-separated URLs; empty means "none".
fn url_list(v: &str) -> Result<(), String> {
    v.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .try_for_each(url)
}

fn positive_seconds(v: &str) -> Result<(), String> {
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(()),
        _ => Err(format!("{v:?} is not a positive number of seconds")),
    }
}

fn path_list(v: &str) -> Result<(), String> {
    match v
        .split(',')
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('/'))
    {
        None => Ok(()),
        Some(p) => Err(format!("{p:?} is not a URL path such as /health")),
    }
}

fn failure_limit(v: &str) -> Result<(), String> {
    match v.parse::<u32>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(()),
        _ => Err(format!("{v:?} is not a number from 1 to 100000")),
    }
}

fn spool_bytes(v: &str) -> Result<(), String> {
    match v.parse::<u64>() {
        Ok(b) if b >= 4096 => Ok(()),
        _ => Err(format!("{v:?} is not a byte count of at least 4096")),
    }
}

fn token(v: &str) -> Result<(), String> {
    if v.contains(char::is_whitespace) {
        Err("must not contain spaces".into())
    } else {
        Ok(())
    }
}

fn labels(v: &str) -> Result<(), String> {
    for pair in v.split(',').filter(|p| !p.trim().is_empty()) {
        match pair.split_once('=') {
            Some((k, _)) if !k.trim().is_empty() => {}
            _ => return Err(format!("{pair:?} is not name=value")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, v: &str) -> Result<(), String> {
        lookup(name).expect("known key").check(v)
    }

    #[test]
    fn accepts_good_values() {
        for (k, v) in [
            ("SYSTEM_STATS_HOST", "::"),
            ("SYSTEM_STATS_PORT", "8080"),
            ("SYSTEM_STATS_LOG_LEVEL", "Warning"),
            (
                "MONITORING_SERVER_METRICS_URL",
                "http://10.0.2.2:5050/m, https://a.example/x",
            ),
            ("MONITORING_SERVER_METRICS_URL", ""),
            ("SYSTEM_STATS_FORWARD_INTERVAL", "0.5"),
            ("SYSTEM_STATS_SPOOL_MAX_BYTES", "4096"),
            ("SYSTEM_STATS_REMOTE_WRITE_LABELS", "site=lab,rack=2"),
            (
                "SYSTEM_STATS_REMOTE_WRITE_URL",
                "https://u:p@prom.example/api/v1/write",
            ),
        ] {
            assert_eq!(check(k, v), Ok(()), "{k}={v}");
        }
    }

    #[test]
    fn rejects_bad_values_with_a_reason() {
        for (k, v, reason) in [
            ("SYSTEM_STATS_PORT", "0", "TCP port"),
            ("SYSTEM_STATS_PORT", "http", "TCP port"),
            ("SYSTEM_STATS_HOST", "localhost", "IP address"),
            ("SYSTEM_STATS_LOG_LEVEL", "loud", "not one of"),
            ("SYSTEM_STATS_LOG_FORMAT", "xml", "not one of"),
            ("SYSTEM_STATS_DISK_PATH", "data", "absolute path"),
            (
                "MONITORING_SERVER_METRICS_URL",
                "ftp://x",
                "http:// or https://",
            ),
            ("MONITORING_SERVER_METRICS_URL", "http://", "no host"),
            ("SYSTEM_STATS_FORWARD_INTERVAL", "-1", "positive"),
            ("SYSTEM_STATS_FORWARD_INTERVAL", "NaN", "positive"),
            ("SYSTEM_STATS_SPOOL_MAX_BYTES", "100", "at least 4096"),
            ("SYSTEM_STATS_FORWARD_TOKEN", "a b", "spaces"),
            ("SYSTEM_STATS_REMOTE_WRITE_LABELS", "novalue", "name=value"),
            ("SYSTEM_STATS_URL", "http://h/\"x", "not allowed"),
        ] {
            let e = check(k, v).expect_err(v);
            assert!(e.contains(reason), "{k}={v}: {e}");
        }
    }

    #[test]
    fn secrets_and_kinds() {
        assert!(lookup("wifi_psk").is_some_and(|k| k.secret && k.kind == Kind::Image));
        assert!(lookup("SYSTEM_STATS_FORWARD_TOKEN").is_some_and(|k| k.secret));
        assert!(lookup("hostname").is_some_and(|k| !k.secret));
        assert!(lookup("HOSTNAME").is_none(), "keys are case-sensitive");
    }
}
