//! The agent's configuration: every setting declared once (variable, flag,
//! default, parser), validated once into a typed `Config`.

use crate::platform::Sources;
use crate::security_settings::{self as security, Security};
use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use system_stats_common::logging::{log_level, LOG_FORMAT};
use system_stats_common::{
    parse_command_line, Fatal, Invocation, LogSettings, RawSettings, Setting, SettingError,
    SettingSpec,
};
use tracing_subscriber::filter::LevelFilter;

pub const PROGRAM: &str = "system-stats-service";

pub const HOST: Setting<IpAddr> = Setting {
    env: "SYSTEM_STATS_HOST",
    flag: "host",
    default: Some("0.0.0.0"),
    help: "address to listen on (IPv4 or IPv6, e.g. :: for all)",
    expected: "an IP address such as 0.0.0.0, 127.0.0.1 or ::",
    parse: parse_host,
};
pub const PORT: Setting<u16> = Setting {
    env: "SYSTEM_STATS_PORT",
    flag: "port",
    default: Some("5001"),
    help: "TCP port (0 picks a free one)",
    expected: "a port number from 0 to 65535",
    parse: |v| v.parse().ok(),
};
pub const LOG_LEVEL: Setting<LevelFilter> = log_level("SYSTEM_STATS_LOG_LEVEL");
pub const DISK_PATH: Setting<PathBuf> = Setting {
    env: "SYSTEM_STATS_DISK_PATH",
    flag: "disk-path",
    default: Some("/"),
    help: "path whose filesystem usage is reported under `disk`",
    expected: "an existing directory",
    parse: existing_dir,
};
pub const PROCFS: Setting<PathBuf> = Setting {
    env: "SYSTEM_STATS_PROCFS",
    flag: "procfs",
    default: Some("/proc"),
    help: "procfs root (a host's /proc mounted in a container, or a captured tree)",
    expected: "a procfs root containing a `stat` file",
    parse: procfs_root,
};
pub const SYSFS: Setting<PathBuf> = Setting {
    env: "SYSTEM_STATS_SYSFS",
    flag: "sysfs",
    default: Some("/sys"),
    help: "sysfs root, same purpose",
    expected: "an existing sysfs directory",
    parse: sysfs_root,
};

pub const TEXTFILE_DIR: Setting<PathBuf> = Setting {
    env: "SYSTEM_STATS_TEXTFILE_DIR",
    flag: "textfile-dir",
    default: None,
    help: "directory of *.prom files merged into /metrics (node_exporter's textfile collector; unset: off)",
    expected: "an existing directory",
    parse: existing_dir,
};

pub const HISTORY: Setting<bool> = Setting {
    env: "SYSTEM_STATS_HISTORY",
    flag: "history",
    default: Some("on"),
    help:
        "keep the last 24 h of the key figures for /history and the status page's charts (on|off)",
    expected: "on or off",
    parse: on_off,
};

pub const HISTORY_DIR: Setting<PathBuf> = Setting {
    env: "SYSTEM_STATS_HISTORY_DIR",
    flag: "history-dir",
    default: None,
    help: "directory where the history survives restarts (unset: systemd's $STATE_DIRECTORY, else memory only)",
    expected: "an existing directory",
    parse: existing_dir,
};

pub const ROLLBACK_FILE: Setting<PathBuf> = Setting {
    env: "SYSTEM_STATS_ROLLBACK_FILE",
    flag: "rollback-file",
    default: Some("/var/lib/system-stats-image/rollbacks.jsonl"),
    help: "the image's upgrade guard's record of rolled-back upgrades, shown as upgrade_rolled_back events (a missing file: none)",
    expected: "a file path",
    parse: |v| (!v.is_empty()).then(|| PathBuf::from(v)),
};

pub const SETTINGS: &[SettingSpec] = &[
    HOST.spec(),
    PORT.spec(),
    LOG_LEVEL.spec(),
    LOG_FORMAT.spec(),
    DISK_PATH.spec(),
    PROCFS.spec(),
    SYSFS.spec(),
    security::TLS_CERT_FILE.spec(),
    security::TLS_KEY_FILE.spec(),
    security::BASIC_AUTH_USERS_FILE.spec(),
    security::AUTH_TOKEN.spec(),
    security::AUTH_TOKEN_FILE.spec(),
    security::AUTH_EXEMPT.spec(),
    security::AUTH_FAILURE_LIMIT.spec(),
    TEXTFILE_DIR.spec(),
    HISTORY.spec(),
    HISTORY_DIR.spec(),
    ROLLBACK_FILE.spec(),
];

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub log: LogSettings,
    /// TLS and authentication (both off unless configured).
    pub security: Security,
    pub sources: Sources,
    pub history: HistoryConfig,
    /// The upgrade guard's rollbacks.jsonl (read when it exists).
    pub rollback_file: PathBuf,
}

/// The history: off, or on and kept in `dir` (None: memory only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    pub enabled: bool,
    pub dir: Option<PathBuf>,
}

