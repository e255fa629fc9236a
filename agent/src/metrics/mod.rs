//! Prometheus metrics: one list of metric families built by pure functions
//! from a snapshot plus raw counters (`families`), rendered by `text`. The
//! family list is the single source of names for every exporter: node_exporter
//! names in `node` (one file per collector, all registered there), ours in
//! `system_stats` (+ `_storage`, `_events`).

pub mod exposition;
pub mod families;
pub mod model;
pub mod node;
pub mod system_stats;
pub mod system_stats_events;
pub mod system_stats_storage;
pub mod text;

pub use exposition::exposition;
pub use families::families;
pub use model::{Labels, MetricFamily, MetricKind, Sample};
pub use node::raw::RawCounters;
