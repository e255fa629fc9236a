//! Merging settings into the text of `/etc/default/system-stats` (a conffile of
//! commented-out defaults). Pure and idempotent: merging the same settings into
//! the result again gives the same text, so an apply interrupted by a power
//! loss can simply run again.

const MARKER: &str = "# Set from system-stats.conf on the boot partition:";

/// Returns `text` with each `(key, value)` set: an existing `KEY=` line is
/// replaced (later duplicates dropped); else the line goes right after the
/// commented default `#KEY=`; else at the end, under a marker comment.
pub fn merge(text: &str, settings: &[(&str, &str)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (key, value) in settings {
        let wanted = format!("{key}={value}");
        let active: Vec<usize> = (0..lines.len())
            .filter(|&i| assigns(&lines[i], key))
            .collect();
        if let Some((&first, rest)) = active.split_first() {
            lines[first] = wanted;
            for &i in rest.iter().rev() {
                lines.remove(i);
            }
        } else if let Some(i) = lines.iter().position(|l| commented_default(l, key)) {
            lines.insert(i + 1, wanted);
        } else {
            if !lines.iter().any(|l| l == MARKER) {
                if lines.last().is_some_and(|l| !l.trim().is_empty()) {
                    lines.push(String::new());
                }
                lines.push(MARKER.to_string());
            }
            lines.push(wanted);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Returns `text` without the active `KEY=` lines of `keys` (the commented
/// defaults stay). Idempotent, like [`merge`].
pub fn unset(text: &str, keys: &[String]) -> String {
    let mut out: String = text
        .lines()
        .filter(|l| !keys.iter().any(|k| assigns(l, k)))
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

/// The active value of `key` in a conffile text, if any.
pub fn value_of<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .rfind(|l| assigns(l, key))
        .and_then(|l| l.trim_start().split_once('=').map(|(_, v)| v.trim()))
}

fn assigns(line: &str, key: &str) -> bool {
    line.trim_start()
        .strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

fn commented_default(line: &str, key: &str) -> bool {
    line.trim_start()
        .strip_prefix('#')
        .is_some_and(|rest| assigns(rest, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: &str = "# header\n#SYSTEM_STATS_PORT=5001\n\n# dest\n#MONITORING_SERVER_METRICS_URL=http://127.0.0.1:5050/metrics\n";

    #[test]
    fn sets_after_the_commented_default() {
        let out = merge(DEFAULTS, &[("SYSTEM_STATS_PORT", "8080")]);
        assert_eq!(out, "# header\n#SYSTEM_STATS_PORT=5001\nSYSTEM_STATS_PORT=8080\n\n# dest\n#MONITORING_SERVER_METRICS_URL=http://127.0.0.1:5050/metrics\n");
        assert_eq!(value_of(&out, "SYSTEM_STATS_PORT"), Some("8080"));
    }

    #[test]
    fn replaces_an_active_line_and_drops_duplicates() {
        let out = merge("A=1\nB=2\nA=3\n", &[("A", "9")]);
        assert_eq!(out, "A=9\nB=2\n");
    }

    #[test]
    fn unknown_to_the_file_goes_under_a_marker() {
        let out = merge("X=1\n", &[("NEW_KEY", "v"), ("OTHER", "w")]);
        assert_eq!(out, format!("X=1\n\n{MARKER}\nNEW_KEY=v\nOTHER=w\n"));
    }

    #[test]
    fn merging_twice_gives_the_same_text() {
        let s = [
            ("SYSTEM_STATS_PORT", "8080"),
            ("MONITORING_SERVER_METRICS_URL", "http://10.0.2.2:1/m"),
            ("Z", "1"),
        ];
        let once = merge(DEFAULTS, &s);
        assert_eq!(merge(&once, &s), once);
    }

    #[test]
    fn unset_drops_active_lines_and_keeps_the_commented_default() {
        let keys = ["A".to_string(), "A_FILE".to_string()];
        let out = unset("#A=\nA=1\nAB=2\nA_FILE=/x\n", &keys);
        assert_eq!(out, "#A=\nAB=2\n");
        assert_eq!(unset(&out, &keys), out);
    }

    #[test]
    fn prefix_of_another_key_is_not_a_match() {
        let out = merge(
            "SYSTEM_STATS_URL_X=1\n",
            &[("SYSTEM_STATS_URL", "http://a/")],
        );
        assert!(out.starts_with("SYSTEM_STATS_URL_X=1\n"));
        assert_eq!(value_of(&out, "SYSTEM_STATS_URL"), Some("http://a/"));
    }
}
