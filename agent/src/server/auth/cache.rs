//! Remembers `Authorization` header values that verified, so a scraper's
//! repeated requests cost a SHA-256 and a map lookup instead of a bcrypt
//! run. Keys are SHA-256 digests (the header itself is not kept); the
//! size is bounded (when full, the cache starts over). Pure.

use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub const MAX_ENTRIES: usize = 1024;

pub type Digest32 = [u8; 32];

pub fn digest(value: &[u8]) -> Digest32 {
    Sha256::digest(value).into()
}

/// Verified header digests → the user they belong to.
#[derive(Debug, Default)]
pub struct VerifiedCache {
    entries: HashMap<Digest32, String>,
}

impl VerifiedCache {
    pub fn get(&self, key: &Digest32) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    pub fn insert(&mut self, key: Digest32, user: &str) {
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
            self.entries.clear();
        }
        self.entries.insert(key, user.to_string());
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_stays_bounded() {
        let mut c = VerifiedCache::default();
        let k = digest(b"Basic YWxpY2U6c2VjcmV0");
        assert_eq!(c.get(&k), None);
        c.insert(k, "alice");
        assert_eq!(c.get(&k), Some("alice"));
        assert_ne!(digest(b"Basic YWxpY2U6c2VjcmV1"), k);
        for i in 0..(MAX_ENTRIES * 2) {
            c.insert(digest(&i.to_le_bytes()), "u");
            assert!(c.len() <= MAX_ENTRIES);
        }
    }
}
