//! A destination's identity, the name of its cursor file in the spool: the
//! kind, the URL without credentials and the user name, made file-name safe
//! and followed by a hash of the whole. No secret (password, token) enters
//! it: a cursor file name cannot be brute-forced to a password (even by
//! someone who reads the whole spool, which a key stored there would not
//! prevent), and rotating a password or a token keeps the destination and
//! its backlog. Another user name, URL or kind is another destination.
//!
//! Earlier versions hashed the whole URL (password included) for JSON
//! servers and `format!("{:?}", auth)` for remote write; those keys are
//! computed here once more, only to rename old cursor files.

use reqwest::Url;

/// The file-name-safe readable part (at most 80 characters) of `display`,
/// then a 64-bit hash of `identity`.
pub fn key_for(display: &str, identity: &str) -> String {
    let readable: String = display
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!("{readable}-{:016x}", fnv1a(identity.as_bytes()))
}

/// FNV-1a 64: stable across Rust releases, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `url` without user and password, for logs and file names.
pub fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// A JSON server: its URL with the user name (if any) but no password.
pub fn json_server_key(url: &Url) -> String {
    let mut identity = url.clone();
    let _ = identity.set_password(None);
    key_for(&display_url(url), identity.as_str())
}

/// The key before identities were explicit: the hash covered the whole URL,
/// password included. `None` when the URL has no password (then the key
/// has not changed).
pub fn legacy_json_server_key(url: &Url) -> Option<String> {
    url.password()?;
    Some(key_for(&display_url(url), url.as_str()))
}

/// A remote-write endpoint: its URL (credentials already taken out) and
/// the basic-auth user name, if any.
pub fn remote_write_key(url: &Url, user: Option<&str>) -> String {
    let identity = format!("remote_write {url}\nuser={}", user.unwrap_or_default());
    key_for(&format!("rw-{}", display_url(url)), &identity)
}

/// The key before identities were explicit: `auth_debug` is what
/// `format!("{:?}", auth)` printed for the endpoint's authentication.
pub fn legacy_remote_write_key(url: &Url, auth_debug: &str) -> String {
    let identity = format!("remote_write {url} {auth_debug}");
    key_for(&format!("rw-{}", display_url(url)), &identity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn keys_are_safe_and_distinct() {
        let a = json_server_key(&url("http://h:1/metrics"));
        let b = json_server_key(&url("http://u:p@h:1/metrics"));
        assert_ne!(a, b, "another user is another destination");
        assert!(a.starts_with("http___h_1_metrics-"));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    }

    /// Pinned: changing these renames every cursor, and a renamed cursor's
    /// destination counts as new (its backlog is skipped).
    #[test]
    fn known_configs_have_known_cursor_names() {
        let push = url("https://mimir.example/api/v1/push");
        assert_eq!(
            remote_write_key(&push, Some("me")),
            "rw-https___mimir.example_api_v1_push-0bc3ef19bfb6bae8"
        );
        assert_eq!(
            remote_write_key(&push, None),
            "rw-https___mimir.example_api_v1_push-163cc6f7daba4582"
        );
        assert_eq!(
            json_server_key(&url("http://127.0.0.1:5050/metrics")),
            "http___127.0.0.1_5050_metrics-fbcfe9005c7e1e40"
        );
    }

    #[test]
    fn secrets_are_not_part_of_the_identity() {
        assert_eq!(
            json_server_key(&url("https://me:old@host/metrics")),
            json_server_key(&url("https://me:new@host/metrics"))
        );
        assert_eq!(legacy_json_server_key(&url("https://me@host/m")), None);
        assert_ne!(
            legacy_json_server_key(&url("https://me:pw@host/m")),
            Some(json_server_key(&url("https://me:pw@host/m")))
        );
    }
}
