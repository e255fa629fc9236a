//! What each poll of the agent saw, broadcast to the tasks that act on the
//! latest state rather than on every spooled sample (MQTT, alert rules).

use serde_json::Value;
use std::sync::Arc;
use tokio::sync::broadcast;

/// One poll's result.
#[derive(Debug, Clone)]
pub enum Observation {
    /// The agent's `/system` snapshot, polled at `at` (Unix seconds).
    Snapshot { at: i64, snapshot: Arc<Value> },
    /// The agent could not be polled.
    Unreachable { at: i64, reason: String },
}

/// The poller's end; a listener that falls behind skips to the newest.
pub type Observations = broadcast::Sender<Observation>;

/// A channel for a few polls' worth of observations.
pub fn channel() -> Observations {
    broadcast::channel(8).0
}
