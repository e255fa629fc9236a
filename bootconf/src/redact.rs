//! The text kept as `system-stats.conf.applied`: the file as the user wrote it,
//! with the values of secret keys (Wi-Fi passphrase, tokens, passwords) removed,
//! so the FAT partition, readable on any laptop, no longer holds them.

use std::collections::BTreeMap;

use crate::keys;
use crate::parse;

pub use crate::parse::REMOVED;

/// The start of the lines saying what became of the line above.
pub const NOTE: &str = "#> ";

pub const HEADER: &str = "# Applied on first boot by system-stats-bootconf. Secrets were removed.\n# To apply settings again, edit this file and rename it to system-stats.conf.\n# A line \"# KEY=<removed after applying>\" keeps that secret as it is.\n";

/// `text` with every secret `KEY=value` line replaced by a comment naming the key.
/// Each line numbered in `notes` is followed by `#> <note>` (what became of
/// it); the `#> ` lines of an earlier apply are dropped.
pub fn redact(text: &str, notes: &BTreeMap<usize, String>) -> String {
    let secret_lines: Vec<(usize, String)> = parse::parse(text)
        .entries
        .into_iter()
        .filter(|e| keys::lookup(&e.key).is_some_and(|k| k.secret))
        .map(|e| (e.line, e.key))
        .collect();
    let mut out = String::from(HEADER);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // applied before: its header is not repeated (line numbers stay the parser's)
    let skip = if text.starts_with(HEADER) {
        HEADER.lines().count()
    } else {
        0
    };
    for (i, line) in text.lines().enumerate().skip(skip) {
        if line.starts_with(NOTE) {
            continue;
        }
        match secret_lines.iter().find(|(n, _)| *n == i + 1) {
            Some((_, key)) => out.push_str(&format!("# {key}={REMOVED}")),
            None => out.push_str(line.trim_end_matches('\r')),
        }
        out.push('\n');
        if let Some(note) = notes.get(&(i + 1)) {
            out.push_str(&format!("{NOTE}{note}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_secret_values_only() {
        let out = redact(
            "hostname=pi\r\nwifi_psk=\"hunter22\"\nSYSTEM_STATS_FORWARD_TOKEN=abc\n# wifi_psk=old\n#> applied\n",
            &BTreeMap::from([(1, "applied".to_string())]),
        );
        assert!(out.starts_with(HEADER));
        assert!(out.contains("hostname=pi\n#> applied\n"));
        assert_eq!(
            out.matches("#> applied").count(),
            1,
            "old notes dropped: {out}"
        );
        assert!(!out.contains("hunter22") && !out.contains("=abc"), "{out}");
        assert!(out.contains("# wifi_psk=<removed after applying>\n"));
        assert!(out.contains("# SYSTEM_STATS_FORWARD_TOKEN=<removed after applying>\n"));
        assert!(out.contains("# wifi_psk=old\n"), "comments stay");
    }
}
