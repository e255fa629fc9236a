//! Parsing an htpasswd file of bcrypt lines (`htpasswd -B`, node_exporter's
//! `basic_auth_users`): `user:$2y$10$…`, blank lines and `#` comments
//! allowed. Pure: the caller reads the file.

use std::collections::HashMap;

/// User name → bcrypt hash.
pub type Users = HashMap<String, String>;

/// The users of `text`, or what is wrong with it (a line number and a reason,
/// never the hash itself).
pub fn parse(text: &str) -> Result<Users, String> {
    let mut users = Users::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((user, hash)) = line.split_once(':') else {
            return Err(format!("line {n}: not user:hash"));
        };
        if user.is_empty() {
            return Err(format!("line {n}: empty user name"));
        }
        if !is_bcrypt(hash) {
            return Err(format!(
                "line {n}: user {user:?} has no bcrypt hash (make it with htpasswd -B)"
            ));
        }
        if users.insert(user.to_string(), hash.to_string()).is_some() {
            return Err(format!("line {n}: user {user:?} appears twice"));
        }
    }
    if users.is_empty() {
        return Err("no user in the file".into());
    }
    Ok(users)
}

/// `$2a$`, `$2b$`, `$2x$` or `$2y$`, a two-digit cost from 4 to 31 and 53
/// characters of salt and hash: 60 in all.
fn is_bcrypt(hash: &str) -> bool {
    let b = hash.as_bytes();
    b.len() == 60
        && b.starts_with(b"$2")
        && matches!(b[2], b'a' | b'b' | b'x' | b'y')
        && b[3] == b'$'
        && b[6] == b'$'
        && cost(hash).is_some_and(|c| (4..=31).contains(&c))
        && b[7..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/')
}

/// The cost factor of a bcrypt hash checked by [`parse`].
pub fn cost(hash: &str) -> Option<u32> {
    hash.get(4..6)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // the shape of `htpasswd -nbB -C 4 alice …`
    const ALICE: &str = "$2y$04$Rhv4B5SDLq4fAmI.Z1yIEuZt7bB1aNlmfeW9gjE7BlqrcJNvoL6y6";

    #[test]
    fn bcrypt_lines_comments_and_blanks() {
        let text = format!(
            "# users\n\nalice:{ALICE}\nbob:{}\n",
            ALICE.replace("$2y$", "$2b$")
        );
        let users = parse(&text).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users["alice"], ALICE);
        assert_eq!(cost(ALICE), Some(4));
    }

    #[test]
    fn errors_name_the_line_and_never_the_hash() {
        for (text, needle) in [
            ("alice\n".to_string(), "line 1: not user:hash"),
            (format!("\n:{ALICE}"), "line 2: empty user name"),
            (
                "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=".into(),
                "line 1: user \"alice\" has no bcrypt",
            ),
            ("alice:$apr1$abc$def".into(), "has no bcrypt"),
            (format!("alice:{}", &ALICE[..59]), "has no bcrypt"),
            (
                format!("alice:{}", ALICE.replace("$04$", "$99$")),
                "has no bcrypt",
            ),
            (
                format!("a:{ALICE}\na:{ALICE}"),
                "line 2: user \"a\" appears twice",
            ),
            ("# nobody\n".into(), "no user"),
        ] {
            let err = parse(&text).unwrap_err();
            assert!(err.contains(needle), "{text:?}: {err}");
            assert!(!err.contains("Rhv4B5"), "{err}");
        }
    }
}
