//! The textfile collector's I/O: every `*.prom` regular file of the
//! configured directory, read once per `/metrics` collection with its
//! mtime; parsing is `metrics::node::textfile`. A file that cannot be read
//! or parsed is left out with an error log and sets the scrape error.

use crate::metrics::node::textfile::{self, Textfiles};
use std::path::Path;

pub fn read(dir: &Path) -> Textfiles {
    let mut out = Textfiles::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!("textfile directory {}: {e}", dir.display());
            out.error = true;
            return out;
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "prom"))
        .collect();
    paths.sort();
    for path in paths {
        let shown = path.display().to_string();
        let read = std::fs::metadata(&path).and_then(|m| {
            if !m.is_file() {
                return Err(std::io::Error::other("not a regular file"));
            }
            let mtime = m
                .modified()?
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(std::io::Error::other)?;
            Ok((std::fs::read_to_string(&path)?, mtime.as_secs() as f64))
        });
        let parsed = read
            .map_err(|e| e.to_string())
            .and_then(|(text, mtime)| Ok((textfile::parse(&text, &shown)?, mtime)));
        match parsed {
            Ok((families, mtime)) => {
                out.families.extend(families);
                out.mtimes.push((shown, mtime));
            }
            Err(e) => {
                tracing::error!("textfile {shown}: {e}; file ignored");
                out.error = true;
            }
        }
    }
    out
}
