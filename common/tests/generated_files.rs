//! The files generated from the settings catalogue are committed as
//! generated: debian/system-stats.default and the settings sections of the
//! two man pages. This test fails when they drift; `make generated`
//! (`UPDATE_GENERATED=1` for this test) writes them again.

use std::path::{Path, PathBuf};
use system_stats_common::settings::{agent, forwarder, render};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Each generated file: path and the text it must hold.
fn expected() -> Vec<(PathBuf, String)> {
    let mut files = vec![(
        repo().join("debian/system-stats.default"),
        render::conffile(),
    )];
    for (page, list) in [
        ("debian/man/system-stats-service.1", agent::ALL),
        ("debian/man/system-stats-forwarder.1", forwarder::ALL),
    ] {
        let path = repo().join(page);
        let current = std::fs::read_to_string(&path).expect("read man page");
        let text = render::replace_man_settings(&current, &render::man_settings(list))
            .unwrap_or_else(|| panic!("{page} lacks the GENERATED SETTINGS markers"));
        files.push((path, text));
    }
    files
}

#[test]
fn generated_files_match_the_catalogue() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (path, text) in expected() {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            if update {
                std::fs::write(&path, &text).expect("write generated file");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date with common/src/settings: {stale:?}; run `make generated` and commit"
    );
}
