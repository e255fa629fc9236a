//! Settings as a daemon reads them ([`Setting`]: a catalogue entry and its
//! typed parser), the raw values after merging flag > environment > default, and
//! the one-line error every binary prints when a value is wrong.

use std::collections::BTreeMap;
use std::fmt;

pub use crate::settings::SettingSpec;

/// One setting as a daemon reads it: its catalogue entry ([`SettingSpec`])
/// and the parser giving its typed value. A value is first judged by the
/// entry's check (the same one `system-stats-bootconf --check` uses), then
/// parsed. The entry's fields are copied out for brevity.
#[derive(Debug)]
pub struct Setting<T: 'static> {
    pub spec: SettingSpec,
    pub env: &'static str,
    pub flag: &'static str,
    pub default: Option<&'static str>,
    pub help: &'static str,
    pub expected: &'static str,
    pub parse: fn(&str) -> Result<T, String>,
}

impl<T> Setting<T> {
    /// The setting of catalogue entry `spec`, parsed by `parse`.
    pub const fn new(spec: SettingSpec, parse: fn(&str) -> Result<T, String>) -> Self {
        Setting {
            spec,
            env: spec.env,
            flag: spec.flag,
            default: spec.default,
            help: spec.help,
            expected: spec.expected,
            parse,
        }
    }

    /// Its line in the command-line table.
    pub const fn spec(&self) -> SettingSpec {
        self.spec
    }

    /// Its value: as given, else its default. A setting without a default
    /// that was not given is an error naming it.
    pub fn get(&self, raw: &RawSettings) -> Result<T, SettingError> {
        self.get_opt(raw)?.ok_or_else(|| SettingError {
            name: self.env.to_string(),
            value: String::new(),
            expected: self.expected.to_string(),
        })
    }

    /// Its value if given (or defaulted). An empty value of a setting
    /// without a default is "not given" (as the catalogue judges it).
    pub fn get_opt(&self, raw: &RawSettings) -> Result<Option<T>, SettingError> {
        let Some(given) = raw.get(self.env) else {
            return Ok(None);
        };
        let value = given.value.trim();
        if value.is_empty() && self.spec.default.is_none() {
            return Ok(None);
        }
        let error = |why: String| {
            let mut e = SettingError::new(given, why);
            if self.spec.secret {
                e.value = "<redacted>".into();
            }
            e
        };
        self.spec.judge(value).map_err(error)?;
        (self.parse)(value).map(Some).map_err(error)
    }
}

/// Where a raw value came from, so errors can name what the user actually set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Default(&'static str),
    /// The systemd credential of that name (`$CREDENTIALS_DIRECTORY`).
    Credential(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "--{name}"),
            Origin::Env(name) | Origin::Default(name) => f.write_str(name),
            Origin::Credential(name) => write!(f, "credential {name}"),
        }
    }
}

/// A raw string value plus its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue {
    pub value: String,
    pub origin: Origin,
}

/// A bad setting: which variable, what value, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub name: String,
    pub value: String,
    pub expected: String,
}

impl SettingError {
    pub fn new(raw: &RawValue, expected: impl Into<String>) -> Self {
        SettingError {
            name: raw.origin.to_string(),
            value: raw.value.clone(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {}={:?}: expected {}",
            self.name, self.value, self.expected
        )
    }
}

impl std::error::Error for SettingError {}

/// The settings after merging flags, environment and defaults; keyed by
/// environment variable name.
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    values: BTreeMap<&'static str, RawValue>,
}

impl RawSettings {
    pub fn insert(&mut self, env: &'static str, value: RawValue) {
        self.values.insert(env, value);
    }

    /// Records `value` as given in the environment variable `env`.
    pub fn insert_env(&mut self, env: &'static str, value: impl Into<String>) {
        let value = value.into();
        self.insert(
            env,
            RawValue {
                value,
                origin: Origin::Env(env),
            },
        );
    }

    /// Settings given as environment variables, `(name, value)` each.
    pub fn from_env_pairs<'a>(pairs: impl IntoIterator<Item = (&'static str, &'a str)>) -> Self {
        let mut settings = Self::default();
        for (env, value) in pairs {
            settings.insert_env(env, value);
        }
        settings
    }

    /// Judge every given value with its catalogue entry's check (the
    /// verdict `system-stats-bootconf --check` gives), before the daemon
    /// reads the settings it interprets together with others.
    pub fn judge_all(&self, specs: &[SettingSpec]) -> Result<(), SettingError> {
        for spec in specs {
            let Some(given) = self.get(spec.env) else {
                continue;
            };
            if let Err(why) = spec.judge(&given.value) {
                let mut e = SettingError::new(given, why);
                if spec.secret {
                    e.value = "<redacted>".into();
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// The raw value of a setting, if any was given or defaulted.
    pub fn get(&self, env: &str) -> Option<&RawValue> {
        self.values.get(env)
    }

    /// Parse a setting with `parse`; `expected` describes valid values.
    pub fn parse<T>(
        &self,
        env: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, SettingError> {
        match self.get(env) {
            None => Ok(None),
            Some(raw) => parse(raw.value.trim())
                .map(Some)
                .ok_or_else(|| SettingError::new(raw, expected)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_variable_value_and_expectation() {
        let raw = RawValue {
            value: "abc".into(),
            origin: Origin::Env("SYSTEM_STATS_PORT"),
        };
        let e = SettingError::new(&raw, "a port number 1-65535");
        assert_eq!(
            e.to_string(),
            "invalid SYSTEM_STATS_PORT=\"abc\": expected a port number 1-65535"
        );
    }

    const PORT: Setting<u16> = Setting::new(
        SettingSpec {
            env: "X_PORT",
            flag: "port",
            default: Some("5001"),
            help: "port",
            expected: "a port number",
            ..crate::settings::AGENT_BASE
        },
        |v| v.parse().map_err(|_| "a port number".into()),
    );

    #[test]
    fn declared_settings_parse_and_name_themselves() {
        let mut s = RawSettings::default();
        assert!(PORT.get(&s).unwrap_err().to_string().contains("X_PORT"));
        assert_eq!(PORT.get_opt(&s).unwrap(), None);
        s.insert_env("X_PORT", " 80 ");
        assert_eq!(PORT.get(&s).unwrap(), 80);
        assert_eq!(PORT.spec().default, Some("5001"));
    }

    #[test]
    fn flag_origin_is_named_as_flag() {
        let mut s = RawSettings::default();
        s.insert(
            "SYSTEM_STATS_PORT",
            RawValue {
                value: "x".into(),
                origin: Origin::Flag("port"),
            },
        );
        let e = s
            .parse("SYSTEM_STATS_PORT", "a port", |v| v.parse::<u16>().ok())
            .unwrap_err();
        assert_eq!(e.name, "--port");
    }
}
