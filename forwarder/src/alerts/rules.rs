//! Pure alert rules with hysteresis: each poll's observation updates one
//! episode per kind; an episode fires once when its condition holds and
//! resolves once when the condition has been clear (below the threshold
//! minus a margin) for [`CLEAR_POLLS`] polls in a row, so a flapping value
//! does not storm a phone.

use crate::config::alerts::Thresholds;
use crate::mqtt::discovery::storage_errors;
use crate::observation::Observation;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Polls in a row the condition must be clear before an episode resolves.
pub const CLEAR_POLLS: u32 = 3;
/// A temperature alert resolves this many °C below its threshold.
pub const TEMP_MARGIN_C: f64 = 5.0;
/// A disk alert resolves this many points below its threshold.
pub const DISK_MARGIN: f64 = 2.0;

/// An alert message: one firing or one resolved per episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub host: String,
    pub kind: String,
    /// `firing` or `resolved`.
    pub state: String,
    /// When the episode began (Unix seconds).
    pub since: i64,
    /// When this message was raised (Unix seconds).
    pub at: i64,
    pub value: Value,
    pub message: String,
}

/// One kind's episode, kept across restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub firing: bool,
    pub since: i64,
    #[serde(default)]
    pub clear_polls: u32,
}

/// A condition's reading at one poll.
enum Reading {
    /// The condition holds: fire (or keep firing).
    Active(Value, String),
    /// Neither: keeps the episode as it is (the hysteresis band).
    Hold,
    /// Clearly over: counts towards resolving.
    Clear(Value, String),
}

/// The rules' memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    pub episodes: BTreeMap<String, Episode>,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub unreachable_polls: u32,
    #[serde(default)]
    pub unsynchronized_since: Option<i64>,
    /// `seen_at` of the newest `upgrade_rolled_back` event already alerted.
    #[serde(default)]
    pub rollback_seen: Option<i64>,
}

impl Rules {
    /// The alerts this observation raises (none most of the time).
    pub fn observe(&mut self, t: &Thresholds, observation: &Observation) -> Vec<Alert> {
        let mut readings: Vec<(&str, Reading)> = Vec::new();
        let at = match observation {
            Observation::Unreachable { at, reason } => {
                self.unreachable_polls += 1;
                let n = self.unreachable_polls;
                let reading = if n >= t.unreachable_polls {
                    Reading::Active(
                        json!(n),
                        format!("the agent is unreachable ({n} polls in a row): {reason}"),
                    )
                } else {
                    Reading::Hold
                };
                readings.push(("agent_unreachable", reading));
                *at
            }
            Observation::Snapshot { at, snapshot } => {
                self.unreachable_polls = 0;
                if let Some(h) = snapshot.pointer("/system/hostname").and_then(Value::as_str) {
                    self.host = h.to_string();
                }
                readings.push((
                    "agent_unreachable",
                    Reading::Clear(json!(0), "the agent answers again".into()),
                ));
                self.snapshot_readings(t, *at, snapshot, &mut readings);
                *at
            }
        };
        readings
            .into_iter()
            .filter_map(|(kind, reading)| self.step(kind, reading, at))
            .collect()
    }

    /// The agent's `/events` list at `at`: an `upgrade_rolled_back` event
    /// newer than the last one alerted fires; the episode resolves after
    /// [`CLEAR_POLLS`] polls without a newer one.
    pub fn observe_events(&mut self, events: &[Value], at: i64) -> Option<Alert> {
        let newest = events
            .iter()
            .filter(|e| e["kind"] == "upgrade_rolled_back")
            .filter_map(|e| e["seen_at"].as_i64())
            .max();
        let reading = match (newest, self.rollback_seen) {
            (Some(new), seen) if seen.is_none_or(|s| new > s) => {
                self.rollback_seen = Some(new);
                Reading::Active(json!(new), "an upgrade was rolled back".into())
            }
            _ => Reading::Clear(json!(null), "no further rollback".into()),
        };
        // A rollback fires again even while the previous episode is open.
        if matches!(reading, Reading::Active(..)) {
            if let Some(e) = self.episodes.get_mut("upgrade_rolled_back") {
                e.firing = false;
            }
        }
        self.step("upgrade_rolled_back", reading, at)
    }

