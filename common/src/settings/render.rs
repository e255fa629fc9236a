//! Text generated from the catalogue: the conffile
//! `/etc/default/system-stats` (debian/system-stats.default) and the
//! settings sections of the man pages. Pure: the catalogue in, text out;
//! `make generated` writes the files and a test fails when they drift.

use super::{agent, forwarder, Daemon, SettingSpec};

/// The marker lines around a man page's generated settings.
pub const MAN_BEGIN: &str =
    ".\\\" BEGIN GENERATED SETTINGS (make generated; edit common/src/settings)";
pub const MAN_END: &str = ".\\\" END GENERATED SETTINGS";

const CONFFILE_HEAD: &str = "\
# /etc/default/system-stats
#
# Settings for system-stats-service (the agent, system-stats.service) and
# system-stats-forwarder (system-stats-forwarder.service). Both units read
# this file through EnvironmentFile=. Every setting below is commented out
# and shows its built-in default (an empty value: unset); an \"Example:\" is
# only an example. Uncomment and edit a line to change a setting, then
# restart the unit:
#
#     systemctl restart system-stats
#     systemctl restart system-stats-forwarder
#
# Format: one VARIABLE=value per line, no \"export\", no shell expansion.
# This file is a conffile: your edits survive package upgrades and are only
# removed by \"apt purge system-stats\".
#
# Generated from the settings catalogue (common/src/settings) by
# `make generated`; check a value with `system-stats-service --check-config`
# or `system-stats-forwarder --check-config`.
";

const AGENT_HEAD: &str = "\
# ---------------------------------------------------------------------------
# Agent: system-stats-service (enabled and started when the package is installed)
# ---------------------------------------------------------------------------
";

const FORWARDER_HEAD: &str = "\
# ---------------------------------------------------------------------------
# Forwarder: system-stats-forwarder (installed, not enabled: it needs a
# destination, MONITORING_SERVER_METRICS_URL, SYSTEM_STATS_REMOTE_WRITE_URL,
# SYSTEM_STATS_MQTT_URL or SYSTEM_STATS_ALERT_URLS)
# ---------------------------------------------------------------------------
";

/// `text` wrapped at `width` columns, each line starting with `prefix`.
fn wrap(text: &str, prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > width {
            out.push_str(prefix);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(prefix);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The help text as a sentence: capitalised, with a full stop.
fn sentence(help: &str) -> String {
    let help = help.trim_end_matches('.');
    let mut chars = help.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// The sentence a secret setting carries in both documents.
fn secret_note(spec: &SettingSpec) -> String {
    let twin = format!("{}_FILE", spec.env);
    if super::lookup(&twin).is_some() {
        format!(
            "A secret: prefer the systemd credential /etc/credstore/{} (mode 0600) or {twin} to this file.",
            spec.env
        )
    } else {
        "A secret: never logged; this file is then best kept readable by root only.".to_string()
    }
}

fn conffile_entry(spec: &SettingSpec) -> String {
    let mut text = sentence(spec.help);
    if !spec.notes.is_empty() {
        text = format!("{text} {}", spec.notes);
    }
    if spec.secret {
        text = format!("{text} {}", secret_note(spec));
    }
    if let Some(example) = spec.example {
        text = format!("{text} Example: {example}");
    }
    format!(
        "{}#{}={}\n",
        wrap(&text, "# ", 78),
        spec.env,
        spec.default.unwrap_or("")
    )
}

/// The whole of debian/system-stats.default.
pub fn conffile() -> String {
    let mut out = String::from(CONFFILE_HEAD);
    for (head, list, daemon) in [
        (AGENT_HEAD, agent::ALL, Daemon::Agent),
        (FORWARDER_HEAD, forwarder::ALL, Daemon::Forwarder),
    ] {
        out.push('\n');
        out.push_str(head);
        // the shared settings once, with the agent
        for spec in list
            .iter()
            .filter(|s| s.daemon == daemon || (s.daemon == Daemon::Both && daemon == Daemon::Agent))
        {
            out.push('\n');
            out.push_str(&conffile_entry(spec));
        }
    }
    out
}

/// roff text: backslashes and leading dots/quotes made literal.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The man page's generated settings: one `.TP` entry per setting of `list`.
pub fn man_settings(list: &[SettingSpec]) -> String {
    let mut out = format!("{MAN_BEGIN}\n");
    for spec in list {
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR, \\fB\\-\\-{}\\fR \\fIvalue\\fR\n",
            spec.env,
            spec.flag.replace('-', "\\-")
        ));
        let mut text = sentence(spec.help);
        if !spec.notes.is_empty() {
            text = format!("{text} {}", spec.notes);
        }
        text = format!("{text} Valid: {}.", spec.expected);
        if spec.secret {
            text = format!("{text} {}", secret_note(spec));
        }
        text = match spec.default {
            Some(d) => format!("{text} Default: {d}."),
            None => format!("{text} Default: unset."),
        };
        if let Some(example) = spec.example {
            text = format!("{text} Example: {example}.");
        }
        out.push_str(&wrap(&roff(&text), "", 78));
    }
    out.push_str(MAN_END);
    out.push('\n');
    out
}

/// `page` with the text between the markers replaced by `generated` (the
/// markers included); `None` when the page has no markers.
pub fn replace_man_settings(page: &str, generated: &str) -> Option<String> {
    let begin = page.find(MAN_BEGIN)?;
    let end = page[begin..].find(MAN_END)? + begin + MAN_END.len();
    let end = if page[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    Some(format!("{}{generated}{}", &page[..begin], &page[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conffile_lines_show_defaults_and_mark_examples() {
        let text = conffile();
        assert!(text.contains("\n#SYSTEM_STATS_PORT=5001\n"));
        assert!(text.contains("\n#SYSTEM_STATS_TLS_CERT_FILE=\n"));
        assert!(text.contains("Example: /etc/system-stats/tls/cert.pem"));
        assert_eq!(text.matches("\n#SYSTEM_STATS_LOG_FORMAT=").count(), 1);
    }

    #[test]
    fn man_markers_are_replaced() {
        let page = format!("a\n{MAN_BEGIN}\nOLD-TEXT\n{MAN_END}\nb\n");
        let new = replace_man_settings(&page, &man_settings(agent::ALL)).unwrap();
        assert!(new.starts_with("a\n") && new.ends_with("b\n") && !new.contains("OLD-TEXT"));
        assert!(new.contains("\\fBSYSTEM_STATS_PORT\\fR, \\fB\\-\\-port\\fR"));
    }
}
