//! `system-stats-bootconf`: applies `/boot/firmware/system-stats.conf` to
//! `/etc/default/system-stats` and `/etc/credstore` (run once at boot by system-stats-bootconf.service),
//! or with `--check` only validates a file (used when baking one into an image;
//! `--root` names the image's root for the time zone), or with `--image-keys`
//! prints the valid image keys for the image's first boot, which applies them,
//! or with `--write-avahi` writes the mDNS service file from the conffile.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use system_stats_bootconf::apply::{self, Paths};
use system_stats_bootconf::image_keys;

const USAGE: &str =
    "usage: system-stats-bootconf [--conf FILE] [--default-file FILE] [--credstore DIR] [--result-file FILE] [--no-systemctl] [--root DIR] [--check | --image-keys | --write-avahi]";

/// What to do with the file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Apply,
    /// Judge every key, change nothing.
    Check,
    /// Print the valid image keys as `key=value` lines for the first boot.
    ImageKeys,
    /// Write the mDNS service file from the conffile.
    WriteAvahi,
}

fn main() -> ExitCode {
    match parse_args() {
        Ok((paths, Mode::Check)) => check(&paths.conf, &paths.root),
        Ok((paths, Mode::ImageKeys)) => image_keys(&paths.conf, &paths.root),
        Ok((paths, Mode::WriteAvahi)) => {
            match system_stats_bootconf::avahi::write(&paths.root, &paths.default_file) {
                Ok(done) => {
                    println!("<6>{done}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("<3>system-stats-bootconf: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Ok((paths, Mode::Apply)) => match apply::run(&paths) {
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

fn read(conf: &Path) -> Option<String> {
    match std::fs::read(conf) {
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => {
            eprintln!("system-stats-bootconf: cannot read {}: {e}", conf.display());
            None
        }
    }
}

/// The first boot's input: the valid image keys on stdout, the image keys
/// refused (with their reasons) on stderr.
fn image_keys(conf: &Path, root: &Path) -> ExitCode {
    if !conf.exists() {
        return ExitCode::SUCCESS;
    }
    let Some(text) = read(conf) else {
        return ExitCode::FAILURE;
    };
    let plan = apply::plan_for(&text, root);
    for p in &plan.problems {
        let about_image_key = image_keys::IMAGE_KEYS
            .iter()
            .any(|(k, _)| p.contains(&format!(": {k}: ")));
        if about_image_key {
            eprintln!("<4>{}: {p}", conf.display());
        }
    }
    for n in plan.notes.iter().filter(|n| n.starts_with("wifi")) {
        eprintln!("<6>{}: {n}", conf.display());
    }
    for (k, v) in plan
        .image_values
        .iter()
        .filter(|(k, _)| k != "web_password")
    {
        println!("{k}={v}");
    }
    ExitCode::SUCCESS
}

fn check(conf: &Path, root: &Path) -> ExitCode {
    let Some(text) = read(conf) else {
        return ExitCode::FAILURE;
    };
    let plan = apply::plan_for(&text, root);
    for p in &plan.problems {
        eprintln!("{}: {p}", conf.display());
    }
    if plan.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn parse_args() -> Result<(Paths, Mode), lexopt::Error> {
    use lexopt::prelude::*;
    let mut paths = Paths {
        conf: PathBuf::from("/boot/firmware/system-stats.conf"),
        default_file: PathBuf::from("/etc/default/system-stats"),
        credstore: PathBuf::from("/etc/credstore"),
        systemctl: Some(PathBuf::from("systemctl")),
        result_file: PathBuf::from("/var/lib/system-stats-bootconf/result.json"),
        root: PathBuf::from("/"),
    };
    let mut mode = Mode::Apply;
    let mut p = lexopt::Parser::from_env();
    while let Some(arg) = p.next()? {
        match arg {
            Long("conf") => paths.conf = p.value()?.into(),
            Long("default-file") => paths.default_file = p.value()?.into(),
            Long("credstore") => paths.credstore = p.value()?.into(),
            Long("result-file") => paths.result_file = p.value()?.into(),
            Long("systemctl") => paths.systemctl = Some(p.value()?.into()),
            Long("no-systemctl") => paths.systemctl = None,
            Long("check") => mode = Mode::Check,
            Long("image-keys") => mode = Mode::ImageKeys,
            Long("write-avahi") => mode = Mode::WriteAvahi,
            Long("root") => paths.root = p.value()?.into(),
            Long("help") | Short('h') => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok((paths, mode))
}
