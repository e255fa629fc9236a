//! The fixed-cadence poll loop: fetch the agent's snapshot, turn it into a
//! payload, hand it to the spool (without waiting for its fsync), wake the
//! delivery tasks once it is durable. With remote
//! write on, each poll also scrapes the agent's `/metrics` and spools that
//! text (the agent's list of names is the only one) with the poll time.

use crate::clock::Clock;
use crate::clock_gate::{ClockGate, Taken};
use crate::observation::{Observation, Observations};
use crate::payload::{self, DiskCounters, Throughput};
use crate::shutdown;
use crate::source;
use crate::spool::{Appended, DiskFull, Scraped, SpoolHandle};
use crate::watchdog::Beat;
use reqwest::{Client, Url};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{watch, Notify};
use tokio::time::MissedTickBehavior;
use tracing::{debug, error, warn};

pub struct Poller {
    pub source: Url,
    pub interval: Duration,
    pub timeout: Duration,
    pub client: Client,
    pub spool: SpoolHandle,
    pub spool_max_bytes: u64,
    /// The watchdog's view of this loop.
    pub beat: Beat,
    pub wake: Vec<Arc<Notify>>,
    pub shutdown: watch::Receiver<bool>,
    /// The agent's `/metrics`, scraped at each poll for remote write.
    pub exposition: Option<Url>,
    /// Whether JSON destinations need the payload (else `null` is spooled).
    pub keep_payload: bool,
    previous: Option<DiskCounters>,
    /// Where each poll's result is announced (MQTT, alerts).
    observers: Option<Observations>,
    /// Whether samples are spooled at all (false without HTTP destinations).
    spool_samples: bool,
    /// Holds samples until the clock is synchronized; stamps them.
    clock: ClockGate,
}

impl Poller {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        source: Url,
        interval: Duration,
        timeout: Duration,
        client: Client,
        spool: SpoolHandle,
        spool_max_bytes: u64,
        wake: Vec<Arc<Notify>>,
        shutdown: watch::Receiver<bool>,
        beat: Beat,
    ) -> Poller {
        Poller {
            source,
            interval,
            timeout,
            client,
            spool,
            spool_max_bytes,
            beat,
            wake,
            shutdown,
            exposition: None,
            keep_payload: true,
            previous: None,
            observers: None,
            spool_samples: true,
            clock: ClockGate::new(Clock::default(), Duration::from_secs(300)),
        }
    }

    /// Hold samples at most `wait` while the system clock (or the test
    /// seam's) is not synchronized.
    pub fn with_clock_wait(mut self, wait: Duration) -> Poller {
        self.clock = ClockGate::new(Clock::from_env(), wait);
        self
    }

    /// Also scrape `exposition` at each poll; `keep_payload` is false when
    /// no JSON destination is configured.
    pub fn with_exposition(mut self, exposition: Option<Url>, keep_payload: bool) -> Poller {
        self.exposition = exposition;
        self.keep_payload = keep_payload;
        self
    }

    /// Announce each poll's result on `observers`; spool samples only when
    /// `spool_samples` (some HTTP destination wants them).
    pub fn with_observers(
        mut self,
        observers: Option<Observations>,
        spool_samples: bool,
    ) -> Poller {
        self.observers = observers;
        self.spool_samples = spool_samples;
        self
    }

    fn observe(&self, observation: Observation) {
        if let Some(observers) = &self.observers {
            // No listener yet is not an error.
            let _ = observers.send(observation);
        }
    }

    /// Poll every `interval` (ticks missed by a slow poll are skipped, never
    /// shifted) until shutdown.
    pub async fn run(mut self) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut stop = self.shutdown.clone();
        loop {
            self.beat.within(self.interval);
            tokio::select! {
                _ = ticks.tick() => {
                    // Fetch and scrape, each bounded by the timeout.
                    self.beat.within(self.timeout * 2);
                    tokio::select! {
                        _ = self.poll_once() => {}
                        _ = shutdown::requested(&mut stop) => break,
                    }
                }
                _ = shutdown::requested(&mut stop) => break,
            }
        }
        self.beat.idle();
    }

    async fn poll_once(&mut self) {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let timestamp = ms.div_euclid(1000);
        let polled_at = std::time::Instant::now();
        let snapshot = match source::snapshot(&self.client, &self.source, self.timeout).await {
            Ok(snapshot) => snapshot,
            Err(reason) => {
                warn!(source = %self.source, sample_ts = timestamp, "no sample this cycle: {reason}");
                self.observe(Observation::Unreachable {
                    at: timestamp,
                    reason: reason.to_string(),
                });
                return;
            }
        };
        if self.observers.is_some() {
            self.observe(Observation::Snapshot {
                at: timestamp,
                snapshot: Arc::new(snapshot.clone()),
            });
        }
        if !self.spool_samples {
            return;
        }
        let prom = match self.exposition.clone() {
            Some(url) => {
                match source::scrape(&self.client, &url, self.timeout, &snapshot, ms).await {
                    Ok(prom) => Some(prom),
                    Err(reason) => {
                        warn!(source = %url, sample_ts = timestamp, "no /metrics data this cycle: {reason}");
                        if !self.keep_payload {
                            return;
                        }
                        None
                    }
                }
            }
            None => None,
        };
        let snapshot = if self.keep_payload {
            let counters = DiskCounters::from_snapshot(&snapshot, polled_at);
            let throughput = Throughput::between(self.previous.as_ref(), counters.as_ref());
            self.previous = counters;
            Some((snapshot, throughput))
        } else {
            None
        };
        let taken = Taken {
            at: polled_at,
            snapshot,
            prom,
        };
        for (ms, taken) in self.clock.pass(taken) {
            self.spool_sample(ms, taken);
        }
    }

    /// Stamp one sample and hand it to the spool.
    fn spool_sample(&self, ms: i64, taken: Taken) {
        let timestamp = ms.div_euclid(1000);
        let payload = match taken.snapshot {
            Some((snapshot, throughput)) => match payload::build(snapshot, timestamp, throughput) {
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
            },
            None => Value::Null,
        };
        let prom = taken.prom.map(|prom| Scraped { ms, ..prom });
        // Sent to the spool now (keeping the order of samples); its fsync is
        // awaited elsewhere so that a slow disk never delays the next poll.
        let appended = self.spool.append(timestamp, payload, prom);
        let wake = self.wake.clone();
        let cap = self.spool_max_bytes;
        tokio::spawn(async move { spooled(appended.await, timestamp, cap, &wake) });
    }
}

