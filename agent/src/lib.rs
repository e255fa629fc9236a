//! system-stats agent: a tiny host-metrics service. `config` parses settings,
//! `platform` collects (one module per OS), `sampler` keeps the CPU window,
//! `http` serves it, `app` ties them together.

pub mod app;
pub mod config;
pub mod cpu_usage;
pub mod http;
pub mod metrics;
pub mod platform;
pub mod sampler;
pub mod snapshot;
pub mod snapshot_sections;
pub mod units;
