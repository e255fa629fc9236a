//! The agent's (`system-stats-service`) settings, in its `--help` order.

use super::validators as v;
use super::{catalogue, SettingSpec, AGENT_BASE};

catalogue! {
    /// The agent's settings, in its `--help` order.
    ALL;
    HOST = SettingSpec {
        env: "SYSTEM_STATS_HOST",
        flag: "host",
        default: Some("0.0.0.0"),
        help: "address to listen on (IPv4 or IPv6, e.g. :: for all)",
        expected: "an IP address such as 0.0.0.0, 127.0.0.1 or ::",
        check: |x| v::ip_host(x).map(drop),
        ..AGENT_BASE
    };
    PORT = SettingSpec {
        env: "SYSTEM_STATS_PORT",
        flag: "port",
        default: Some("5001"),
        help: "TCP port (0 picks a free one)",
        expected: "a port number from 0 to 65535",
        check: |x| v::port(x).map(drop),
        ..AGENT_BASE
    };
    LOG_LEVEL = SettingSpec {
        env: "SYSTEM_STATS_LOG_LEVEL",
        flag: "log-level",
        default: Some("info"),
        help: "trace, debug, info, warning, error, critical or off",
        expected: crate::log_level::LOG_LEVEL_EXPECTED,
        check: |x| v::log_level(x).map(drop),
        ..AGENT_BASE
    };
    LOG_FORMAT = super::LOG_FORMAT;
    DISK_PATH = SettingSpec {
        env: "SYSTEM_STATS_DISK_PATH",
        flag: "disk-path",
        default: Some("/"),
        help: "path whose filesystem usage is reported under `disk`",
        notes: "The unit runs with ProtectHome=yes, which hides /home, /root and /run/user from the service; to report a path below those, add a drop-in (systemctl edit system-stats) with ProtectHome=read-only under [Service].",
        expected: "an existing directory",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    PROCFS = SettingSpec {
        env: "SYSTEM_STATS_PROCFS",
        flag: "procfs",
        default: Some("/proc"),
        help: "procfs root (a host's /proc mounted in a container, or a captured tree)",
        expected: "a procfs root containing a `stat` file",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    SYSFS = SettingSpec {
        env: "SYSTEM_STATS_SYSFS",
        flag: "sysfs",
        default: Some("/sys"),
        help: "sysfs root, same purpose",
        expected: "an existing sysfs directory",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    TLS_CERT_FILE = SettingSpec {
        env: "SYSTEM_STATS_TLS_CERT_FILE",
        flag: "tls-cert-file",
        example: Some("/etc/system-stats/tls/cert.pem"),
        help: "PEM certificate chain: serve HTTPS (with SYSTEM_STATS_TLS_KEY_FILE; reloaded on SIGHUP)",
        notes: "Both or neither of the certificate and the key. `systemctl reload system-stats` (SIGHUP) reads them again after a renewal. The service runs as a transient user: the files must be readable by it, e.g. the key as a credential (drop-in LoadCredential=tls-key:/etc/system-stats/tls/key.pem, then SYSTEM_STATS_TLS_KEY_FILE=/run/credentials/system-stats.service/tls-key).",
        expected: "a PEM certificate file",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    TLS_KEY_FILE = SettingSpec {
        env: "SYSTEM_STATS_TLS_KEY_FILE",
        flag: "tls-key-file",
        example: Some("/etc/system-stats/tls/key.pem"),
        help: "PEM private key of SYSTEM_STATS_TLS_CERT_FILE",
        expected: "a PEM private key file",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    BASIC_AUTH_USERS_FILE = SettingSpec {
        env: "SYSTEM_STATS_BASIC_AUTH_USERS_FILE",
        flag: "basic-auth-users-file",
        example: Some("/etc/system-stats/users"),
        help: "htpasswd file of bcrypt users (htpasswd -B): requests need basic auth",
        notes: "Create it with htpasswd -B -c FILE USER (package apache2-utils). `systemctl reload system-stats` reads it again.",
        expected: "an htpasswd file of bcrypt lines",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    AUTH_TOKEN = SettingSpec {
        env: "SYSTEM_STATS_AUTH_TOKEN",
        flag: "auth-token",
        help: "bearer token requests may carry instead (prefer SYSTEM_STATS_AUTH_TOKEN_FILE)",
        expected: "a token of visible ASCII characters without spaces",
        secret: true,
        check: |x| v::token(x).map(drop),
        ..AGENT_BASE
    };
    AUTH_TOKEN_FILE = SettingSpec {
        env: "SYSTEM_STATS_AUTH_TOKEN_FILE",
        flag: "auth-token-file",
        example: Some("/etc/system-stats/token"),
        help: "file holding SYSTEM_STATS_AUTH_TOKEN (or the systemd credential of that name)",
        expected: "a readable file",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    AUTH_EXEMPT = SettingSpec {
        env: "SYSTEM_STATS_AUTH_EXEMPT",
        flag: "auth-exempt",
        default: Some("/health"),
        help: "comma-separated paths served without authentication (empty: none)",
        expected: "a comma-separated list of paths such as /health",
        check: |x| v::path_list(x).map(drop),
        ..AGENT_BASE
    };
    AUTH_FAILURE_LIMIT = SettingSpec {
        env: "SYSTEM_STATS_AUTH_FAILURE_LIMIT",
        flag: "auth-failure-limit",
        default: Some("10"),
        help: "failed authentications per minute from one address before it gets 429 for a minute",
        expected: "a number from 1 to 100000",
        check: |x| v::failure_limit(x).map(drop),
        ..AGENT_BASE
    };
    TEXTFILE_DIR = SettingSpec {
        env: "SYSTEM_STATS_TEXTFILE_DIR",
        flag: "textfile-dir",
        example: Some("/var/lib/system-stats/textfile"),
        help: "directory of *.prom files merged into /metrics (node_exporter's textfile collector; unset: off)",
        notes: "Create it first (mkdir -p) and keep it and its files world-readable: the service runs as a transient user.",
        expected: "an existing directory",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    HISTORY = SettingSpec {
        env: "SYSTEM_STATS_HISTORY",
        flag: "history",
        default: Some("on"),
        help: "keep the last 24 h of the key figures for /history and the status page's charts (on|off)",
        expected: "on or off",
        check: |x| v::on_off(x).map(drop),
        ..AGENT_BASE
    };
    HISTORY_DIR = SettingSpec {
        env: "SYSTEM_STATS_HISTORY_DIR",
        flag: "history-dir",
        example: Some("/var/lib/system-stats"),
        help: "directory where the history survives restarts (unset: systemd's $STATE_DIRECTORY, else memory only)",
        expected: "an existing directory",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    BOOTCONF_RESULT_FILE = SettingSpec {
        env: "SYSTEM_STATS_BOOTCONF_RESULT_FILE",
        flag: "bootconf-result-file",
        default: Some("/var/lib/system-stats-bootconf/result.json"),
        help: "what system-stats-bootconf last applied from the boot partition's system-stats.conf: the status page shows a banner when it ignored something (a missing file: no banner)",
        expected: "an absolute path (starting with /)",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    ALERT_STATUS_FILE = SettingSpec {
        env: "SYSTEM_STATS_ALERT_STATUS_FILE",
        flag: "alert-status-file",
        default: Some("/run/system-stats-forwarder/alerts.json"),
        help: "the forwarder's alerts status file (the forwarder's setting of the same name), served at /alerts",
        expected: "an absolute path (starting with /)",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
    ROLLBACK_FILE = SettingSpec {
        env: "SYSTEM_STATS_ROLLBACK_FILE",
        flag: "rollback-file",
        default: Some("/var/lib/system-stats-image/rollbacks.jsonl"),
        help: "the image's upgrade guard's record of rolled-back upgrades, shown as upgrade_rolled_back events (a missing file: none)",
        expected: "an absolute path (starting with /)",
        check: |x| v::absolute_path(x).map(drop),
        ..AGENT_BASE
    };
}
