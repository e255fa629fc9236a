//! `system-stats-service`: parse the configuration once, set up logging, run.

use std::process::ExitCode;
use system_stats_agent::config::{self, Invocation, PROGRAM};
use system_stats_common::init_logging;

fn main() -> ExitCode {
    let config =
        match config::from_command_line(std::env::args_os().skip(1), |k| std::env::var(k).ok()) {
            Ok(Invocation::Run(config)) => config,
            Ok(Invocation::Print(text)) => {
                println!("{text}");
                return ExitCode::SUCCESS;
            }
            Err(message) => {
                eprintln!("{PROGRAM}: {message}");
                return ExitCode::from(2);
            }
        };
    init_logging(config.log_level, config.log_format, PROGRAM);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get().min(4)))
        // collections are coalesced (one at a time) and kernel calls that
        // can hang run on the guard's own threads: a few blocking threads do
        .max_blocking_threads(4)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{PROGRAM}: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(system_stats_agent::app::run(config));
    // do not wait for a collection blocked in the kernel (e.g. statvfs of a dead NFS mount)
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{PROGRAM}: {}", e.0);
            ExitCode::FAILURE
        }
    }
}
