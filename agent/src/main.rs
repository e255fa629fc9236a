//! `system-stats-service`: the shared daemon skeleton (parse → log → run →
//! exit code) around [`app::run`](system_stats_agent::app::run).

use std::process::ExitCode;
use system_stats_agent::{app, config};
use system_stats_common::daemon::{self, Fatal, Threads};

fn main() -> ExitCode {
    let parsed = config::from_command_line(std::env::args_os().skip(1), |k| std::env::var(k).ok());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    daemon::main(
        config::PROGRAM,
        parsed,
        |config| config.log,
        // collections are coalesced (one at a time) and kernel calls that can
        // hang run on the guard's own threads: a few blocking threads do
        Threads::Workers {
            workers,
            blocking: 4,
        },
        |config| async move { app::run(config).await.map_err(|e| Fatal::Failed(e.0)) },
    )
}