    fn snapshot_readings(
        &mut self,
        t: &Thresholds,
        at: i64,
        s: &Value,
        out: &mut Vec<(&'static str, Reading)>,
    ) {
        let flag = |p: &str| s.pointer(p).and_then(Value::as_bool);
        let boolean = |on: Option<bool>, yes: &str, no: &str| match on {
            Some(true) => Reading::Active(json!(true), yes.to_string()),
            Some(false) => Reading::Clear(json!(false), no.to_string()),
            None => Reading::Hold,
        };
        out.push((
            "under_voltage",
            boolean(
                flag("/raspberry_pi/throttled/under_voltage_now"),
                "under-voltage: the power supply is too weak",
                "the supply voltage is normal again",
            ),
        ));
        out.push((
            "throttled",
            boolean(
                flag("/raspberry_pi/throttled/throttled_now"),
                "the CPU is throttled",
                "the CPU is no longer throttled",
            ),
        ));
        let storage = s.get("filesystems").is_some().then(|| storage_errors(s));
        out.push((
            "storage",
            boolean(
                storage,
                "storage errors, or the root filesystem is read-only",
                "no storage errors; the root filesystem is writable",
            ),
        ));
        let temp = s
            .pointer("/cpu/temperature_c")
            .or_else(|| s.pointer("/raspberry_pi/cpu_temperature_c"))
            .and_then(Value::as_f64);
        out.push((
            "temperature",
            threshold(temp, t.temp_c, TEMP_MARGIN_C, "temperature", "°C"),
        ));
        let disk = s.pointer("/disk/percent").and_then(Value::as_f64);
        out.push((
            "disk",
            threshold(disk, t.disk_percent, DISK_MARGIN, "disk use", "%"),
        ));
        let clock = match flag("/system/clock_synchronized") {
            Some(false) => {
                let since = *self.unsynchronized_since.get_or_insert(at);
                let minutes = (at - since) / 60;
                if at - since >= t.clock_unsynchronized.as_secs() as i64 {
                    Reading::Active(
                        json!(minutes),
                        format!("the clock has not been synchronized for {minutes} min"),
                    )
                } else {
                    Reading::Hold
                }
            }
            Some(true) => {
                self.unsynchronized_since = None;
                Reading::Clear(json!(0), "the clock is synchronized again".into())
            }
            None => Reading::Hold,
        };
        out.push(("clock_unsynchronized", clock));
    }

    /// Advance one kind's episode; the alert it raises, if any.
    fn step(&mut self, kind: &str, reading: Reading, at: i64) -> Option<Alert> {
        let episode = self.episodes.entry(kind.to_string()).or_default();
        let (state, value, message) = match reading {
            Reading::Active(value, message) => {
                episode.clear_polls = 0;
                if episode.firing {
                    return None;
                }
                episode.firing = true;
                episode.since = at;
                ("firing", value, message)
            }
            Reading::Hold => {
                episode.clear_polls = 0;
                return None;
            }
            Reading::Clear(value, message) => {
                if !episode.firing {
                    return None;
                }
                episode.clear_polls += 1;
                if episode.clear_polls < CLEAR_POLLS {
                    return None;
                }
                episode.firing = false;
                episode.clear_polls = 0;
                ("resolved", value, message)
            }
        };
        Some(Alert {
            host: self.host.clone(),
            kind: kind.to_string(),
            state: state.to_string(),
            since: episode.since,
            at,
            value,
            message: format!("{}: {message}", self.host),
        })
    }
}

/// A numeric rule: active at or above `limit`, clear below `limit - margin`.
fn threshold(value: Option<f64>, limit: f64, margin: f64, what: &str, unit: &str) -> Reading {
    match value {
        Some(v) if v >= limit => Reading::Active(
            json!(v),
            format!("{what} {v:.1} {unit} (alert at {limit} {unit})"),
        ),
        Some(v) if v < limit - margin => {
            Reading::Clear(json!(v), format!("{what} back to {v:.1} {unit}"))
        }
        Some(_) => Reading::Hold,
        None => Reading::Hold,
    }
}

#[cfg(test)]
mod tests;
