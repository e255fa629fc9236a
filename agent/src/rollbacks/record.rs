//! The records of the image's upgrade guard (`rollbacks.jsonl`, one JSON
//! object a line: `{"at","from","to","reason"}`) parsed into rollbacks. Pure:
//! lines that are not such records are reported, not fatal.

use serde::Deserialize;

/// One rolled-back upgrade: `from` is the version that failed, `to` the one
/// reinstalled; `at` in Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollback {
    pub at: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl Rollback {
    /// What a person reads on the page and in `/events`.
    pub fn message(&self) -> String {
        format!(
            "upgrade rolled back: system-stats {} → {} ({})",
            self.from, self.to, self.reason
        )
    }
}

/// The rollbacks of a file, oldest first, and the lines that were skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rollbacks: Vec<Rollback>,
    /// (line number from 1, why it was skipped)
    pub skipped: Vec<(usize, String)>,
}

#[derive(Deserialize)]
struct Line {
    at: String,
    from: String,
    to: String,
    reason: String,
}

/// Parse the file's text; blank lines are ignored.
pub fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok(r) => out.rollbacks.push(r),
            Err(why) => out.skipped.push((i + 1, why)),
        }
    }
    out
}

fn parse_line(line: &str) -> Result<Rollback, String> {
    let l: Line = serde_json::from_str(line)
        .map_err(|e| format!("not a {{\"at\",\"from\",\"to\",\"reason\"}} JSON object ({e})"))?;
    let at = chrono::DateTime::parse_from_rfc3339(&l.at)
        .map_err(|e| format!("\"at\": {:?} is not an RFC 3339 time ({e})", l.at))?
        .timestamp();
    if l.from.is_empty() || l.to.is_empty() {
        return Err("\"from\" and \"to\" must name versions".into());
    }
    Ok(Rollback {
        at,
        from: l.from,
        to: l.to,
        reason: l.reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_and_garbage_is_reported_by_line() {
        let text = concat!(
            r#"{"at":"2026-12-02T01:23:45Z","from":"1.2","to":"1.1","reason":"system-stats.service did not reach READY within 120 s"}"#,
            "\n\nnot json\n",
            r#"{"at":"yesterday","from":"1.3","to":"1.1","reason":"x"}"#,
            "\n",
            r#"{"at":"2026-12-03T00:00:00+01:00","from":"1.4","to":"1.1","reason":"postinst failed"}"#,
            "\n"
        );
        let p = parse(text);
        assert_eq!(p.rollbacks.len(), 2);
        assert_eq!(p.rollbacks[0].at, 1_796_174_625);
        assert_eq!(p.rollbacks[1].at, 1_796_252_400);
        assert_eq!(
            (p.rollbacks[0].from.as_str(), p.rollbacks[0].to.as_str()),
            ("1.2", "1.1")
        );
        assert_eq!(
            p.skipped.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert!(p.skipped[1].1.contains("RFC 3339"), "{:?}", p.skipped);
        assert_eq!(
            p.rollbacks[1].message(),
            "upgrade rolled back: system-stats 1.4 → 1.1 (postinst failed)"
        );
    }

    #[test]
    fn an_empty_file_has_no_rollbacks() {
        assert_eq!(parse(""), Parsed::default());
        assert_eq!(parse("\n \n"), Parsed::default());
    }

    #[test]
    fn versions_must_be_named() {
        let p = parse(r#"{"at":"2026-12-02T01:23:45Z","from":"","to":"1.1","reason":"r"}"#);
        assert!(p.rollbacks.is_empty());
        assert_eq!(p.skipped.len(), 1);
    }
}
