//! The card's `web_password`: the basic-auth user `admin` of the agent (a
//! bcrypt htpasswd line in the credential `SYSTEM_STATS_BASIC_AUTH_USERS`,
//! which the agent's unit loads), and the same credentials for the
//! forwarder, which polls the agent (`SYSTEM_STATS_SOURCE_*`).

use std::path::Path;

use crate::credstore;
use system_stats_common::settings::{agent, forwarder};

/// The user the card's password is for.
pub const USER: &str = "admin";
/// Where systemd puts the agent's credentials.
pub const USERS_FILE: &str = "/run/credentials/system-stats.service/SYSTEM_STATS_BASIC_AUTH_USERS";
/// bcrypt cost: a Raspberry Pi checks a password in well under a second.
const COST: u32 = 10;

/// Writes the credentials; returns the conffile settings that use them.
pub fn apply(
    credstore_dir: &Path,
    password: &str,
) -> Result<Vec<(&'static str, &'static str)>, String> {
    let hash = bcrypt::hash(password, COST).map_err(|e| format!("web_password: {e}"))?;
    credstore::write(credstore_dir, credstore::USERS, &format!("{USER}:{hash}\n"))?;
    credstore::write(credstore_dir, forwarder::SOURCE_PASSWORD.env, password)?;
    Ok(vec![
        (agent::BASIC_AUTH_USERS_FILE.env, USERS_FILE),
        (forwarder::SOURCE_USERNAME.env, USER),
    ])
}
