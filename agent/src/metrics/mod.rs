//! Prometheus metrics: one list of metric families built by pure functions
//! from a snapshot plus raw counters (`families`), rendered by `text`. The
//! family list is the single source of names for every exporter.

pub mod families;
pub mod model;
pub mod node;
pub mod node_storage;
pub mod own;
pub mod raw;
pub mod text;

pub use families::families;
pub use model::{Labels, MetricFamily, MetricKind, Sample};
pub use raw::RawCounters;
