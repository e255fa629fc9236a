//! The settings catalogue: every setting of the agent and the forwarder,
//! declared once with its variable, flag, default, example, help text,
//! whether it is a secret, which daemon reads it, and the check that judges
//! a value. The daemons parse with it (`Setting::new(spec, parser)`),
//! `system-stats-bootconf --check` judges card values with the same checks,
//! and the conffile and man pages are generated from it.
//!
//! Adding a setting is one entry in `agent.rs` or `forwarder.rs` (the
//! `catalogue!` macro also puts it in that daemon's list).

pub mod agent;
pub mod forwarder;
pub mod render;
pub mod validators;

/// Which daemon reads a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Daemon {
    Agent,
    Forwarder,
    /// Read by both (the log format).
    Both,
}

/// One configurable setting, as the catalogue declares it.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    pub env: &'static str,
    pub flag: &'static str,
    /// The built-in default (what an unset variable means), if any.
    pub default: Option<&'static str>,
    /// An example value for the conffile and man page (not a default).
    pub example: Option<&'static str>,
    pub help: &'static str,
    /// Longer advice for the conffile and the man page ("" for none).
    pub notes: &'static str,
    /// Describes valid values ("a port number ...").
    pub expected: &'static str,
    /// Never echoed in errors; written to `/etc/credstore` from the card
    /// when it is a systemd credential, redacted from `.applied`.
    pub secret: bool,
    pub daemon: Daemon,
    /// The value check: `Err` completes "expected ...".
    pub check: fn(&str) -> Result<(), String>,
}

impl SettingSpec {
    /// The verdict on a value, exactly as the daemon gives it: surrounding
    /// blanks are ignored, and an empty value of a setting without a
    /// default means "not set".
    pub fn judge(&self, value: &str) -> Result<(), String> {
        let value = value.trim();
        if value.is_empty() && self.default.is_none() {
            return Ok(());
        }
        (self.check)(value)
    }
}

/// A base to build entries from with `..AGENT` / `..FORWARDER`.
pub const AGENT_BASE: SettingSpec = SettingSpec {
    env: "",
    flag: "",
    default: None,
    example: None,
    help: "",
    notes: "",
    expected: "a value",
    secret: false,
    daemon: Daemon::Agent,
    check: |_| Ok(()),
};
pub const FORWARDER_BASE: SettingSpec = SettingSpec {
    daemon: Daemon::Forwarder,
    ..AGENT_BASE
};

/// `SYSTEM_STATS_LOG_FORMAT`, read by both daemons.
pub const LOG_FORMAT: SettingSpec = SettingSpec {
    env: "SYSTEM_STATS_LOG_FORMAT",
    flag: "log-format",
    default: Some("auto"),
    help: "auto (journald when stderr is the journal), journald or text",
    expected: crate::log_format::LogFormat::EXPECTED,
    daemon: Daemon::Both,
    check: |v| validators::log_format(v).map(drop),
    ..AGENT_BASE
};

/// Declares catalogue entries as constants and lists them, in order, in
/// `$list` (the daemon's `--help` order).
macro_rules! catalogue {
    ($(#[$list_doc:meta])* $list:ident; $($(#[$doc:meta])* $name:ident = $spec:expr;)*) => {
        $($(#[$doc])* pub const $name: $crate::settings::SettingSpec = $spec;)*
        $(#[$list_doc])*
        pub const $list: &[$crate::settings::SettingSpec] = &[$($name),*];
    };
}
pub(crate) use catalogue;

/// Every setting of both daemons, each once (the shared ones from the
/// agent's list).
pub fn all() -> impl Iterator<Item = &'static SettingSpec> {
    agent::ALL.iter().chain(
        forwarder::ALL
            .iter()
            .filter(|f| !agent::ALL.iter().any(|a| a.env == f.env)),
    )
}

/// The setting of that exact variable name.
pub fn lookup(env: &str) -> Option<&'static SettingSpec> {
    all().find(|s| s.env == env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_flags_are_unique_per_daemon() {
        for list in [agent::ALL, forwarder::ALL] {
            for (i, s) in list.iter().enumerate() {
                assert!(s.env.starts_with("SYSTEM_STATS_") || s.env.starts_with("MONITORING_"));
                assert!(!s.flag.is_empty() && !s.help.is_empty(), "{}", s.env);
                for t in &list[i + 1..] {
                    assert!(s.env != t.env && s.flag != t.flag, "{} / {}", s.env, t.env);
                }
                if let Some(d) = s.default {
                    assert_eq!(s.judge(d), Ok(()), "{}'s default", s.env);
                }
            }
        }
    }

    #[test]
    fn empty_means_unset_only_without_a_default() {
        assert_eq!(
            lookup("SYSTEM_STATS_AUTH_TOKEN").map(|s| s.judge("")),
            Some(Ok(()))
        );
        assert!(lookup("SYSTEM_STATS_PORT").is_some_and(|s| s.judge(" ").is_err()));
    }
}
