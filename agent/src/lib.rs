//! system-stats agent: a tiny host-metrics service. The root holds the
//! daemon itself: `config` parses settings, `app` ties the parts together,
//! `units` has the small helpers every collector shares. Beside it:
//! `platform` collects (one `collect::Collector` per OS); `collect` coalesces
//! requests above it, guards kernel calls, and keeps the CPU window
//! (`collect::sampler`, `cpu_usage`); `snapshot` and `metrics` are
//! what a collection becomes (JSON, Prometheus text); `history` keeps the
//! charts' series, `power` the Pi's power/heat events, `storage_watch` turns
//! filesystem health changes into events and `rollbacks` reads the upgrades
//! the image's guard rolled back. `server` is the network side: the
//! `listener` with `tls` and the `auth` gate, configured by
//! `security_settings` and read again on SIGHUP by `reload`, in front of the
//! warp routes of `server::http` (every response through `http::response`).
//! The `web/` folder holds the status page's files, embedded at build time.

pub mod app;
pub mod collect;
pub mod config;
pub mod cpu_usage;
pub mod history;
pub mod metrics;
pub mod platform;
pub mod power;
pub mod rollbacks;
pub mod server;
pub mod snapshot;
pub mod storage_watch;
pub mod units;
