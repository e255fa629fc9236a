//! The agent's TLS and authentication settings, declared once like the
//! others in `config`, and checked at start-up: the certificate and key
//! must load, the users file must be bcrypt htpasswd, the token is a secret
//! (its `*_FILE` twin or systemd credential keeps it out of the
//! environment). A bad file is one line naming the variable and the file.
//! Where the credentials came from is kept for SIGHUP (`AuthSources`).

use crate::server::auth::sources::{self, SourceFile, TokenSource};
use crate::server::auth::{htpasswd, AuthSources, Credentials};
use crate::server::tls::{self, LoadError, TlsFiles};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use system_stats_common::setting::{Origin, RawValue};
use system_stats_common::settings::{agent, validators as v};
use system_stats_common::{RawSettings, Secret, SecretSetting, Setting, SettingError};

pub const TLS_CERT_FILE: Setting<PathBuf> = Setting::new(agent::TLS_CERT_FILE, v::absolute_path);
pub const TLS_KEY_FILE: Setting<PathBuf> = Setting::new(agent::TLS_KEY_FILE, v::absolute_path);
pub const BASIC_AUTH_USERS_FILE: Setting<PathBuf> =
    Setting::new(agent::BASIC_AUTH_USERS_FILE, v::absolute_path);
pub const AUTH_TOKEN: Setting<String> = Setting::new(agent::AUTH_TOKEN, v::token);
pub const AUTH_TOKEN_FILE: Setting<PathBuf> =
    Setting::new(agent::AUTH_TOKEN_FILE, v::absolute_path);
pub const AUTH_EXEMPT: Setting<Vec<String>> = Setting::new(agent::AUTH_EXEMPT, v::path_list);
pub const AUTH_FAILURE_LIMIT: Setting<u32> =
    Setting::new(agent::AUTH_FAILURE_LIMIT, v::failure_limit);

pub const SECRETS: &[SecretSetting] = &[SecretSetting {
    env: AUTH_TOKEN.env,
    file_env: AUTH_TOKEN_FILE.env,
}];

/// TLS and authentication, as configured.
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// The files and the certificate loaded from them at start-up.
    pub tls: Option<(TlsFiles, Arc<CertifiedKey>)>,
    pub credentials: Credentials,
    /// The files `credentials` were read from, read again on SIGHUP.
    pub auth_sources: AuthSources,
    pub exempt: Vec<String>,
    pub failure_limit: u32,
}

/// The settings in `raw`, whose secrets were already read from their files
/// or from the systemd credentials in `credentials_dir`.
pub fn from_raw(
    raw: &RawSettings,
    credentials_dir: Option<&Path>,
) -> Result<Security, SettingError> {
    let token = AUTH_TOKEN.get_opt(raw)?.map(Secret::new);
    Ok(Security {
        tls: tls_from_raw(raw)?,
        auth_sources: AuthSources {
            users: given(raw, BASIC_AUTH_USERS_FILE.env).map(|f| SourceFile {
                named_by: BASIC_AUTH_USERS_FILE.env.to_string(),
                path: PathBuf::from(f.value.trim()),
            }),
            token: token_source(raw, token.clone(), credentials_dir),
        },
        credentials: Credentials {
            users: users_from_raw(raw)?,
            token,
        },
        exempt: AUTH_EXEMPT.get_opt(raw)?.unwrap_or_default(),
        failure_limit: AUTH_FAILURE_LIMIT.get(raw)?,
    })
}

fn given(raw: &RawSettings, env: &str) -> Option<RawValue> {
    raw.get(env).filter(|v| !v.value.trim().is_empty()).cloned()
}

fn tls_from_raw(raw: &RawSettings) -> Result<Option<(TlsFiles, Arc<CertifiedKey>)>, SettingError> {
    let (cert, key) = match (given(raw, TLS_CERT_FILE.env), given(raw, TLS_KEY_FILE.env)) {
        (None, None) => return Ok(None),
        (Some(c), Some(k)) => (c, k),
        (Some(c), None) => {
            return Err(SettingError::new(
                &c,
                "to be set together with SYSTEM_STATS_TLS_KEY_FILE",
            ))
        }
        (None, Some(k)) => {
            return Err(SettingError::new(
                &k,
                "to be set together with SYSTEM_STATS_TLS_CERT_FILE",
            ))
        }
    };
    let files = TlsFiles {
        cert: PathBuf::from(cert.value.trim()),
        key: PathBuf::from(key.value.trim()),
    };
    match tls::load(&files) {
        Ok(loaded) => Ok(Some((files, loaded))),
        Err(LoadError::Cert(why)) => Err(SettingError::new(&cert, why)),
        Err(LoadError::Key(why)) => Err(SettingError::new(&key, why)),
    }
}

fn users_from_raw(raw: &RawSettings) -> Result<Option<htpasswd::Users>, SettingError> {
    let Some(file) = given(raw, BASIC_AUTH_USERS_FILE.env) else {
        return Ok(None);
    };
    sources::read_users(Path::new(file.value.trim()))
        .map(Some)
        .map_err(|expected| SettingError::new(&file, expected))
}

/// The token's file or credential (as `read_secret_files` chose it), or the
/// token itself when it was given directly.
fn token_source(
    raw: &RawSettings,
    token: Option<Secret>,
    credentials_dir: Option<&Path>,
) -> TokenSource {
    let Some(token) = token else {
        return TokenSource::None;
    };
    let origin = raw.get(AUTH_TOKEN.env).map(|v| v.origin.clone());
    let path = match &origin {
        Some(Origin::Env(name)) if *name == AUTH_TOKEN_FILE.env => {
            given(raw, AUTH_TOKEN_FILE.env).map(|f| PathBuf::from(f.value.trim()))
        }
        Some(Origin::Credential(name)) => credentials_dir.map(|d| d.join(name)),
        _ => None,
    };
    match (origin, path) {
        (Some(origin), Some(path)) => TokenSource::File(SourceFile {
            named_by: origin.to_string(),
            path,
        }),
        _ => TokenSource::Fixed(token),
    }
}
