//! What became of each line of `system-stats.conf`: applied, or ignored and
//! why, written back on the card (`#> ` lines in `.applied`, read on any
//! laptop) and as JSON for the agent's status page (`result.json`). Pure.

use std::collections::BTreeMap;
use std::path::Path;

use crate::parse;

/// One line's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub line: usize,
    /// The key (empty for a line that is not `KEY=value`).
    pub key: String,
    /// `None`: applied; else why it was ignored.
    pub ignored: Option<String>,
    /// A redacted secret: the value in use was kept.
    pub kept: bool,
}

/// The outcome of every `KEY=value` line and every unreadable line.
pub fn outcomes(text: &str, ignored: &BTreeMap<usize, String>) -> Vec<Outcome> {
    let parsed = parse::parse(text);
    let mut out: Vec<Outcome> = parsed
        .entries
        .iter()
        .map(|e| Outcome {
            line: e.line,
            key: e.key.clone(),
            ignored: ignored.get(&e.line).cloned(),
            kept: false,
        })
        .chain(parsed.malformed.iter().map(|m| Outcome {
            line: m.line,
            key: String::new(),
            ignored: Some(m.reason.clone()),
            kept: false,
        }))
        .chain(parsed.kept.iter().map(|k| Outcome {
            line: k.line,
            key: k.key.clone(),
            ignored: ignored.get(&k.line).cloned(),
            kept: true,
        }))
        .collect();
    out.sort_by_key(|o| o.line);
    out
}

/// The `#> ` comment each line gets in `.applied`, by line number.
pub fn annotations(outcomes: &[Outcome]) -> BTreeMap<usize, String> {
    outcomes
        .iter()
        .map(|o| {
            let note = match (&o.ignored, o.kept) {
                (Some(why), _) => format!("ignored: {why}"),
                (None, true) => "kept as it is".to_string(),
                (None, false) => "applied".to_string(),
            };
            (o.line, note)
        })
        .collect()
}

/// `result.json`: the card's name, how many lines were ignored, and each line.
pub fn result_json(conf: &Path, outcomes: &[Outcome]) -> String {
    let keys: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            serde_json::json!({
                "line": o.line,
                "key": o.key,
                "status": match (&o.ignored, o.kept) {
                    (Some(_), _) => "ignored",
                    (None, true) => "kept",
                    (None, false) => "applied",
                },
                "reason": o.ignored,
            })
        })
        .collect();
    let ignored = outcomes.iter().filter(|o| o.ignored.is_some()).count();
    let doc = serde_json::json!({
        "file": conf.display().to_string(),
        "ignored": ignored,
        "keys": keys,
    });
    format!("{doc:#}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_is_applied_or_ignored_with_its_reason() {
        let ignored = BTreeMap::from([(2, "not a port".to_string())]);
        let o = outcomes("hostname=pi\nSYSTEM_STATS_PORT=x\n# c\n", &ignored);
        assert_eq!(o.len(), 2);
        assert_eq!(annotations(&o)[&1], "applied");
        assert_eq!(annotations(&o)[&2], "ignored: not a port");
        let json: serde_json::Value =
            serde_json::from_str(&result_json(Path::new("/boot/c"), &o)).unwrap();
        assert_eq!(json["ignored"], 1);
        assert_eq!(json["keys"][1]["reason"], "not a port");
    }
}
