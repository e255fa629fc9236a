//! `system-stats-forwarder`: the shared daemon skeleton (parse → log → run →
//! exit code) around [`serve`](system_stats_forwarder::serve), on one
//! thread: the spool's disk work has threads of its own.

use std::process::ExitCode;
use system_stats_common::daemon::{self, Threads};
use system_stats_forwarder::config;

fn main() -> ExitCode {
    daemon::main(
        config::PROGRAM,
        config::parse(std::env::args_os().skip(1), |k| std::env::var(k).ok()),
        |config| config.log,
        Threads::One,
        system_stats_forwarder::serve,
    )
}
