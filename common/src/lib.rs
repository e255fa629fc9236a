//! Daemon plumbing shared by the agent and the forwarder: the `main`
//! skeleton and its exit codes, the command line and environment settings
//! layer, log levels and logging setup (journald or text), secrets,
//! systemd readiness/watchdog notifications, the kernel's clock state
//! (`timex`), the Prometheus text parser (`exposition`), and the atomic
//! replacement of a file (`fsutil`).

pub mod cli;
pub mod daemon;
pub mod exposition;
pub mod fsutil;
pub mod log_format;
pub mod log_level;
pub mod logging;
pub mod notify;
pub mod secret;
pub mod secret_source;
pub mod setting;
pub mod settings;
pub mod timex;

pub use cli::parse_command_line;
pub use daemon::{Fatal, Invocation, Threads};
pub use log_level::parse_log_level;
pub use logging::{init_logging, LogFormat, LogSettings};
pub use secret::Secret;
pub use secret_source::{read_secret_files, SecretSetting};
pub use setting::{RawSettings, Setting, SettingError, SettingSpec};
