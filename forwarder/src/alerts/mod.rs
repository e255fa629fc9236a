//! Alerts: the rules ([`rules`]) turn each poll's observation into firing
//! and resolved messages, which go into a spool of their own
//! (`<spool dir>/alerts`) and from there to each receiver through the usual
//! delivery tasks, at least once and across receiver outages. The rules'
//! episodes are saved beside it, so a restart neither repeats nor forgets one.

pub mod receiver;
pub mod rules;
pub mod status;

use crate::config::alerts::Thresholds;
use crate::observation::Observation;
use crate::shutdown;
use crate::spool::SpoolHandle;
use rules::Rules;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{broadcast, watch, Notify};
use tracing::{error, info, warn};

/// The alert task's inputs.
pub struct Alerting {
    pub thresholds: Thresholds,
    pub spool: SpoolHandle,
    pub wakes: Vec<Arc<Notify>>,
    pub observations: broadcast::Receiver<Observation>,
    pub shutdown: watch::Receiver<bool>,
    /// Where the episodes are saved (`<spool dir>/alerts/episodes.json`).
    pub episodes_file: PathBuf,
    /// The agent's `/events` (for `upgrade_rolled_back`) and its client.
    pub events: Option<(reqwest::Url, reqwest::Client, std::time::Duration)>,
}

impl Alerting {
    pub async fn run(mut self) {
        let mut rules = load(&self.episodes_file).await;
        loop {
            let observation = tokio::select! {
                got = self.observations.recv() => match got {
                    Ok(o) => o,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        warn!("alerts: {n} polls skipped (busy)");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = shutdown::requested(&mut self.shutdown) => break,
            };
            let before = rules.clone();
            let mut alerts = rules.observe(&self.thresholds, &observation);
            if let (Observation::Snapshot { at, .. }, Some(events)) =
                (&observation, self.events_list().await)
            {
                alerts.extend(rules.observe_events(&events, *at));
            }
            for alert in &alerts {
                info!(
                    kind = alert.kind,
                    state = alert.state,
                    "alert {} {}: {}",
                    alert.kind,
                    alert.state,
                    alert.message
                );
                let value = match serde_json::to_value(alert) {
                    Ok(v) => v,
                    Err(e) => {
                        error!("cannot encode an alert: {e}");
                        continue;
                    }
                };
                // Durable before the episode is saved: at least once.
                if let Err(e) = self.spool.append(alert.at, value, None).await {
                    error!("cannot spool the alert {} {}: {e}", alert.kind, alert.state);
                }
            }
            for wake in &self.wakes {
                wake.notify_one();
            }
            if rules != before {
                save(&self.episodes_file, &rules).await;
            }
        }
    }
}

impl Alerting {
    /// The agent's events, when it keeps a history (else none: `/events` is 404).
    async fn events_list(&self) -> Option<Vec<serde_json::Value>> {
        let (url, client, timeout) = self.events.as_ref()?;
        let body = crate::source::get(client, url, *timeout).await.ok()?;
        let value: serde_json::Value = serde_json::from_slice(&body).ok()?;
        value.get("events")?.as_array().cloned()
    }
}

async fn load(path: &Path) -> Rules {
    let path = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || std::fs::read(&path)).await;
    match read {
        Ok(Ok(bytes)) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            warn!("alerts: ignoring the unreadable saved episodes ({e})");
            Rules::default()
        }),
        _ => Rules::default(),
    }
}

async fn save(path: &Path, rules: &Rules) {
    let Ok(body) = serde_json::to_vec(rules) else {
        return;
    };
    let path = path.to_path_buf();
    let shown = path.display().to_string();
    let written = tokio::task::spawn_blocking(move || status::write_atomically(&path, &body)).await;
    if let Ok(Err(e)) = written {
        warn!("alerts: cannot save the episodes to {shown}: {e}");
    }
}
