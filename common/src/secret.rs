//! A secret setting (a password, a token): its value is only reachable
//! through [`Secret::expose`]; `Debug` and `Display` print `<redacted>`, so
//! it cannot leak into a log line or an error message by accident. Loaded
//! from a value or from a file (for the `*_FILE` twins of secret settings).

use std::fmt;
use std::io;
use std::path::Path;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The file's content without its trailing line break(s), as written by
    /// `echo secret > file` or systemd's `LoadCredential=`.
    pub fn from_file(path: &Path) -> io::Result<Secret> {
        let text = std::fs::read_to_string(path)?;
        Ok(Secret(text.trim_end_matches(['\n', '\r']).to_string()))
    }

    /// The value itself: only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let s = Secret::new("hunter2");
        assert_eq!(
            format!("{s} {s:?} {:?}", Some(&s)),
            "<redacted> <redacted> Some(<redacted>)"
        );
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn from_a_file_without_its_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cr3t \n").unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), "s3cr3t ");
        assert!(Secret::from_file(&dir.path().join("missing")).is_err());
    }
}
