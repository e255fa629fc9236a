//! Parsing of `system-stats.conf`: `KEY=value` lines, `#` comments and blank
//! lines, tolerant of CRLF line ends and a UTF-8 byte-order mark (the file is
//! edited on Windows and macOS laptops). Pure: text in, entries and problems out.

/// The value a removed secret's line shows (`# KEY=<removed after
/// applying>`, written by `redact`); such a line in a file renamed back means
/// "keep the current secret".
pub const REMOVED: &str = "<removed after applying>";

/// One `KEY=value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number, for messages.
    pub line: usize,
    pub key: String,
    pub value: String,
}

/// A line that is neither a comment, blank, nor `KEY=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub reason: String,
}

/// The entries of a file, in order, and the lines that could not be read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    /// Secret lines redacted by an earlier apply (`# KEY=<removed after
    /// applying>`, see `redact`): "keep the current secret".
    pub kept: Vec<Entry>,
    pub malformed: Vec<Malformed>,
}

/// Splits `text` into entries. Keys are trimmed; values are trimmed and one
/// pair of surrounding double or single quotes is removed.
pub fn parse(text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if let Some(key) = l
            .strip_prefix("# ")
            .and_then(|r| r.strip_suffix(REMOVED))
            .and_then(|r| r.strip_suffix('='))
        {
            out.kept.push(Entry {
                line,
                key: key.to_string(),
                value: String::new(),
            });
            continue;
        }
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let Some((key, value)) = l.split_once('=') else {
            out.malformed.push(Malformed {
                line,
                reason: "expected KEY=value".into(),
            });
            continue;
        };
        let key = key
            .trim()
            .strip_prefix("export ")
            .unwrap_or(key.trim())
            .trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.malformed.push(Malformed {
                line,
                reason: format!("{key:?} is not a key name (letters, digits and _)"),
            });
            continue;
        }
        out.entries.push(Entry {
            line,
            key: key.to_string(),
            value: unquote(value.trim()).to_string(),
        });
    }
    out
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_crlf_bom_and_quotes() {
        let p = parse(
            "\u{feff}# c\r\n\r\nhostname = pi-one\r\n  wifi_ssid=\"My Net\"\r\nexport A_B='x y'\n",
        );
        assert!(p.malformed.is_empty(), "{:?}", p.malformed);
        let kv: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.line, e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            kv,
            vec![
                (3, "hostname", "pi-one"),
                (4, "wifi_ssid", "My Net"),
                (5, "A_B", "x y")
            ]
        );
    }

    #[test]
    fn redacted_secrets_are_kept_not_unset() {
        let p = parse("# wifi_psk=<removed after applying>\r\n# just a comment\n");
        assert!(p.entries.is_empty());
        assert_eq!(p.kept.len(), 1);
        assert_eq!((p.kept[0].line, p.kept[0].key.as_str()), (1, "wifi_psk"));
    }

    #[test]
    fn value_may_contain_equals_and_be_empty() {
        let p = parse("URL=http://h/p?a=b\nEMPTY=\n");
        assert_eq!(p.entries[0].value, "http://h/p?a=b");
        assert_eq!(p.entries[1].value, "");
    }

    #[test]
    fn malformed_lines_are_reported_with_line_numbers() {
        let p = parse("ok=1\njust words\nbad key=1\n=x\n");
        assert_eq!(p.entries.len(), 1);
        let lines: Vec<_> = p.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, vec![2, 3, 4]);
        assert!(p.malformed[0].reason.contains("KEY=value"));
    }
}
