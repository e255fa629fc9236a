//! system-stats-bootconf: applies the settings of `system-stats.conf` (a
//! `KEY=value` file on the boot partition, editable from any laptop) to
//! `/etc/default/system-stats` (secrets to `/etc/credstore`) once, then renames it `system-stats.conf.applied`
//! with secrets removed. Pure parsing, validation and merging live in their own
//! modules; only `apply` touches the filesystem.

pub mod apply;
mod atomic_write;
pub mod avahi;
pub mod conffile;
pub mod credstore;
pub mod image_keys;
pub mod keys;
pub mod outcome;
pub mod parse;
pub mod redact;
pub mod web_password;
