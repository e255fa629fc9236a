//! The skeleton both binaries' `main` share: parse the configuration once
//! (or print `--help`/`--version`), set up logging, run on a tokio runtime,
//! and turn the outcome into one of the documented exit codes:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | stopped cleanly (SIGTERM/SIGINT), or help/version printed |
//! | 1 | could not run: e.g. the port is in use, no async runtime |
//! | 2 | a configuration error: a bad setting or command line |
//! | 3 | busy: another instance holds what this one needs (the forwarder's spool) |
//!
//! Every fatal error is one line on stderr, `<program>: <what went wrong>`.

use crate::logging::{init_logging, LogSettings};
use crate::setting::SettingError;
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

/// What the command line asks for: run with a configuration, or print a
/// text (help, version) and exit 0.
#[derive(Debug)]
pub enum Invocation<T> {
    Run(T),
    Print(String),
    /// `--check-config`: the configuration was valid; report and exit 0.
    Check(T),
}

impl<T> Invocation<T> {
    /// Turn the configuration to run with into another.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Invocation<U>, E> {
        match self {
            Invocation::Run(t) => f(t).map(Invocation::Run),
            Invocation::Print(text) => Ok(Invocation::Print(text)),
            Invocation::Check(t) => f(t).map(Invocation::Check),
        }
    }
}

/// Why a daemon stops with an error; each kind has its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    /// A setting is wrong (exit 2).
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// The command line cannot be parsed (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Another instance holds what this one needs (exit 3).
    #[error("{0}")]
    Busy(String),
    /// Could not run (exit 1).
    #[error("{0}")]
    Failed(String),
}

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_CONFIG: u8 = 2;
pub const EXIT_BUSY: u8 = 3;

impl Fatal {
    pub fn exit_code(&self) -> u8 {
        match self {
            Fatal::Setting(_) | Fatal::Usage(_) => EXIT_CONFIG,
            Fatal::Busy(_) => EXIT_BUSY,
            Fatal::Failed(_) => EXIT_FAILED,
        }
    }
}

/// How many threads run the async tasks.
#[derive(Debug, Clone, Copy)]
pub enum Threads {
    /// Everything on the main thread (nothing blocks it).
    One,
    /// A pool of `workers` threads, and at most `blocking` threads for
    /// blocking calls (tokio's default of 512 would let stalled kernel calls
    /// pile up threads and memory).
    Workers { workers: usize, blocking: usize },
}

/// After `run` returns, how long tasks still blocked (e.g. in a kernel call
/// on a dead mount) may delay the exit.
const SHUTDOWN_WAIT: Duration = Duration::from_millis(500);

/// The whole of a daemon's `main`: `parsed` is the configuration (or what
/// to print), `log` picks its log settings, `run` is the daemon itself.
pub fn main<C, F>(
    program: &str,
    parsed: Result<Invocation<C>, Fatal>,
    log: impl FnOnce(&C) -> LogSettings,
    threads: Threads,
    run: impl FnOnce(C) -> F,
) -> ExitCode
where
    F: Future<Output = Result<(), Fatal>>,
{
    let config = match parsed {
        Ok(Invocation::Run(config)) => config,
        Ok(Invocation::Print(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Check(_)) => {
            println!("{program}: the configuration is valid");
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(program, &e),
    };
    let settings = log(&config);
    init_logging(settings.level, settings.format, program);
    let runtime = match threads {
        Threads::One => tokio::runtime::Builder::new_current_thread(),
        Threads::Workers { workers, blocking } => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder
                .worker_threads(workers.max(1))
                .max_blocking_threads(blocking.max(1));
            builder
        }
    }
    .enable_all()
    .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            return fail(
                program,
                &Fatal::Failed(format!("cannot start the async runtime: {e}")),
            )
        }
    };
    let outcome = runtime.block_on(run(config));
    runtime.shutdown_timeout(SHUTDOWN_WAIT);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(program, &e),
    }
}

fn fail(program: &str, error: &Fatal) -> ExitCode {
    eprintln!("{program}: {error}");
    ExitCode::from(error.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_exit_code() {
        let setting = SettingError {
            name: "X".into(),
            value: "y".into(),
            expected: "z".into(),
        };
        assert_eq!(Fatal::from(setting).exit_code(), 2);
        assert_eq!(Fatal::Usage("u".into()).exit_code(), 2);
        assert_eq!(Fatal::Busy("b".into()).exit_code(), 3);
        assert_eq!(Fatal::Failed("f".into()).exit_code(), 1);
    }

    #[test]
    fn print_passes_through_a_mapping() {
        let p: Invocation<u8> = Invocation::Print("help".into());
        assert!(matches!(
            p.try_map(|_| Err::<u16, ()>(())),
            Ok(Invocation::Print(t)) if t == "help"
        ));
        let r: Invocation<u8> = Invocation::Run(7);
        assert!(matches!(
            r.try_map(|n| Ok::<_, ()>(u16::from(n) * 2)),
            Ok(Invocation::Run(14))
        ));
    }
}
