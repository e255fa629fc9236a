//! Where the credentials come from, kept so SIGHUP can read them again:
//! the users file (`SYSTEM_STATS_BASIC_AUTH_USERS_FILE`) and the token's
//! file or systemd credential. A token given directly in the environment
//! cannot be re-read and stays as it was. Errors name the variable and the
//! file, never a secret.

use super::htpasswd::{self, Users};
use super::verify::Credentials;
use std::path::{Path, PathBuf};
use system_stats_common::secret_source::read_secret_file;
use system_stats_common::Secret;

/// A file holding part of the credentials, and the setting that named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The variable (or `credential NAME`) shown in messages.
    pub named_by: String,
    pub path: PathBuf,
}

/// Where the token comes from.
#[derive(Debug, Clone, Default)]
pub enum TokenSource {
    #[default]
    None,
    /// Given directly: nothing to read again.
    Fixed(Secret),
    File(SourceFile),
}

/// The sources of the credentials, as configured at start-up.
#[derive(Debug, Clone, Default)]
pub struct AuthSources {
    pub users: Option<SourceFile>,
    pub token: TokenSource,
}

/// A source that could not be used: which one, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub file: SourceFile,
    pub expected: String,
}

impl AuthSources {
    /// Read every source again.
    pub fn load(&self) -> Result<Credentials, SourceError> {
        let users = match &self.users {
            None => None,
            Some(f) => Some(read_users(&f.path).map_err(|expected| SourceError {
                file: f.clone(),
                expected,
            })?),
        };
        let token = match &self.token {
            TokenSource::None => None,
            TokenSource::Fixed(t) => Some(t.clone()),
            TokenSource::File(f) => {
                Some(read_secret_file(&f.path).map_err(|expected| SourceError {
                    file: f.clone(),
                    expected,
                })?)
            }
        };
        Ok(Credentials { users, token })
    }
}

/// The users of an htpasswd file, or what was expected of it.
pub fn read_users(path: &Path) -> Result<Users, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("a readable htpasswd file ({e})"))?;
    htpasswd::parse(&text).map_err(|why| format!("an htpasswd file of bcrypt lines ({why})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_again_and_names_the_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let users = dir.path().join("users");
        let token = dir.path().join("token");
        let hash = bcrypt::hash("pw", 4).unwrap();
        std::fs::write(&users, format!("alice:{hash}\n")).unwrap();
        std::fs::write(&token, "tok\n").unwrap();
        let file = |name: &str, path: &Path| SourceFile {
            named_by: name.into(),
            path: path.to_path_buf(),
        };
        let sources = AuthSources {
            users: Some(file("USERS", &users)),
            token: TokenSource::File(file("TOKEN", &token)),
        };
        let c = sources.load().unwrap();
        assert!(c.users.unwrap().contains_key("alice"));
        assert_eq!(c.token.unwrap().expose(), "tok");

        std::fs::write(&token, "\n").unwrap();
        let e = sources.load().unwrap_err();
        assert_eq!(e.file.named_by, "TOKEN");
        assert!(e.expected.contains("empty"), "{}", e.expected);

        std::fs::write(&users, "alice:plain\n").unwrap();
        let e = sources.load().unwrap_err();
        assert_eq!(e.file.named_by, "USERS");
        assert!(e.expected.contains("line 1"), "{}", e.expected);
        assert!(!e.expected.contains("plain"), "{}", e.expected);

        std::fs::remove_file(&users).unwrap();
        assert!(sources.load().unwrap_err().expected.contains("readable"));

        let fixed = AuthSources {
            users: None,
            token: TokenSource::Fixed(Secret::new("direct")),
        };
        assert_eq!(fixed.load().unwrap().token.unwrap().expose(), "direct");
    }
}
