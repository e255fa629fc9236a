//! The agent's configuration: every setting from its flag, environment
//! variable or default, validated once into a typed `Config`.

use crate::platform::Sources;
use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use system_stats_common::log_level::LOG_LEVEL_EXPECTED;
use system_stats_common::{
    parse_command_line, parse_log_level, Command, LogFormat, SettingError, SettingSpec,
};
use tracing_subscriber::filter::LevelFilter;

pub const PROGRAM: &str = "system-stats-service";

pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec {
        env: "SYSTEM_STATS_HOST",
        flag: "host",
        default: Some("0.0.0.0"),
        help: "address to listen on (IPv4 or IPv6, e.g. :: for all)",
    },
    SettingSpec {
        env: "SYSTEM_STATS_PORT",
        flag: "port",
        default: Some("5001"),
        help: "TCP port (0 picks a free one)",
    },
    SettingSpec {
        env: "SYSTEM_STATS_LOG_LEVEL",
        flag: "log-level",
        default: Some("info"),
        help: "trace, debug, info, warning, error or critical",
    },
    SettingSpec {
        env: "SYSTEM_STATS_LOG_FORMAT",
        flag: "log-format",
        default: Some("auto"),
        help: "auto (journald when stderr is the journal), journald or text",
    },
    SettingSpec {
        env: "SYSTEM_STATS_DISK_PATH",
        flag: "disk-path",
        default: Some("/"),
        help: "path whose filesystem usage is reported under `disk`",
    },
    SettingSpec {
        env: "SYSTEM_STATS_PROCFS",
        flag: "procfs",
        default: Some("/proc"),
        help: "procfs root (a host's /proc mounted in a container, or a captured tree)",
    },
    SettingSpec {
        env: "SYSTEM_STATS_SYSFS",
        flag: "sysfs",
        default: Some("/sys"),
        help: "sysfs root, same purpose",
    },
];

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub log_level: LevelFilter,
    pub log_format: LogFormat,
    pub sources: Sources,
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Invocation {
    Run(Config),
    Print(String),
}

/// Any failure here is a one-line message for stderr (exit code 2).
pub fn from_command_line<I, E>(args: I, env: E) -> Result<Invocation, String>
where
    I: IntoIterator<Item = OsString>,
    E: Fn(&str) -> Option<String>,
{
    let about = "Serves this host's metrics as JSON: GET /system, GET /health";
    let raw = match parse_command_line(
        PROGRAM,
        env!("CARGO_PKG_VERSION"),
        about,
        SETTINGS,
        args,
        env,
    )? {
        Command::Run(raw) => raw,
        Command::Help(text) | Command::Version(text) => return Ok(Invocation::Print(text)),
    };
    validate(&raw)
        .map(Invocation::Run)
        .map_err(|e| e.to_string())
}

fn parse_host(value: &str) -> Option<IpAddr> {
    if value.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    value.trim_matches(|c| c == '[' || c == ']').parse().ok()
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

fn validate(raw: &system_stats_common::RawSettings) -> Result<Config, SettingError> {
    let missing = |env: &str| SettingError {
        name: env.to_string(),
        value: String::new(),
        expected: "a value".into(),
    };
    let host = raw
        .parse(
            "SYSTEM_STATS_HOST",
            "an IP address such as 0.0.0.0, 127.0.0.1 or ::",
            parse_host,
        )?
        .ok_or_else(|| missing("SYSTEM_STATS_HOST"))?;
    let port = raw
        .parse("SYSTEM_STATS_PORT", "a port number from 0 to 65535", |v| {
            v.parse::<u16>().ok()
        })?
        .ok_or_else(|| missing("SYSTEM_STATS_PORT"))?;
    let log_level = raw
        .parse(
            "SYSTEM_STATS_LOG_LEVEL",
            LOG_LEVEL_EXPECTED,
            parse_log_level,
        )?
        .unwrap_or(LevelFilter::INFO);
    let log_format = raw
        .parse(
            "SYSTEM_STATS_LOG_FORMAT",
            LogFormat::EXPECTED,
            LogFormat::parse,
        )?
        .unwrap_or(LogFormat::Auto);
    let disk_path = raw
        .parse(
            "SYSTEM_STATS_DISK_PATH",
            "an existing directory",
            existing_dir,
        )?
        .ok_or_else(|| missing("SYSTEM_STATS_DISK_PATH"))?;
    let procfs = raw
        .parse(
            "SYSTEM_STATS_PROCFS",
            "a procfs root containing a `stat` file",
            procfs_root,
        )?
        .ok_or_else(|| missing("SYSTEM_STATS_PROCFS"))?;
    let sysfs = raw
        .parse(
            "SYSTEM_STATS_SYSFS",
            "an existing sysfs directory",
            sysfs_root,
        )?
        .ok_or_else(|| missing("SYSTEM_STATS_SYSFS"))?;
    Ok(Config {
        listen: SocketAddr::new(host, port),
        log_level,
        log_format,
        sources: Sources {
            procfs,
            sysfs,
            disk_path,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(env: &[(&str, &str)]) -> Result<Invocation, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_command_line(Vec::<OsString>::new(), move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_match_the_seed() {
        let Ok(Invocation::Run(c)) = run(&[]) else {
            panic!("defaults must be valid")
        };
        assert_eq!(c.listen, "0.0.0.0:5001".parse().unwrap());
        assert_eq!(c.log_level, LevelFilter::INFO);
        assert_eq!(c.sources.procfs, PathBuf::from("/proc"));
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
        assert_eq!(c.log_level, LevelFilter::WARN);
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
