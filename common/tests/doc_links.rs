//! Every relative link in README.md and docs/*.md resolves: the file exists,
//! and a `#fragment` into a Markdown file names one of its headings (GitHub's
//! anchor rules). Links with a scheme (https:, mailto:) are not followed.
//! Lives in common only because it is the workspace's lightest crate.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One link found in a Markdown file: its 1-based line and its target.
#[derive(Debug, PartialEq)]
struct Link {
    line: usize,
    target: String,
}

/// The lines outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.push((i + 1, line));
        }
    }
    out
}

/// A line without its inline code spans (`like this`), which are not links.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// Markdown links and images `[text](target)` and HTML `src="…"`/`href="…"`.
fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for (line_no, raw) in prose_lines(text) {
        let line = without_code_spans(raw);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            let target = after[..end].split_whitespace().next().unwrap_or("");
            found.push(Link {
                line: line_no,
                target: target.to_string(),
            });
            rest = &after[end..];
        }
        for attr in ["src=\"", "href=\""] {
            let mut rest = line.as_str();
            while let Some(at) = rest.find(attr) {
                let after = &rest[at + attr.len()..];
                let end = after.find('"').unwrap_or(after.len());
                found.push(Link {
                    line: line_no,
                    target: after[..end].to_string(),
                });
                rest = &after[end..];
            }
        }
    }
    found
}

/// GitHub's anchor of a heading: lower case, punctuation other than `-` and
/// `_` dropped, spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown text's headings; a repeated one gets `-1`, `-2`…
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let mut candidate = base.clone();
        let mut n = 0;
        while seen.contains(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        seen.insert(candidate);
    }
    seen
}

fn has_scheme(target: &str) -> bool {
    match target.find(':') {
        Some(at) => target[..at]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'),
        None => false,
    }
}

/// Each broken link of `file`, as `file:line: target: why`.
fn broken_links(file: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut broken = Vec::new();
    for link in links(&text) {
        if link.target.is_empty() || has_scheme(&link.target) {
            continue;
        }
        let (path, fragment) = match link.target.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (link.target.as_str(), None),
        };
        let resolved = if path.is_empty() {
            file.to_path_buf()
        } else {
            dir.join(path)
        };
        let why = if !resolved.exists() {
            Some(format!("{} does not exist", resolved.display()))
        } else {
            match fragment {
                Some(f) if resolved.extension().is_some_and(|e| e == "md") => {
                    let target_text = fs::read_to_string(&resolved).unwrap_or_default();
                    (!anchors(&target_text).contains(f))
                        .then(|| format!("no heading with the anchor #{f}"))
                }
                _ => None,
            }
        };
        if let Some(why) = why {
            broken.push(format!(
                "{}:{}: {}: {why}",
                file.display(),
                link.line,
                link.target
            ));
        }
    }
    broken
}

/// README.md and every docs/*.md of the repository.
fn documentation_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .expect("docs/ is readable")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = documentation_files(&root);
    assert!(files.len() > 5, "expected README.md and the docs pages");
    let mut checked = 0;
    let mut broken = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable");
        checked += links(&text).len();
        broken.extend(broken_links(file));
    }
    assert!(
        checked > 50,
        "only {checked} links found: is the scanner broken?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_githubs_rules() {
    let text = "# Top\n## Proof: `make image-test`\n## Settings: `system-stats.conf`\n\
                ```\n# not a heading\n```\n## Top\n#nospace\n";
    let a = anchors(text);
    for expected in [
        "top",
        "proof-make-image-test",
        "settings-system-statsconf",
        "top-1",
    ] {
        assert!(a.contains(expected), "{expected} missing from {a:?}");
    }
    assert!(!a.contains("not-a-heading") && !a.contains("nospace"));
}

#[test]
fn a_missing_file_and_a_missing_anchor_are_reported_and_the_rest_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("other.md"), "# Other\n## Part two\n").expect("write");
    fs::write(
        dir.path().join("page.md"),
        "# Page\n[ok](other.md) [ok](other.md#part-two) [ok](#page) \
         [web](https://example.invalid/x)\n\
         [gone](missing.md)\n[bad anchor](other.md#part-three)\n\
         <img src=\"nope.png\" width=\"3\">\n`[code](not-a-link.md)`\n\
         ```\n[fenced](also-not-a-link.md)\n```\n",
    )
    .expect("write");
    let broken = broken_links(&dir.path().join("page.md"));
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(broken[0].contains(":3: missing.md:"), "{}", broken[0]);
    assert!(broken[1].contains(":4: other.md#part-three: no heading"));
    assert!(broken[2].contains(":5: nope.png:"));
}
