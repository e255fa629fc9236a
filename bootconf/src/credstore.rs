//! Secrets from `system-stats.conf` go to systemd's credential store,
//! `/etc/credstore/<NAME>` (mode 0600, root), which the units load with
//! `LoadCredential=<NAME>`: the value never reaches the conffile, the daemons'
//! environment or `systemctl show`.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use crate::atomic_write::write_atomically;

/// The settings the units load as credentials: their `LoadCredential=` names
/// (a test checks this list against `debian/*.service`).
pub const CREDENTIALS: &[&str] = &[
    "SYSTEM_STATS_AUTH_TOKEN",
    "SYSTEM_STATS_FORWARD_TOKEN",
    "SYSTEM_STATS_REMOTE_WRITE_PASSWORD",
    "SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN",
    "SYSTEM_STATS_SOURCE_TOKEN",
    "SYSTEM_STATS_SOURCE_PASSWORD",
    "SYSTEM_STATS_MQTT_PASSWORD",
    "SYSTEM_STATS_ALERT_TOKEN",
    USERS,
];

/// The agent's htpasswd file made from the card's `web_password`.
pub const USERS: &str = "SYSTEM_STATS_BASIC_AUTH_USERS";

pub fn is_credential(key: &str) -> bool {
    CREDENTIALS.contains(&key)
}

/// Writes credential `name` into `dir` (created 0700 when missing), mode 0600.
pub fn write(dir: &Path, name: &str, value: &str) -> Result<(), String> {
    if !dir.is_dir() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomically(&dir.join(name), value.as_bytes(), 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_a_root_only_file_in_a_root_only_directory() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("credstore");
        write(&dir, "SYSTEM_STATS_FORWARD_TOKEN", "t0k").expect("write");
        write(&dir, "SYSTEM_STATS_FORWARD_TOKEN", "t1k").expect("write again");
        let file = dir.join("SYSTEM_STATS_FORWARD_TOKEN");
        assert_eq!(fs::read_to_string(&file).expect("read"), "t1k");
        let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(
            fs::read_dir(&dir).expect("ls").count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn an_unwritable_store_is_an_error_naming_it() {
        let e = write(Path::new("/proc/version/credstore"), "X", "v").expect_err("must fail");
        assert!(
            e.starts_with("cannot create /proc/version/credstore"),
            "{e}"
        );
    }
}
