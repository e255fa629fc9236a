//! The agent's network side: the `listener` (TCP, optional `tls`, the
//! `auth` gate in front of the routes), its `security_settings` checked at
//! start-up and read again on SIGHUP by `reload`, and the warp routes in
//! `http`.

pub mod auth;
pub mod http;
pub mod listener;
pub mod reload;
pub mod security_settings;
pub mod tls;
