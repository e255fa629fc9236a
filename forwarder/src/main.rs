//! Entry point: parse the configuration once, set up logging, open the spool
//! and run the forwarder on a single-threaded runtime.

use std::process::ExitCode;
use system_stats_common::init_logging;
use system_stats_forwarder::config::{self, Parsed, PROGRAM, SPOOL_DIR};

fn main() -> ExitCode {
    let config = match config::parse(std::env::args_os().skip(1), |k| std::env::var(k).ok()) {
        Ok(Parsed::Run(config)) => *config,
        Ok(Parsed::Help(text)) | Ok(Parsed::Version(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_level, config.log_format, PROGRAM);
    let destinations = system_stats_forwarder::destinations(&config);
    let spool = match system_stats_forwarder::open_spool(&config, &destinations) {
        Ok(spool) => spool,
        Err(e) => {
            eprintln!(
                "{PROGRAM}: invalid {SPOOL_DIR}={:?}: expected a usable spool directory ({e})",
                config.spool_dir.display().to_string()
            );
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{PROGRAM}: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(system_stats_forwarder::run(config, spool, destinations)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
