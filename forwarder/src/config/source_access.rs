//! How the forwarder reaches an agent that serves HTTPS with authentication
//! (the agent's `SYSTEM_STATS_TLS_*` and `*_AUTH_*` settings): a bearer
//! token or a user name and password, both secrets with `*_FILE` twins and
//! systemd credentials, and the CA certificate that signed the agent's
//! (self-signed) certificate. Only requests to the agent carry these.

use super::values::{bearer_token, secret_error};
use std::path::PathBuf;
use system_stats_common::setting::RawValue;
use system_stats_common::settings::{forwarder as f, validators};
use system_stats_common::{RawSettings, Secret, SecretSetting, Setting, SettingError, SettingSpec};

const fn text(spec: SettingSpec) -> Setting<String> {
    Setting::new(spec, validators::any_text)
}

pub const SOURCE_TOKEN: Setting<String> = text(f::SOURCE_TOKEN);
pub const SOURCE_TOKEN_FILE: Setting<String> = text(f::SOURCE_TOKEN_FILE);
pub const SOURCE_USERNAME: Setting<String> = text(f::SOURCE_USERNAME);
pub const SOURCE_PASSWORD: Setting<String> = text(f::SOURCE_PASSWORD);
pub const SOURCE_PASSWORD_FILE: Setting<String> = text(f::SOURCE_PASSWORD_FILE);
pub const SOURCE_CA_FILE: Setting<String> = text(f::SOURCE_CA_FILE);

pub const SECRETS: &[SecretSetting] = &[
    SecretSetting {
        env: SOURCE_TOKEN.env,
        file_env: SOURCE_TOKEN_FILE.env,
    },
    SecretSetting {
        env: SOURCE_PASSWORD.env,
        file_env: SOURCE_PASSWORD_FILE.env,
    },
];

/// The credentials sent to the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SourceAuth {
    #[default]
    None,
    Bearer(Secret),
    Basic {
        username: String,
        password: Secret,
    },
}

#[derive(Debug, Clone, Default)]
pub struct SourceAccess {
    pub auth: SourceAuth,
    /// The CA file and its PEM text, checked to hold certificates.
    pub ca: Option<(PathBuf, Vec<u8>)>,
}

fn non_empty<'a>(raw: &'a RawSettings, name: &str) -> Option<&'a RawValue> {
    raw.get(name).filter(|v| !v.value.trim().is_empty())
}

pub fn from_raw(raw: &RawSettings) -> Result<SourceAccess, SettingError> {
    let token_raw = non_empty(raw, SOURCE_TOKEN.env);
    let token = bearer_token(token_raw)?;
    let username = non_empty(raw, SOURCE_USERNAME.env);
    let password = non_empty(raw, SOURCE_PASSWORD.env);
    let auth = match (token, username, password) {
        (None, None, None) => SourceAuth::None,
        (Some(t), None, None) => SourceAuth::Bearer(t),
        (Some(_), Some(u), _) => {
            return Err(SettingError::new(
                u,
                format!(
                    "either a user or {} for the agent, not both",
                    SOURCE_TOKEN.env
                ),
            ))
        }
        (Some(_), None, Some(p)) | (None, None, Some(p)) => {
            return Err(secret_error(
                p,
                &format!("to be set together with {}", SOURCE_USERNAME.env),
            ))
        }
        (None, Some(u), None) => {
            return Err(SettingError::new(
                u,
                format!(
                    "to be set together with {} (or its _FILE twin)",
                    SOURCE_PASSWORD.env
                ),
            ))
        }
        (None, Some(u), Some(p)) => SourceAuth::Basic {
            username: u.value.trim().to_string(),
            password: Secret::new(p.value.clone()),
        },
    };
    let ca = match non_empty(raw, SOURCE_CA_FILE.env) {
        None => None,
        Some(file) => Some(read_ca(file)?),
    };
    Ok(SourceAccess { auth, ca })
}

fn read_ca(file: &RawValue) -> Result<(PathBuf, Vec<u8>), SettingError> {
    let path = PathBuf::from(file.value.trim());
    let pem = std::fs::read(&path)
        .map_err(|e| SettingError::new(file, format!("a readable PEM CA file ({e})")))?;
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok((path, pem)),
        Ok(_) => Err(SettingError::new(
            file,
            "a PEM CA file (no CERTIFICATE block found)",
        )),
        Err(e) => Err(SettingError::new(file, format!("a PEM CA file ({e})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&'static str, &str)]) -> RawSettings {
        RawSettings::from_env_pairs(pairs.iter().copied())
    }

    #[test]
    fn one_scheme_and_its_pairs() {
        assert_eq!(from_raw(&raw(&[])).unwrap().auth, SourceAuth::None);
        assert_eq!(
            from_raw(&raw(&[("SYSTEM_STATS_SOURCE_TOKEN", "t")]))
                .unwrap()
                .auth,
            SourceAuth::Bearer(Secret::new("t"))
        );
        let basic = raw(&[
            ("SYSTEM_STATS_SOURCE_USERNAME", "prom"),
            ("SYSTEM_STATS_SOURCE_PASSWORD", "pw"),
        ]);
        assert_eq!(
            from_raw(&basic).unwrap().auth,
            SourceAuth::Basic {
                username: "prom".into(),
                password: Secret::new("pw")
            }
        );
        for (pairs, names) in [
            (
                vec![("SYSTEM_STATS_SOURCE_PASSWORD", "hunter2")],
                "SYSTEM_STATS_SOURCE_PASSWORD",
            ),
            (
                vec![("SYSTEM_STATS_SOURCE_USERNAME", "u")],
                "SYSTEM_STATS_SOURCE_USERNAME",
            ),
            (
                vec![
                    ("SYSTEM_STATS_SOURCE_USERNAME", "u"),
                    ("SYSTEM_STATS_SOURCE_TOKEN", "t"),
                ],
                "SYSTEM_STATS_SOURCE_USERNAME",
            ),
            (
                vec![("SYSTEM_STATS_SOURCE_CA_FILE", "/no/ca.pem")],
                "SYSTEM_STATS_SOURCE_CA_FILE",
            ),
        ] {
            let err = from_raw(&raw(&pairs)).unwrap_err().to_string();
            assert!(err.contains(names) && !err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn a_ca_file_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ca.pem");
        std::fs::write(&f, "not pem\n").unwrap();
        let err = from_raw(&raw(&[(
            "SYSTEM_STATS_SOURCE_CA_FILE",
            f.to_str().unwrap(),
        )]))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("SYSTEM_STATS_SOURCE_CA_FILE") && err.contains("PEM"),
            "{err}"
        );
    }
}
