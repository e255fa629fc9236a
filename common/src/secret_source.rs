//! Where a secret setting's value comes from. Besides its variable `NAME`
//! (which ends up in the process environment), each secret can be read from
//! a file named by its `NAME_FILE` twin, or, under systemd, from the
//! credential `NAME` (`LoadCredential=`, `LoadCredentialEncrypted=`) in
//! `$CREDENTIALS_DIRECTORY`. The value read takes `NAME`'s place in the raw
//! settings, so each secret is still checked in one place; errors name the
//! source, never the value.

use crate::secret::Secret;
use crate::setting::{Origin, RawSettings, RawValue, SettingError};
use std::path::Path;

/// A secret setting: its variable and the variable naming a file with it.
#[derive(Debug, Clone, Copy)]
pub struct SecretSetting {
    pub env: &'static str,
    pub file_env: &'static str,
}

/// Replace each secret's raw value by the one read from its file or
/// credential. Two sources for one secret are an error (which one would
/// win is not obvious), as is a file that cannot be read or is empty.
pub fn read_secret_files(
    raw: &mut RawSettings,
    secrets: &[SecretSetting],
    credentials_dir: Option<&Path>,
) -> Result<(), SettingError> {
    for s in secrets {
        let given = |name: &str| raw.get(name).filter(|v| !v.value.trim().is_empty());
        let direct = given(s.env).map(|v| v.origin.to_string());
        let file = given(s.file_env).cloned();
        let credential = credentials_dir
            .map(|dir| dir.join(s.env))
            .filter(|p| p.exists());
        let source = match (file, credential) {
            (Some(f), Some(_)) => return Err(conflict(&f, "the credential")),
            (Some(f), None) => {
                if let Some(d) = direct {
                    return Err(conflict(&f, &d));
                }
                let path = f.value.trim().to_string();
                (read(Path::new(&path), &f)?, Origin::Env(s.file_env))
            }
            (None, Some(c)) => {
                let shown = RawValue {
                    value: c.display().to_string(),
                    origin: Origin::Credential(s.env),
                };
                if let Some(d) = direct {
                    return Err(conflict(&shown, &d));
                }
                (read(&c, &shown)?, Origin::Credential(s.env))
            }
            (None, None) => continue,
        };
        raw.insert(
            s.env,
            RawValue {
                value: source.0.expose().to_string(),
                origin: source.1,
            },
        );
    }
    Ok(())
}

fn read(path: &Path, named: &RawValue) -> Result<Secret, SettingError> {
    read_secret_file(path).map_err(|expected| SettingError::new(named, expected))
}

/// The secret in the file at `path` (without its trailing line break), or
/// what was expected of the file: readable, and not empty.
pub fn read_secret_file(path: &Path) -> Result<Secret, String> {
    match Secret::from_file(path) {
        Ok(s) if s.expose().trim().is_empty() => {
            Err("a file holding the value (it is empty)".into())
        }
        Ok(s) => Ok(s),
        Err(e) => Err(format!("a readable file ({e})")),
    }
}

/// `named` (a file or credential) and `other` both give this secret.
fn conflict(named: &RawValue, other: &str) -> SettingError {
    SettingError::new(
        named,
        format!("one source for this secret, but {other} is set too: remove one"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: SecretSetting = SecretSetting {
        env: "X_TOKEN",
        file_env: "X_TOKEN_FILE",
    };

    fn raw(pairs: &[(&'static str, &str)]) -> RawSettings {
        RawSettings::from_env_pairs(pairs.iter().copied())
    }

    #[test]
    fn file_twin_replaces_the_value_and_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t");
        std::fs::write(&f, "from-file\n").unwrap();
        let mut r = raw(&[("X_TOKEN_FILE", f.to_str().unwrap())]);
        read_secret_files(&mut r, &[TOKEN], None).unwrap();
        let v = r.get("X_TOKEN").unwrap();
        assert_eq!(v.value, "from-file");
        assert_eq!(v.origin.to_string(), "X_TOKEN_FILE");
    }

    #[test]
    fn credential_is_read_when_present_and_ignored_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = raw(&[]);
        read_secret_files(&mut r, &[TOKEN], Some(dir.path())).unwrap();
        assert!(r.get("X_TOKEN").is_none());
        std::fs::write(dir.path().join("X_TOKEN"), "cred").unwrap();
        read_secret_files(&mut r, &[TOKEN], Some(dir.path())).unwrap();
        let v = r.get("X_TOKEN").unwrap();
        assert_eq!(v.value, "cred");
        assert_eq!(v.origin.to_string(), "credential X_TOKEN");
    }

    #[test]
    fn two_sources_missing_or_empty_files_are_errors_without_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t");
        std::fs::write(&f, "s3cr3t").unwrap();
        let path = f.to_str().unwrap();
        let e = read_secret_files(
            &mut raw(&[("X_TOKEN", "s3cr3t"), ("X_TOKEN_FILE", path)]),
            &[TOKEN],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("X_TOKEN_FILE") && e.contains("remove one"),
            "{e}"
        );
        assert!(!e.contains("s3cr3t\""), "{e}");

        std::fs::write(dir.path().join("X_TOKEN"), "c").unwrap();
        let e = read_secret_files(&mut raw(&[("X_TOKEN", "v")]), &[TOKEN], Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid credential X_TOKEN="), "{e}");

        let missing = dir.path().join("missing");
        let e = read_secret_files(
            &mut raw(&[("X_TOKEN_FILE", missing.to_str().unwrap())]),
            &[TOKEN],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("X_TOKEN_FILE") && e.contains("a readable file"),
            "{e}"
        );

        std::fs::write(&f, "\n").unwrap();
        let e = read_secret_files(&mut raw(&[("X_TOKEN_FILE", path)]), &[TOKEN], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("it is empty"), "{e}");
    }
}
