//! The no-panic promise for parsers of input we do not control rests on
//! `catch_unwind` (`files::parse_guarded`): with `panic = "abort"` a panic in
//! a third-party parser would kill the service while every test (always
//! built with unwinding) stays green. This pins the strategy of every build
//! we ship: the workspace's profiles, and the build scripts' flags.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// `(section, line)` of every `panic = "abort"` in a Cargo manifest's
/// `[profile.*]` sections.
fn abort_in_profiles(manifest: &str) -> Vec<(String, String)> {
    let mut section = String::new();
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if section.starts_with("[profile.")
            && key.trim() == "panic"
            && value.trim().trim_matches('"') == "abort"
        {
            found.push((section.clone(), line.to_string()));
        }
    }
    found
}

#[test]
fn the_detector_sees_an_abort_profile() {
    let m =
        "[profile.release]\nopt-level = 3\npanic = \"abort\"\n[profile.dev]\npanic = \"unwind\"\n";
    assert_eq!(
        abort_in_profiles(m),
        vec![(
            "[profile.release]".to_string(),
            "panic = \"abort\"".to_string()
        )]
    );
    assert!(abort_in_profiles("[dependencies]\npanic = \"abort\"\n").is_empty());
}

#[test]
fn no_shipped_build_aborts_on_panic() {
    let root = workspace();
    for manifest in [
        "Cargo.toml",
        "agent/Cargo.toml",
        "forwarder/Cargo.toml",
        "common/Cargo.toml",
    ] {
        let Ok(text) = std::fs::read_to_string(root.join(manifest)) else {
            continue;
        };
        let found = abort_in_profiles(&text);
        assert!(
            found.is_empty(),
            "{manifest}: {found:?}: parsers rely on catch_unwind (agent/src/platform/linux/files.rs parse_guarded); \
             a panic would kill the service"
        );
    }
    // flags that build scripts could pass instead of a profile
    let mut scripts: Vec<PathBuf> = vec![root.join("Makefile"), root.join("Cross.toml")];
    for dir in ["scripts", "debian", ".cargo", ".ci"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            scripts.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
        }
    }
    for path in scripts.iter().filter(|p| p.is_file()) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for needle in [
            "panic=abort",
            "CARGO_PROFILE_RELEASE_PANIC",
            "panic = \"abort\"",
        ] {
            assert!(
                !text.contains(needle),
                "{}: contains `{needle}`: parsers rely on catch_unwind",
                path.display()
            );
        }
    }
}
