//! system-stats agent: a tiny host-metrics service. `config` parses settings,
//! `platform` collects (one `collect::Collector` per OS), `collect` coalesces
//! requests above it and guards kernel calls, `sampler` keeps the CPU window,
//! `storage_watch` turns filesystem health changes into events, `history`
//! keeps the charts' series and `power` the Pi's power/heat events, `http`
//! serves it (every response through `http_response`), `app` ties them together.
//! `rollbacks` reads the upgrades the image's guard rolled back (events of their own).
//! `serve` is the listener in front of `http`: `tls` and the `auth` gate,
//! configured by `security_settings` and read again on SIGHUP by `reload`.

pub mod app;
pub mod auth;
pub mod bootconf_banner;
pub mod collect;
pub mod config;
pub mod cpu_usage;
pub mod history;
pub mod http;
pub mod http_alerts;
pub mod http_history;
pub mod http_response;
pub mod metrics;
pub mod platform;
pub mod power;
pub mod reload;
pub mod rollbacks;
pub mod sampler;
pub mod security_settings;
pub mod serve;
pub mod snapshot;
pub mod storage_watch;
pub mod tls;
pub mod units;
