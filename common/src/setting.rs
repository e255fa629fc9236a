//! Resolved raw settings (flag > environment > default) and the one-line error
//! every binary prints when a value is wrong.

use std::collections::BTreeMap;
use std::fmt;

/// Where a raw value came from, so errors can name what the user actually set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Default(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "--{name}"),
            Origin::Env(name) | Origin::Default(name) => f.write_str(name),
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
