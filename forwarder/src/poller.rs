//! The fixed-cadence poll loop: fetch the agent's snapshot, turn it into a
//! payload, append it durably to the spool, wake the delivery tasks. Also
//! sends the systemd watchdog pings, proving this loop is alive. With remote
//! write on, each poll also scrapes the agent's `/metrics` and spools that
//! text (the agent's list of names is the only one) with the poll time.

use crate::payload::{self, DiskCounters, Throughput};
use crate::remote_write::exposition;
use crate::shutdown;
use crate::spool::{Scraped, Spool};
use reqwest::{Client, Url};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use system_stats_common::notify;
use tokio::sync::{watch, Notify};
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{debug, error, warn};

/// Largest snapshot accepted from the agent.
const MAX_SNAPSHOT: usize = 4 << 20;

pub struct Poller {
    pub source: Url,
    pub interval: Duration,
    pub timeout: Duration,
    pub client: Client,
    pub spool: Arc<Mutex<Spool>>,
    pub spool_max_bytes: u64,
    pub wake: Vec<Arc<Notify>>,
    pub shutdown: watch::Receiver<bool>,
    /// The agent's `/metrics`, scraped at each poll for remote write.
    pub exposition: Option<Url>,
    /// Whether JSON destinations need the payload (else `null` is spooled).
    pub keep_payload: bool,
    previous: Option<DiskCounters>,
}

impl Poller {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        source: Url,
        interval: Duration,
        timeout: Duration,
        client: Client,
        spool: Arc<Mutex<Spool>>,
        spool_max_bytes: u64,
        wake: Vec<Arc<Notify>>,
        shutdown: watch::Receiver<bool>,
    ) -> Poller {
        Poller {
            source,
            interval,
            timeout,
            client,
            spool,
            spool_max_bytes,
            wake,
            shutdown,
            exposition: None,
            keep_payload: true,
            previous: None,
        }
    }

    /// Also scrape `exposition` at each poll; `keep_payload` is false when
    /// no JSON destination is configured.
    pub fn with_exposition(mut self, exposition: Option<Url>, keep_payload: bool) -> Poller {
        self.exposition = exposition;
        self.keep_payload = keep_payload;
        self
    }

    /// Poll every `interval` (ticks missed by a slow poll are skipped, never
    /// shifted) until shutdown.
    pub async fn run(mut self) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut watchdog = notify::watchdog_interval().map(tokio::time::interval);
        let mut stop = self.shutdown.clone();
        loop {
            tokio::select! {
                _ = ticks.tick() => {
                    tokio::select! {
                        _ = self.poll_once() => {}
                        _ = shutdown::requested(&mut stop) => break,
                    }
                }
                _ = watchdog_tick(&mut watchdog) => notify::watchdog(),
                _ = shutdown::requested(&mut stop) => break,
            }
        }
    }

    async fn poll_once(&mut self) {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let timestamp = ms.div_euclid(1000);
        let polled_at = std::time::Instant::now();
        let snapshot = match self.fetch().await {
            Ok(snapshot) => snapshot,
            Err(reason) => {
                warn!(source = %self.source, sample_ts = timestamp, "no sample this cycle: {reason}");
                return;
            }
        };
        let prom = match self.exposition.clone() {
            Some(url) => match self.scrape(&url, &snapshot, ms).await {
                Ok(prom) => Some(prom),
                Err(reason) => {
                    warn!(source = %url, sample_ts = timestamp, "no /metrics data this cycle: {reason}");
                    if !self.keep_payload {
                        return;
                    }
                    None
                }
            },
            None => None,
        };
        let payload = if self.keep_payload {
            let counters = DiskCounters::from_snapshot(&snapshot, polled_at);
            let throughput = Throughput::between(self.previous.as_ref(), counters.as_ref());
            self.previous = counters;
            match payload::build(snapshot, timestamp, throughput) {
                Ok(payload) => payload,
                Err(missing) => {
                    warn!(
                        source = %self.source,
                        sample_ts = timestamp,
                        field = missing.0,
                        "skipping this cycle's sample: {missing} (the monitoring server requires it)"
                    );
                    return;
                }
            }
        } else {
            Value::Null
        };
        let appended = {
            let mut spool = self.spool.lock().unwrap_or_else(|p| p.into_inner());
            spool.append_with(timestamp, &payload, prom.as_ref())
        };
        match appended {
            Ok(appended) => {
                debug!(sample_ts = timestamp, seq = appended.seq, "sample spooled");
                if appended.dropped > 0 {
                    let lost: Vec<String> = appended
                        .lost
                        .iter()
                        .map(|(key, n)| format!("{n} undelivered to {key}"))
                        .collect();
                    warn!(
                        dropped = appended.dropped,
                        "spool full (cap {} bytes): dropped the {} oldest samples ({})",
                        self.spool_max_bytes,
                        appended.dropped,
                        if lost.is_empty() {
                            "all delivered".to_string()
                        } else {
                            lost.join(", ")
                        }
                    );
                }
                for wake in &self.wake {
                    wake.notify_one();
                }
            }
            Err(e) => error!(
                sample_ts = timestamp,
                "cannot spool the sample, it is lost: {e}"
            ),
        }
    }

    /// The agent's exposition, checked to parse, comments left out.
    async fn scrape(&self, url: &Url, snapshot: &Value, ms: i64) -> Result<Scraped, String> {
        let instance = snapshot
            .get("system")
            .and_then(|s| s.get("hostname"))
            .and_then(Value::as_str)
            .filter(|h| !h.is_empty())
            .ok_or("the snapshot has no system.hostname for the instance label")?
            .to_string();
        let body = self.get(url).await?;
        let text = String::from_utf8(body).map_err(|_| "/metrics is not UTF-8".to_string())?;
        exposition::parse(&text).map_err(|e| format!("/metrics is not exposition text ({e})"))?;
        Ok(Scraped {
            ms,
            instance,
            text: exposition::samples_only(&text),
        })
    }

    async fn fetch(&self) -> Result<Value, String> {
        let body = self.get(&self.source).await?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(value @ Value::Object(_)) => Ok(value),
            Ok(_) => Err("agent's answer is JSON but not an object".into()),
            Err(e) => Err(format!("agent's answer is not JSON ({e})")),
        }
    }

    async fn get(&self, url: &Url) -> Result<Vec<u8>, String> {
        let request = self.client.get(url.clone()).timeout(self.timeout);
        let mut response = request
            .send()
            .await
            .map_err(|e| format!("agent unreachable: {}", crate::delivery::error_chain(&e)))?;
        if !response.status().is_success() {
            return Err(format!("agent answered HTTP {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            format!(
                "reading the agent's answer: {}",
                crate::delivery::error_chain(&e)
            )
        })? {
            if body.len() + chunk.len() > MAX_SNAPSHOT {
                return Err(format!(
                    "agent's answer is larger than {MAX_SNAPSHOT} bytes"
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

async fn watchdog_tick(watchdog: &mut Option<tokio::time::Interval>) -> Instant {
    match watchdog {
        Some(interval) => interval.tick().await,
        None => std::future::pending().await,
    }
}
