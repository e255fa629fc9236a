//! `system-stats-bootconf`: applies `/boot/firmware/system-stats.conf` to
//! `/etc/default/system-stats` and `/etc/credstore` (run once at boot by system-stats-bootconf.service),
//! or with `--check` only validates a file (used when baking one into an image).

use std::path::PathBuf;
use std::process::ExitCode;

use system_stats_bootconf::apply::{self, Paths};

const USAGE: &str =
    "usage: system-stats-bootconf [--conf FILE] [--default-file FILE] [--credstore DIR] [--no-systemctl] [--check]";

fn main() -> ExitCode {
    match parse_args() {
        Ok((paths, true)) => check(&paths.conf),
        Ok((paths, false)) => match apply::run(&paths) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("<3>system-stats-bootconf: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("system-stats-bootconf: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn check(conf: &std::path::Path) -> ExitCode {
    let text = match std::fs::read(conf) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            eprintln!("system-stats-bootconf: cannot read {}: {e}", conf.display());
            return ExitCode::FAILURE;
        }
    };
    let plan = apply::plan(&text);
    for p in &plan.problems {
        eprintln!("{}: {p}", conf.display());
    }
    if plan.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn parse_args() -> Result<(Paths, bool), lexopt::Error> {
    use lexopt::prelude::*;
    let mut paths = Paths {
        conf: PathBuf::from("/boot/firmware/system-stats.conf"),
        default_file: PathBuf::from("/etc/default/system-stats"),
        credstore: PathBuf::from("/etc/credstore"),
        systemctl: Some(PathBuf::from("systemctl")),
    };
    let mut check_only = false;
    let mut p = lexopt::Parser::from_env();
    while let Some(arg) = p.next()? {
        match arg {
            Long("conf") => paths.conf = p.value()?.into(),
            Long("default-file") => paths.default_file = p.value()?.into(),
            Long("credstore") => paths.credstore = p.value()?.into(),
            Long("systemctl") => paths.systemctl = Some(p.value()?.into()),
            Long("no-systemctl") => paths.systemctl = None,
            Long("check") => check_only = true,
            Long("help") | Short('h') => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok((paths, check_only))
}
