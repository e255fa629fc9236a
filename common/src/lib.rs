//! Daemon plumbing shared by the agent and the forwarder: the command line and
//! environment settings layer, log levels, logging setup (journald or text) and
//! systemd readiness/watchdog notifications.

pub mod cli;
pub mod log_level;
pub mod logging;
pub mod notify;
pub mod setting;

pub use cli::{parse_command_line, Command, SettingSpec};
pub use log_level::parse_log_level;
pub use logging::{init_logging, LogFormat};
pub use setting::{RawSettings, SettingError};
