//! Checking an `Authorization` header against the configured users (bcrypt)
//! and bearer token. Verified headers are cached (by digest) so repeated
//! scrapes skip bcrypt; token digests are compared in constant time; an
//! unknown user is checked against a dummy hash of the same cost, so a
//! wrong user name takes as long as a wrong password. One bcrypt check
//! runs at a time, so a flood of bad credentials cannot take every
//! blocking thread from the collections.

use super::cache::{digest, Digest32, VerifiedCache};
use super::htpasswd::{self, Users};
use base64::Engine;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;
use system_stats_common::Secret;

/// What is accepted.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub users: Option<Users>,
    pub token: Option<Secret>,
}

impl Credentials {
    pub fn any(&self) -> bool {
        self.users.is_some() || self.token.is_some()
    }
}

/// The result of one check; `user` is who was claimed (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied {
        reason: &'static str,
        user: Option<String>,
    },
}

fn denied(reason: &'static str) -> Verdict {
    Verdict::Denied { reason, user: None }
}

pub struct Authenticator {
    users: Users,
    token: Option<Digest32>,
    dummy_hash: String,
    cache: Mutex<VerifiedCache>,
    bcrypt_slot: tokio::sync::Semaphore,
}

impl Authenticator {
    /// Build the checker; hashing the dummy password costs one bcrypt run.
    pub fn new(credentials: &Credentials) -> Arc<Self> {
        let users = credentials.users.clone().unwrap_or_default();
        let cost = users
            .values()
            .filter_map(|h| htpasswd::cost(h))
            .max()
            .unwrap_or(bcrypt::DEFAULT_COST);
        let dummy_hash = bcrypt::hash("not a password of anyone", cost).unwrap_or_default();
        Arc::new(Authenticator {
            users,
            token: credentials
                .token
                .as_ref()
                .map(|t| digest(t.expose().as_bytes())),
            dummy_hash,
            cache: Mutex::new(VerifiedCache::default()),
            bcrypt_slot: tokio::sync::Semaphore::new(1),
        })
    }

    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Check a header value; bcrypt runs on the blocking pool.
    pub async fn check(self: &Arc<Self>, header: Option<&[u8]>) -> Verdict {
        let Some(header) = header else {
            return denied("no credentials");
        };
        let key = digest(header);
        if self.cache.lock().is_ok_and(|c| c.get(&key).is_some()) {
            return Verdict::Allowed;
        }
        let Ok(text) = std::str::from_utf8(header) else {
            return denied("malformed Authorization header");
        };
        let (scheme, rest) = text.trim().split_once(' ').unwrap_or((text, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return self.check_token(rest.trim());
        }
        if !scheme.eq_ignore_ascii_case("basic") {
            return denied("unsupported Authorization scheme");
        }
        let Some((user, password)) = decode_basic(rest.trim()) else {
            return denied("malformed basic credentials");
        };
        if !self.has_users() {
            return denied("basic authentication is not enabled");
        }
        let known = self.users.get(&user);
        let hash = known.unwrap_or(&self.dummy_hash).clone();
        let Ok(_slot) = self.bcrypt_slot.acquire().await else {
            return denied("shutting down");
        };
        let ok = tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(false);
        let shown = Some(user.chars().take(64).collect::<String>());
        match (known, ok) {
            (Some(_), true) => {
                if let Ok(mut c) = self.cache.lock() {
                    c.insert(key, &user);
                }
                Verdict::Allowed
            }
            (Some(_), false) => Verdict::Denied {
                reason: "wrong password",
                user: shown,
            },
            (None, _) => Verdict::Denied {
                reason: "unknown user",
                user: shown,
            },
        }
    }

    fn check_token(&self, presented: &str) -> Verdict {
        let Some(expected) = &self.token else {
            return denied("bearer authentication is not enabled");
        };
        if bool::from(digest(presented.as_bytes()).ct_eq(expected)) {
            Verdict::Allowed
        } else {
            denied("wrong bearer token")
        }
    }
}

/// `base64(user:password)` → (user, password).
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> Vec<u8> {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {b}").into_bytes()
    }

    fn auth() -> Arc<Authenticator> {
        let hash = bcrypt::hash("secret", 4).unwrap();
        let users = htpasswd::parse(&format!("alice:{hash}\n")).unwrap();
        Authenticator::new(&Credentials {
            users: Some(users),
            token: Some(Secret::new("tok-123")),
        })
    }

    #[tokio::test]
    async fn basic_bearer_and_their_failures() {
        let a = auth();
        assert_eq!(
            a.check(Some(&basic("alice", "secret"))).await,
            Verdict::Allowed
        );
        assert_eq!(a.cache.lock().unwrap().len(), 1);
        // cached: still allowed
        assert_eq!(
            a.check(Some(&basic("alice", "secret"))).await,
            Verdict::Allowed
        );
        assert_eq!(a.check(Some(b"Bearer tok-123")).await, Verdict::Allowed);
        assert_eq!(a.check(Some(b"bearer  tok-123 ")).await, Verdict::Allowed);
        let reason = |v: Verdict| match v {
            Verdict::Denied { reason, .. } => reason,
            Verdict::Allowed => "allowed",
        };
        assert_eq!(
            reason(a.check(Some(&basic("alice", "Secret"))).await),
            "wrong password"
        );
        assert_eq!(
            reason(a.check(Some(&basic("bob", "secret"))).await),
            "unknown user"
        );
        assert_eq!(
            reason(a.check(Some(b"Bearer tok-124")).await),
            "wrong bearer token"
        );
        assert_eq!(reason(a.check(None).await), "no credentials");
        assert_eq!(
            reason(a.check(Some(b"Basic !!!")).await),
            "malformed basic credentials"
        );
        assert_eq!(
            reason(a.check(Some(b"Digest x")).await),
            "unsupported Authorization scheme"
        );
        // failures are not cached
        assert_eq!(a.cache.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn token_only_rejects_basic_and_the_dummy_hash_has_the_users_cost() {
        let a = Authenticator::new(&Credentials {
            users: None,
            token: Some(Secret::new("t")),
        });
        match a.check(Some(&basic("alice", "secret"))).await {
            Verdict::Denied { reason, .. } => assert!(reason.contains("not enabled")),
            v => panic!("{v:?}"),
        }
        assert_eq!(htpasswd::cost(&auth().dummy_hash), Some(4));
    }
}
