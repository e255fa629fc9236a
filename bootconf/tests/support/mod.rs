//! Shared by bootconf's end-to-end tests: the real `system-stats-bootconf`
//! pointed at a card, a conffile, a credential store and a result file inside
//! one temporary directory.

use std::path::Path;
use std::process::Command;

/// The packaged conffile, as a fresh install has it.
pub const DEFAULTS: &str = include_str!("../../../debian/system-stats.default");

/// The binary over `dir`: `system-stats.conf` (the card), `default` (the
/// conffile), `credstore/` and `result/result.json`. Callers add how units are
/// handled (`--systemctl FILE`, `--no-systemctl`, `--root DIR`) and the mode.
pub fn bootconf(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_system-stats-bootconf"));
    cmd.arg("--conf")
        .arg(dir.join("system-stats.conf"))
        .arg("--default-file")
        .arg(dir.join("default"))
        .arg("--credstore")
        .arg(dir.join("credstore"))
        .arg("--result-file")
        .arg(dir.join("result/result.json"));
    cmd
}