/// Parse the command line and environment once. A bad value is a one-line
/// error naming the variable (exit code 2).
pub fn from_command_line<I, E>(args: I, env: E) -> Result<Invocation<Config>, Fatal>
where
    I: IntoIterator<Item = OsString>,
    E: Fn(&str) -> Option<String>,
{
    // secrets may come from systemd credentials (the token)
    let credentials = env("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty());
    let about = "Serves this host's metrics as JSON: GET /system, GET /health";
    // systemd's StateDirectory= (the first, when several are listed)
    let state_dir = env("STATE_DIRECTORY")
        .and_then(|v| v.split(':').next().map(PathBuf::from))
        .filter(|p| !p.as_os_str().is_empty());
    parse_command_line(
        PROGRAM,
        env!("CARGO_PKG_VERSION"),
        about,
        SETTINGS,
        args,
        env,
    )
    .map_err(Fatal::Usage)?
    .try_map(|mut raw| {
        let credentials = credentials.as_deref().map(std::path::Path::new);
        system_stats_common::read_secret_files(&mut raw, security::SECRETS, credentials)?;
        validate(&raw, state_dir, credentials).map_err(Fatal::from)
    })
}

fn parse_host(value: &str) -> Option<IpAddr> {
    if value.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    value.trim_matches(|c| c == '[' || c == ']').parse().ok()
}

fn on_off(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn existing_dir(value: &str) -> Option<PathBuf> {
    let p = PathBuf::from(value);
    p.is_dir().then_some(p)
}

/// Linux reads procfs: its root must hold a `stat` file.
#[cfg(target_os = "linux")]
fn procfs_root(value: &str) -> Option<PathBuf> {
    existing_dir(value).filter(|p| p.join("stat").is_file())
}

#[cfg(target_os = "linux")]
fn sysfs_root(value: &str) -> Option<PathBuf> {
    existing_dir(value)
}

/// Other systems have no procfs/sysfs: the settings are accepted and unused.
#[cfg(not(target_os = "linux"))]
fn procfs_root(value: &str) -> Option<PathBuf> {
    Some(PathBuf::from(value))
}

#[cfg(not(target_os = "linux"))]
fn sysfs_root(value: &str) -> Option<PathBuf> {
    Some(PathBuf::from(value))
}

fn validate(
    raw: &RawSettings,
    state_dir: Option<PathBuf>,
    credentials: Option<&std::path::Path>,
) -> Result<Config, SettingError> {
    let enabled = HISTORY.get(raw)?;
    let dir = HISTORY_DIR.get_opt(raw)?.or(state_dir);
    Ok(Config {
        listen: SocketAddr::new(HOST.get(raw)?, PORT.get(raw)?),
        log: LogSettings::from_raw(&LOG_LEVEL, raw)?,
        security: security::from_raw(raw, credentials)?,
        sources: Sources {
            procfs: PROCFS.get(raw)?,
            sysfs: SYSFS.get(raw)?,
            disk_path: DISK_PATH.get(raw)?,
            textfile_dir: TEXTFILE_DIR.get_opt(raw)?,
        },
        history: HistoryConfig {
            enabled,
            dir: dir.filter(|_| enabled),
        },
        rollback_file: ROLLBACK_FILE.get(raw)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(env: &[(&str, &str)]) -> Result<Invocation<Config>, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_command_line(Vec::<OsString>::new(), move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_match_the_seed() {
        let Ok(Invocation::Run(c)) = run(&[]) else {
            panic!("defaults must be valid")
        };
        assert_eq!(c.listen, "0.0.0.0:5001".parse().unwrap());
        assert_eq!(c.log.level, LevelFilter::INFO);
        assert_eq!(c.sources.procfs, PathBuf::from("/proc"));
        assert_eq!(c.sources.textfile_dir, None);
        assert_eq!(
            c.history,
            HistoryConfig {
                enabled: true,
                dir: None
            }
        );
    }

    #[test]
    fn history_dir_defaults_to_systemds_state_directory() {
        let Ok(Invocation::Run(c)) = run(&[("STATE_DIRECTORY", "/tmp:/other")]) else {
            panic!("valid")
        };
        assert_eq!(c.history.dir, Some(PathBuf::from("/tmp")));
        let Ok(Invocation::Run(c)) = run(&[
            ("STATE_DIRECTORY", "/tmp"),
            ("SYSTEM_STATS_HISTORY_DIR", "/"),
        ]) else {
            panic!("valid")
        };
        assert_eq!(c.history.dir, Some(PathBuf::from("/")));
        let Ok(Invocation::Run(c)) =
            run(&[("STATE_DIRECTORY", "/tmp"), ("SYSTEM_STATS_HISTORY", "off")])
        else {
            panic!("valid")
        };
        assert_eq!(
            c.history,
            HistoryConfig {
                enabled: false,
                dir: None
            }
        );
    }

    #[test]
    fn ipv6_host_and_python_level_names() {
        let Ok(Invocation::Run(c)) = run(&[
            ("SYSTEM_STATS_HOST", "::"),
            ("SYSTEM_STATS_LOG_LEVEL", "WARNING"),
        ]) else {
            panic!("valid")
        };
        assert_eq!(c.listen, "[::]:5001".parse().unwrap());
        assert_eq!(c.log.level, LevelFilter::WARN);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        for (var, value) in [
            ("SYSTEM_STATS_PORT", "abc"),
            ("SYSTEM_STATS_PORT", "70000"),
            ("SYSTEM_STATS_HOST", "not-an-ip"),
            ("SYSTEM_STATS_LOG_LEVEL", "loud"),
            ("SYSTEM_STATS_LOG_FORMAT", "xml"),
            ("SYSTEM_STATS_DISK_PATH", "/no/such/dir"),
            ("SYSTEM_STATS_TEXTFILE_DIR", "/no/such/textfile/dir"),
            ("SYSTEM_STATS_HISTORY", "maybe"),
            ("SYSTEM_STATS_HISTORY_DIR", "/no/such/history/dir"),
            #[cfg(target_os = "linux")]
            ("SYSTEM_STATS_PROCFS", "/tmp"),
            #[cfg(target_os = "linux")]
            ("SYSTEM_STATS_SYSFS", "/no/such/sys"),
        ] {
            let err = run(&[(var, value)]).expect_err(var);
            assert!(err.contains(var) && err.contains(value), "{err}");
            assert!(!err.contains('\n'));
        }
    }
}
