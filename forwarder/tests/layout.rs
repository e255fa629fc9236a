//! The shape of the workspace's source (agent, forwarder, common, bootconf):
//! no import circles between sibling modules (data flows one way, e.g.
//! http → coalesce → collector → parsers; poller → spool → delivery →
//! destination), and no file over 400 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Code lines of `path` (comments left out).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sibling modules of `dir` and which siblings each one names. In a crate
/// root siblings are reached as `crate::x`, elsewhere as `super::x`.
fn sibling_edges(dir: &Path, root: bool) -> BTreeMap<String, BTreeSet<String>> {
    let parents = ["mod", "lib", "main", "tests"];
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if parents.contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            modules.insert(name, rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            modules.entry(name).or_default().push(path);
        }
    }
    let prefix = if root { "crate::" } else { "super::" };
    let names: Vec<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let text: String = files.iter().map(|f| code(f)).collect();
            let uses = names
                .iter()
                .filter(|other| *other != name)
                .filter(|other| {
                    let needle = format!("{prefix}{other}");
                    text.match_indices(&needle).any(|(i, _)| {
                        let next = text[i + needle.len()..].chars().next();
                        !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    })
                })
                .cloned()
                .collect();
            (name.clone(), uses)
        })
        .collect()
}

fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

fn crates() -> [PathBuf; 4] {
    let forwarder = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["src", "../common/src", "../agent/src", "../bootconf/src"].map(|dir| forwarder.join(dir))
}

#[test]
fn no_import_circles() {
    for src in crates() {
        let mut dirs = vec![(src.clone(), true)];
        dirs.extend(
            rust_files(&src)
                .iter()
                .filter(|f| f.ends_with("mod.rs"))
                .map(|f| (f.parent().unwrap().to_path_buf(), false)),
        );
        for (dir, root) in dirs {
            let edges = sibling_edges(&dir, root);
            assert!(
                find_cycle(&edges).is_none(),
                "import circle in {}: {:?}",
                dir.display(),
                find_cycle(&edges)
            );
        }
    }
}

#[test]
fn the_checker_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "use super::b::X;").unwrap();
    std::fs::write(
        dir.path().join("b.rs"),
        "// super::a in a comment\nuse super::c;",
    )
    .unwrap();
    std::fs::write(dir.path().join("c.rs"), "fn f() { super::a::g() }").unwrap();
    let cycle = find_cycle(&sibling_edges(dir.path(), false)).expect("a → b → c → a");
    assert_eq!(cycle, ["a", "b", "c", "a"]);
    std::fs::write(dir.path().join("c.rs"), "fn f() { super::ab::g() }").unwrap();
    assert_eq!(find_cycle(&sibling_edges(dir.path(), false)), None);
}

#[test]
fn no_file_over_400_lines() {
    for src in crates() {
        for file in rust_files(&src) {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            assert!(lines <= 400, "{} has {lines} lines", file.display());
        }
    }
}
