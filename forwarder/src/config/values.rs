//! The forwarder's helpers for setting values (URLs, tokens) and
//! the spool directory's default and creation.

use reqwest::Url;
use std::path::{Path, PathBuf};
use system_stats_common::setting::RawValue;
use system_stats_common::settings::validators;
use system_stats_common::{Secret, SettingError};

pub use system_stats_common::settings::validators::URL_EXPECTED;

/// An absolute http(s) URL with a host (the catalogue's check).
pub fn parse_url(value: &str) -> Option<Url> {
    validators::http_url(value).ok()
}

/// The error for a bad secret: names the setting, never echoes the value.
pub fn secret_error(raw: &RawValue, expected: &str) -> SettingError {
    let redacted = RawValue {
        value: "<redacted>".into(),
        origin: raw.origin.clone(),
    };
    SettingError::new(&redacted, expected)
}

/// A bearer token (trimmed; `None` when empty): it must fit in a header.
pub fn bearer_token(raw: Option<&RawValue>) -> Result<Option<Secret>, SettingError> {
    let Some(raw) = raw.filter(|t| !t.value.trim().is_empty()) else {
        return Ok(None);
    };
    let token = raw.value.trim();
    if reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
        return Err(secret_error(raw, "a token of visible ASCII characters"));
    }
    Ok(Some(Secret::new(token)))
}

/// `$STATE_DIRECTORY` (first entry) when systemd sets it, else
/// `$XDG_STATE_HOME/system-stats`, else `~/.local/state/system-stats`.
pub fn default_spool_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(state) = non_empty("STATE_DIRECTORY") {
        let first = state.split(':').next().unwrap_or_default().to_string();
        return Some(PathBuf::from(first));
    }
    if let Some(xdg) = non_empty("XDG_STATE_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Some(Path::new(&xdg).join("system-stats"));
    }
    non_empty("HOME").map(|home| Path::new(&home).join(".local/state/system-stats"))
}

/// Create the spool directory named by `raw` (if missing). Only a path
/// that cannot be a directory is an error: a read-only, failing or missing
/// disk is not a configuration error (the forwarder then forwards from
/// memory until the directory can be written).
pub fn create_spool_dir(raw: &RawValue) -> Result<PathBuf, SettingError> {
    if raw.value.is_empty() {
        return Err(SettingError::new(
            raw,
            "a directory (none given and neither STATE_DIRECTORY, XDG_STATE_HOME nor HOME is set)",
        ));
    }
    let path = PathBuf::from(&raw.value);
    match std::fs::create_dir_all(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(SettingError::new(
            raw,
            format!("a directory (a part of the path is a file: {e})"),
        )),
        _ if path.exists() && !path.is_dir() => Err(SettingError::new(raw, "a directory")),
        _ => Ok(path),
    }
}
