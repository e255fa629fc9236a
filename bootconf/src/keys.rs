//! The keys `system-stats.conf` understands and how each value is checked.
//! system-stats keys are the daemons' settings, judged by the catalogue's
//! own checks (`system_stats_common::settings`), so the card check gives the
//! daemon's verdict; they are written to `/etc/default/system-stats` by this
//! program. Image keys (hostname, Wi-Fi, SSH key, time zone) are listed here.

use system_stats_common::settings::{self, SettingSpec};

/// What a known key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A variable of `/etc/default/system-stats`.
    SystemStats,
    /// Applied by the appliance image (not by the package).
    Image,
}

/// A known key: name, purpose, whether its value is a secret, and its check.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub secret: bool,
    /// The daemon setting (system-stats keys).
    pub setting: Option<&'static SettingSpec>,
}

impl Key {
    /// Checks a value; the error is a short reason naming what was wrong
    /// (a secret's value is never repeated).
    pub fn check(&self, value: &str) -> Result<(), String> {
        if let Some(c) = value
            .chars()
            .find(|c| matches!(c, '"' | '\'' | '\\') || c.is_control())
        {
            return Err(format!("{c:?} is not allowed in a value"));
        }
        match self.setting {
            Some(spec) => spec.judge(value).map_err(|why| {
                if self.secret {
                    format!("the value is not valid: expected {why}")
                } else {
                    format!("{value:?} is not valid: expected {why}")
                }
            }),
            None => crate::image_keys::check(self.name, value),
        }
    }
}

/// Every known key: the daemons' settings, then the image keys.
pub fn all() -> impl Iterator<Item = Key> {
    settings::all()
        .map(|spec| Key {
            name: spec.env,
            kind: Kind::SystemStats,
            secret: spec.secret,
            setting: Some(spec),
        })
        .chain(
            crate::image_keys::IMAGE_KEYS
                .iter()
                .map(|&(name, secret)| Key {
                    name,
                    kind: Kind::Image,
                    secret,
                    setting: None,
                }),
        )
}

/// The known key of that exact name.
pub fn lookup(name: &str) -> Option<Key> {
    all().find(|k| k.name == name)
}

/// Keys whose non-empty value gives the forwarder somewhere to send samples
/// (a monitoring server, Prometheus, Home Assistant's broker, alert receivers).
pub const DESTINATIONS: &[&str] = &[
    settings::forwarder::METRICS_URL.env,
    settings::forwarder::REMOTE_WRITE_URL.env,
    settings::forwarder::MQTT_URL.env,
    settings::forwarder::ALERT_URLS.env,
];

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
            ("SYSTEM_STATS_PORT", "0"),
            ("SYSTEM_STATS_LOG_LEVEL", "off"),
            ("SYSTEM_STATS_HOST", "localhost"),
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
            ("SYSTEM_STATS_PORT", "65536", "port number"),
            ("SYSTEM_STATS_PORT", "http", "port number"),
            ("SYSTEM_STATS_HOST", "example", "IP address"),
            ("SYSTEM_STATS_LOG_LEVEL", "loud", "one of"),
            ("SYSTEM_STATS_LOG_FORMAT", "xml", "one of"),
            ("SYSTEM_STATS_DISK_PATH", "data", "absolute path"),
            (
                "MONITORING_SERVER_METRICS_URL",
                "ftp://x",
                "http:// or https://",
            ),
            (
                "MONITORING_SERVER_METRICS_URL",
                "http://x:99999/m",
                "https:// URL",
            ),
            ("SYSTEM_STATS_FORWARD_INTERVAL", "-1", "seconds > 0"),
            ("SYSTEM_STATS_FORWARD_INTERVAL", "NaN", "seconds > 0"),
            ("SYSTEM_STATS_SPOOL_MAX_BYTES", "100", ">= 4096"),
            ("SYSTEM_STATS_FORWARD_TOKEN", "a b", "without spaces"),
            ("SYSTEM_STATS_REMOTE_WRITE_LABELS", "novalue", "k=v"),
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