/// Log what became of a sample handed to the spool; wake the deliveries.
fn spooled(appended: std::io::Result<Appended>, timestamp: i64, cap: u64, wake: &[Arc<Notify>]) {
    let appended = match appended {
        Ok(appended) => appended,
        Err(e) => {
            error!(
                sample_ts = timestamp,
                "cannot spool the sample, it is lost: {e}"
            );
            return;
        }
    };
    debug!(sample_ts = timestamp, seq = appended.seq, "sample spooled");
    if let Some(e) = &appended.not_synced {
        error!(
            sample_ts = timestamp,
            "the spool's fsync failed ({e}): the sample is kept and sent, \
             but may not survive a power cut"
        );
    }
    let lost = || {
        let lost: Vec<String> = appended
            .lost
            .iter()
            .map(|(key, n)| format!("{n} undelivered to {key}"))
            .collect();
        if lost.is_empty() {
            "all delivered".to_string()
        } else {
            lost.join(", ")
        }
    };
    match appended.disk_full {
        // Once per episode: a full disk would otherwise log every poll.
        DiskFull::Started => warn!(
            dropped = appended.dropped,
            "the spool's disk is full: dropped the {} oldest samples ({}) to keep the new \
             ones; while it stays full, older samples keep making room (not logged again)",
            appended.dropped,
            lost()
        ),
        DiskFull::Ongoing => debug!(
            dropped = appended.dropped,
            "disk still full: dropped the {} oldest samples ({})",
            appended.dropped,
            lost()
        ),
        DiskFull::No if appended.dropped > 0 => warn!(
            dropped = appended.dropped,
            "spool full (cap {cap} bytes): dropped the {} oldest samples ({})",
            appended.dropped,
            lost()
        ),
        DiskFull::No => {}
    }
    for wake in wake {
        wake.notify_one();
    }
}
