//! The agent's configuration: its settings (declared once in common's
//! catalogue, `system_stats_common::settings::agent`) parsed and validated
//! once into a typed `Config`.

pub use crate::history::HistoryConfig;
use crate::platform::Sources;
use crate::server::security_settings::{self as security, Security};
use std::ffi::OsString;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use system_stats_common::logging::log_level;
use system_stats_common::settings::{agent, validators as v};
use system_stats_common::{
    parse_command_line, Fatal, Invocation, LogSettings, RawSettings, Setting, SettingError,
    SettingSpec,
};
use tracing_subscriber::filter::LevelFilter;

pub const PROGRAM: &str = "system-stats-service";

pub const HOST: Setting<IpAddr> = Setting::new(agent::HOST, v::ip_host);
pub const PORT: Setting<u16> = Setting::new(agent::PORT, v::port);
pub const LOG_LEVEL: Setting<LevelFilter> = log_level(agent::LOG_LEVEL);
pub const DISK_PATH: Setting<PathBuf> = Setting::new(agent::DISK_PATH, existing_dir);
pub const PROCFS: Setting<PathBuf> = Setting::new(agent::PROCFS, procfs_root);
pub const SYSFS: Setting<PathBuf> = Setting::new(agent::SYSFS, sysfs_root);
pub const TEXTFILE_DIR: Setting<PathBuf> = Setting::new(agent::TEXTFILE_DIR, existing_dir);
pub const HISTORY: Setting<bool> = Setting::new(agent::HISTORY, v::on_off);
pub const HISTORY_DIR: Setting<PathBuf> = Setting::new(agent::HISTORY_DIR, existing_dir);
pub const BOOTCONF_RESULT_FILE: Setting<PathBuf> =
    Setting::new(agent::BOOTCONF_RESULT_FILE, v::absolute_path);

pub const ALERT_STATUS_FILE: Setting<PathBuf> =
    Setting::new(agent::ALERT_STATUS_FILE, v::absolute_path);
pub const ROLLBACK_FILE: Setting<PathBuf> = Setting::new(agent::ROLLBACK_FILE, v::absolute_path);

/// The command-line table: the catalogue's list of the agent's settings.
pub const SETTINGS: &[SettingSpec] = agent::ALL;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub log: LogSettings,
    /// TLS and authentication (both off unless configured).
    pub security: Security,
    pub sources: Sources,
    pub history: HistoryConfig,
    /// The forwarder's alerts status file, served at `/alerts`.
    pub alerts_status: PathBuf,
    /// system-stats-bootconf's last result, for the status page's banner.
    pub bootconf_result: PathBuf,
    /// The upgrade guard's rollbacks.jsonl (read when it exists).
    pub rollback_file: PathBuf,
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
    let about = "Serves this host's metrics: a status page (/), JSON (/system, /history, /events), Prometheus (/metrics), /health";
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
        raw.judge_all(SETTINGS)?;
        validate(&raw, state_dir, credentials).map_err(Fatal::from)
    })
}

fn existing_dir(value: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(value);
    if p.is_dir() {
        Ok(p)
    } else {
        Err("an existing directory".into())
    }
}

/// Linux reads procfs: its root must hold a `stat` file.
#[cfg(target_os = "linux")]
fn procfs_root(value: &str) -> Result<PathBuf, String> {
    existing_dir(value)
        .ok()
        .filter(|p| p.join("stat").is_file())
        .ok_or_else(|| "a procfs root containing a `stat` file".into())
}

#[cfg(target_os = "linux")]
fn sysfs_root(value: &str) -> Result<PathBuf, String> {
    existing_dir(value)
}

/// Other systems have no procfs/sysfs: the settings are accepted and unused.
#[cfg(not(target_os = "linux"))]
fn procfs_root(value: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(value))
}

#[cfg(not(target_os = "linux"))]
fn sysfs_root(value: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(value))
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
        alerts_status: ALERT_STATUS_FILE.get(raw)?,
        bootconf_result: BOOTCONF_RESULT_FILE.get(raw)?,
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
