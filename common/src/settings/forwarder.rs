//! The forwarder's (`system-stats-forwarder`) settings, in its `--help` order.

use super::validators as v;
use super::{catalogue, SettingSpec, FORWARDER_BASE};

const FILE: SettingSpec = SettingSpec {
    expected: "an absolute path (starting with /)",
    check: |x| v::absolute_path(x).map(drop),
    ..FORWARDER_BASE
};
const TOKEN: SettingSpec = SettingSpec {
    expected: "a token of visible ASCII characters without spaces",
    secret: true,
    check: |x| v::token(x).map(drop),
    ..FORWARDER_BASE
};
const PASSWORD: SettingSpec = SettingSpec {
    expected: "a password without control characters",
    secret: true,
    check: |x| v::password(x).map(drop),
    ..FORWARDER_BASE
};
const USER: SettingSpec = SettingSpec {
    expected: "a user name without spaces or ':'",
    check: |x| v::user_name(x).map(drop),
    ..FORWARDER_BASE
};
const SECONDS: SettingSpec = SettingSpec {
    expected: "a number of seconds > 0 and at most 86400",
    check: |x| v::seconds(x).map(drop),
    ..FORWARDER_BASE
};

catalogue! {
    /// The forwarder's settings, in its `--help` order.
    ALL;
    SOURCE_URL = SettingSpec {
        env: "SYSTEM_STATS_URL",
        flag: "source-url",
        default: Some("http://127.0.0.1:5001/system"),
        help: "the agent's snapshot URL to poll",
        expected: v::URL_EXPECTED,
        check: |x| v::http_url(x).map(drop),
        ..FORWARDER_BASE
    };
    METRICS_URL = SettingSpec {
        env: "MONITORING_SERVER_METRICS_URL",
        flag: "metrics-url",
        default: Some("http://127.0.0.1:5050/metrics"),
        help: "monitoring server URL(s) to POST JSON to; comma-separated for several; \
               with remote write set, only those given (empty: none)",
        notes: "The forwarder is installed but not enabled: set this and/or SYSTEM_STATS_REMOTE_WRITE_URL, then systemctl enable --now system-stats-forwarder.",
        expected: "http(s) URLs, comma-separated",
        check: |x| v::url_list(x).map(drop),
        ..FORWARDER_BASE
    };
    INTERVAL = SettingSpec {
        env: "SYSTEM_STATS_FORWARD_INTERVAL",
        flag: "interval",
        default: Some("30"),
        help: "seconds between polls (> 0, fractions allowed)",
        ..SECONDS
    };
    LOG_LEVEL = SettingSpec {
        env: "SYSTEM_STATS_FORWARD_LOG_LEVEL",
        flag: "log-level",
        default: Some("info"),
        help: "trace, debug, info, warning, error, critical or off",
        expected: crate::log_level::LOG_LEVEL_EXPECTED,
        check: |x| v::log_level(x).map(drop),
        ..FORWARDER_BASE
    };
    LOG_FORMAT = super::LOG_FORMAT;
    FORWARD_TOKEN = SettingSpec {
        env: "SYSTEM_STATS_FORWARD_TOKEN",
        flag: "token",
        help: "when set, sent as `Authorization: Bearer <token>`",
        ..TOKEN
    };
    FORWARD_TOKEN_FILE = SettingSpec {
        env: "SYSTEM_STATS_FORWARD_TOKEN_FILE",
        flag: "token-file",
        example: Some("/etc/system-stats/forward-token"),
        help: "file holding SYSTEM_STATS_FORWARD_TOKEN (keeps it out of the environment)",
        ..FILE
    };
    TIMEOUT = SettingSpec {
        env: "SYSTEM_STATS_FORWARD_TIMEOUT",
        flag: "timeout",
        default: Some("10"),
        help: "seconds allowed per HTTP request (> 0; under a systemd watchdog at most \
               (WatchdogSec - 2) / 2)",
        ..SECONDS
    };
    SPOOL_DIR = SettingSpec {
        env: "SYSTEM_STATS_SPOOL_DIR",
        flag: "spool-dir",
        help: "durable queue directory [default: $STATE_DIRECTORY, else \
               $XDG_STATE_HOME/system-stats, else ~/.local/state/system-stats]",
        notes: "Leave it unset under systemd: the hardened unit can write nowhere but its StateDirectory, /var/lib/system-stats-forwarder.",
        example: Some("/var/lib/system-stats-forwarder"),
        ..FILE
    };
    SPOOL_MAX_BYTES = SettingSpec {
        env: "SYSTEM_STATS_SPOOL_MAX_BYTES",
        flag: "spool-max-bytes",
        default: Some("67108864"),
        help: "cap of the queue on disk in bytes (>= 4096); the oldest samples go first",
        expected: "a whole number of bytes >= 4096",
        check: |x| v::spool_bytes(x).map(drop),
        ..FORWARDER_BASE
    };
    CLOCK_WAIT = SettingSpec {
        env: "SYSTEM_STATS_CLOCK_WAIT",
        flag: "clock-wait",
        default: Some("300"),
        help: "seconds samples are held while the system clock is not synchronized (a Pi \
               without a real-time clock before NTP); then they are sent with its time",
        ..SECONDS
    };
    REMOTE_WRITE_URL = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_URL",
        flag: "remote-write-url",
        example: Some("http://prometheus.lan:9090/api/v1/write"),
        help: "Prometheus remote-write URL(s) to push /metrics samples to (e.g. \
               http://prom:9090/api/v1/write); comma-separated; user:pass@ = basic auth",
        notes: "When a remote-write URL is set, MONITORING_SERVER_METRICS_URL posts only to the URLs given explicitly (set it empty for none).",
        expected: "http(s) URLs, comma-separated",
        secret: true,
        check: |x| v::url_list(x).map(drop),
        ..FORWARDER_BASE
    };
    REMOTE_WRITE_LABELS = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_LABELS",
        flag: "remote-write-labels",
        example: Some("site=lab,rack=2"),
        help: "extra labels k=v,k=v for remote write (may override instance and job)",
        expected: "k=v,k=v label pairs",
        check: |x| v::labels(x).map(drop),
        ..FORWARDER_BASE
    };
    REMOTE_WRITE_USERNAME = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_USERNAME",
        flag: "remote-write-username",
        help: "basic auth user for remote write (unless the URL has user info)",
        ..USER
    };
    REMOTE_WRITE_PASSWORD = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_PASSWORD",
        flag: "remote-write-password",
        help: "basic auth password for remote write (never logged)",
        ..PASSWORD
    };
    REMOTE_WRITE_PASSWORD_FILE = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_PASSWORD_FILE",
        flag: "remote-write-password-file",
        help: "file holding SYSTEM_STATS_REMOTE_WRITE_PASSWORD",
        ..FILE
    };
    REMOTE_WRITE_BEARER_TOKEN = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
        flag: "remote-write-bearer-token",
        help: "sent as `Authorization: Bearer <token>` to remote write (not with basic auth)",
        ..TOKEN
    };
    REMOTE_WRITE_BEARER_TOKEN_FILE = SettingSpec {
        env: "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN_FILE",
        flag: "remote-write-bearer-token-file",
        help: "file holding SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
        ..FILE
    };
    METRICS_SOURCE_URL = SettingSpec {
        env: "SYSTEM_STATS_METRICS_SOURCE_URL",
        flag: "metrics-source-url",
        help: "the agent's Prometheus /metrics URL scraped for remote write [default: \
               SYSTEM_STATS_URL with /system replaced by /metrics]",
        expected: v::URL_EXPECTED,
        check: |x| v::http_url(x).map(drop),
        ..FORWARDER_BASE
    };
    SOURCE_TOKEN = SettingSpec {
        env: "SYSTEM_STATS_SOURCE_TOKEN",
        flag: "source-token",
        help: "bearer token sent to the agent (its SYSTEM_STATS_AUTH_TOKEN)",
        ..TOKEN
    };
    SOURCE_TOKEN_FILE = SettingSpec {
        env: "SYSTEM_STATS_SOURCE_TOKEN_FILE",
        flag: "source-token-file",
        help: "file holding SYSTEM_STATS_SOURCE_TOKEN",
        ..FILE
    };
    SOURCE_USERNAME = SettingSpec {
        env: "SYSTEM_STATS_SOURCE_USERNAME",
        flag: "source-username",
        help: "basic-auth user for the agent (a user of its SYSTEM_STATS_BASIC_AUTH_USERS_FILE)",
        ..USER
    };
    SOURCE_PASSWORD = SettingSpec {
        env: "SYSTEM_STATS_SOURCE_PASSWORD",
        flag: "source-password",
        help: "basic-auth password for the agent",
        ..PASSWORD
    };
    SOURCE_PASSWORD_FILE = SettingSpec {
        env: "SYSTEM_STATS_SOURCE_PASSWORD_FILE",
        flag: "source-password-file",
        help: "file holding SYSTEM_STATS_SOURCE_PASSWORD",
        ..FILE
    };
    SOURCE_CA_FILE = SettingSpec {
        env: "SYSTEM_STATS_SOURCE_CA_FILE",
        flag: "source-ca-file",
        example: Some("/etc/system-stats/tls/cert.pem"),
        help: "PEM CA certificate(s) trusted for an https:// agent instead of the system's",
        ..FILE
    };
    MQTT_URL = SettingSpec {
        env: "SYSTEM_STATS_MQTT_URL",
        flag: "mqtt-url",
        example: Some("mqtt://homeassistant@192.168.1.10"),
        help: "MQTT broker for Home Assistant: mqtt://[user[:password]@]host[:port] or mqtts://...",
        notes: "Setting it (or SYSTEM_STATS_ALERT_URLS) on the boot card enables the forwarder at first boot.",
        expected: "mqtt://[user[:password]@]host[:port] or mqtts://...",
        secret: true,
        check: |x| v::mqtt_url(x).map(drop),
        ..FORWARDER_BASE
    };
    MQTT_PASSWORD = SettingSpec {
        env: "SYSTEM_STATS_MQTT_PASSWORD",
        flag: "mqtt-password",
        help: "MQTT password (instead of the one in the URL; never logged)",
        ..PASSWORD
    };
    MQTT_PASSWORD_FILE = SettingSpec {
        env: "SYSTEM_STATS_MQTT_PASSWORD_FILE",
        flag: "mqtt-password-file",
        help: "file holding SYSTEM_STATS_MQTT_PASSWORD",
        ..FILE
    };
    MQTT_CA_FILE = SettingSpec {
        env: "SYSTEM_STATS_MQTT_CA_FILE",
        flag: "mqtt-ca-file",
        help: "PEM CA certificate(s) trusted for mqtts:// [default: the system's roots]",
        ..FILE
    };
    MQTT_DISCOVERY_PREFIX = SettingSpec {
        env: "SYSTEM_STATS_MQTT_DISCOVERY_PREFIX",
        flag: "mqtt-discovery-prefix",
        default: Some("homeassistant"),
        help: "Home Assistant's MQTT discovery prefix",
        expected: "a topic prefix without wildcards (+ #), e.g. homeassistant",
        check: |x| v::topic_prefix(x).map(drop),
        ..FORWARDER_BASE
    };
    ALERT_URLS = SettingSpec {
        env: "SYSTEM_STATS_ALERT_URLS",
        flag: "alert-urls",
        example: Some("ntfy+https://ntfy.sh/pi-kitchen-7f3k2"),
        help: "where alerts go, comma-separated: ntfy+https://host/<topic> (ntfy) or \
               http(s)://... (JSON webhook)",
        expected: v::ALERT_URLS_EXPECTED,
        secret: true,
        check: |x| v::alert_urls(x).map(drop),
        ..FORWARDER_BASE
    };
    ALERT_TOKEN = SettingSpec {
        env: "SYSTEM_STATS_ALERT_TOKEN",
        flag: "alert-token",
        help: "sent to the alert receivers as `Authorization: Bearer <token>` (an ntfy access token)",
        ..TOKEN
    };
    ALERT_TOKEN_FILE = SettingSpec {
        env: "SYSTEM_STATS_ALERT_TOKEN_FILE",
        flag: "alert-token-file",
        help: "file holding SYSTEM_STATS_ALERT_TOKEN",
        ..FILE
    };
    ALERT_TEMP_C = SettingSpec {
        env: "SYSTEM_STATS_ALERT_TEMP_C",
        flag: "alert-temp-c",
        default: Some("80"),
        help: "alert when the temperature reaches this many °C (resolved 5 °C below)",
        expected: "a temperature in °C between 0 and 150",
        check: |x| v::celsius(x).map(drop),
        ..FORWARDER_BASE
    };
    ALERT_DISK_PERCENT = SettingSpec {
        env: "SYSTEM_STATS_ALERT_DISK_PERCENT",
        flag: "alert-disk-percent",
        default: Some("90"),
        help: "alert when the root disk is this full, in % (resolved 2 points below)",
        expected: "a percentage between 1 and 100",
        check: |x| v::disk_percent(x).map(drop),
        ..FORWARDER_BASE
    };
    ALERT_CLOCK_MINUTES = SettingSpec {
        env: "SYSTEM_STATS_ALERT_CLOCK_MINUTES",
        flag: "alert-clock-minutes",
        default: Some("15"),
        help: "alert when the clock has been unsynchronized this many minutes",
        expected: "a whole number of minutes between 1 and 10080",
        check: |x| v::alert_minutes(x).map(drop),
        ..FORWARDER_BASE
    };
    ALERT_UNREACHABLE_POLLS = SettingSpec {
        env: "SYSTEM_STATS_ALERT_UNREACHABLE_POLLS",
        flag: "alert-unreachable-polls",
        default: Some("3"),
        help: "alert when this many polls in a row cannot reach the agent",
        expected: "a whole number of polls between 1 and 1000",
        check: |x| v::poll_count(x).map(drop),
        ..FORWARDER_BASE
    };
    ALERT_STATUS_FILE = SettingSpec {
        env: "SYSTEM_STATS_ALERT_STATUS_FILE",
        flag: "alert-status-file",
        help: "where the forwarder writes where alerts go and the last few sent (read by the \
               agent's /alerts) [default: $RUNTIME_DIRECTORY/alerts.json, else <spool dir>/alerts.json]",
        notes: "The agent reads the same file (its setting of the same name, default /run/system-stats-forwarder/alerts.json).",
        example: Some("/run/system-stats-forwarder/alerts.json"),
        ..FILE
    };
}
