//! One task per destination: takes the oldest pending samples from the spool,
//! sends them, and moves the destination's cursor on 2xx (or on a permanent
//! rejection). Transient failures back off with jitter; 429 waits as
//! `Retry-After` says and then paces the backlog.

use crate::destination::{Destination, Outcome};
use crate::retry::{pace_after_429, Backoff, PACED_FOR};
use crate::shutdown;
use crate::spool::actor::SPOOL_PROMISE;
use crate::spool::{ReadPos, Record, SpoolHandle};
use crate::watchdog::Beat;
use reqwest::Client;
use std::sync::Arc;
use std::time::Duration;
use system_stats_common::notify;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use tracing::{error, info, warn};

/// Largest response body read (for the error text of a rejection).
const MAX_BODY: usize = 4096;

/// What a delivery task needs.
pub struct Delivery {
    pub destination: Arc<dyn Destination>,
    pub spool: SpoolHandle,
    pub client: Client,
    pub timeout: Duration,
    pub interval: Duration,
    /// Signalled by the poller after each new sample.
    pub new_sample: Arc<Notify>,
    pub shutdown: watch::Receiver<bool>,
    /// The watchdog's view of this task.
    pub beat: Beat,
}

impl Delivery {
    /// Deliver until shutdown. An in-flight request is allowed to finish
    /// (bounded by the request timeout); waits are cut short.
    pub async fn run(mut self) {
        let dest = Arc::clone(&self.destination);
        let mut backoff = Backoff::for_interval(self.interval);
        let pace = pace_after_429(self.interval);
        let mut paced_until: Option<Instant> = None;
        let mut last_post: Option<Instant> = None;
        let mut pos: Option<ReadPos> = None;
        while !shutdown::is_requested(&self.shutdown) {
            self.beat.within(SPOOL_PROMISE);
            let batch = self.spool.read(dest.key(), dest.max_batch(), pos).await;
            let batch = match batch {
                Ok(batch) => {
                    pos = batch.pos;
                    batch.records
                }
                Err(e) => {
                    error!(destination = dest.name(), "cannot read the spool: {e}");
                    self.sleep(backoff.next_delay(fastrand::f64())).await;
                    continue;
                }
            };
            let Some(first) = batch.first() else {
                // Woken by the poller, which the watchdog watches.
                self.beat.idle();
                tokio::select! {
                    _ = self.new_sample.notified() => {}
                    _ = shutdown::requested(&mut self.shutdown) => break,
                }
                continue;
            };
            let sample_ts = first.timestamp;
            let next = batch.last().map_or(first.seq, |r| r.seq) + 1;
            if let (Some(until), Some(last)) = (paced_until, last_post) {
                if Instant::now() < until {
                    self.sleep_until(last + pace).await;
                }
            }
            last_post = Some(Instant::now());
            match self.attempt(&batch).await {
                Outcome::Delivered => {
                    backoff.reset();
                    let backlog = self.advance(next).await;
                    info!(
                        destination = dest.name(),
                        sample_ts,
                        backlog,
                        "{}",
                        dest.describe(&batch)
                    );
                    notify::status(&format!(
                        "last delivery to {} ok (sample {sample_ts}); backlog {backlog}{}",
                        dest.name(),
                        crate::spool::store::health_note()
                    ));
                }
                Outcome::Rejected(reason) => {
                    backoff.reset();
                    let backlog = self.advance(next).await;
                    warn!(
                        destination = dest.name(),
                        sample_ts,
                        backlog,
                        "sample rejected by {}: {reason}; dropped it for this destination",
                        dest.name()
                    );
                }
                Outcome::Retry(reason) => {
                    let wait = backoff.next_delay(fastrand::f64());
                    self.beat.within(SPOOL_PROMISE);
                    let backlog = self.spool.pending(dest.key()).await;
                    warn!(
                        destination = dest.name(),
                        sample_ts,
                        backlog,
                        "delivery to {} failed: {reason}; retrying in {:.1}s",
                        dest.name(),
                        wait.as_secs_f64()
                    );
                    notify::status(&format!(
                        "{} unreachable ({reason}); backlog {backlog}{}",
                        dest.name(),
                        crate::spool::store::health_note()
                    ));
                    self.sleep(wait).await;
                }
                Outcome::RateLimited { after, reason } => {
                    let wait = after.unwrap_or_else(|| backoff.next_delay(fastrand::f64()));
                    paced_until = Some(Instant::now() + wait + PACED_FOR);
                    warn!(
                        destination = dest.name(),
                        sample_ts,
                        "rate limited by {}: {reason}; waiting {:.1}s, then at most one post per {:.1}s",
                        dest.name(),
                        wait.as_secs_f64(),
                        pace.as_secs_f64()
                    );
                    self.sleep(wait).await;
                }
            }
        }
        self.beat.idle();
    }

    /// Move the cursor past a finished batch; returns the backlog left.
    async fn advance(&self, next: u64) -> u64 {
        self.beat.within(SPOOL_PROMISE);
        self.spool.advance(self.destination.key(), next).await
    }

    async fn attempt(&self, batch: &[Record]) -> Outcome {
        self.beat.within(self.timeout);
        let request = self
            .destination
            .request(&self.client, batch)
            .timeout(self.timeout);
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Outcome::Retry(error_chain(&e)),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while body.len() < MAX_BODY {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk[..chunk.len().min(MAX_BODY - body.len())])
                }
                Ok(None) => break,
                // A 2xx whose body broke off still counts: the server has the sample.
                Err(e) if !status.is_success() => return Outcome::Retry(error_chain(&e)),
                Err(_) => break,
            }
        }
        self.destination.classify(
            status,
            retry_after.as_deref(),
            &String::from_utf8_lossy(&body),
        )
    }

    async fn sleep(&mut self, wait: Duration) {
        self.sleep_until(Instant::now() + wait).await;
    }

    async fn sleep_until(&mut self, deadline: Instant) {
        self.beat
            .within(deadline.saturating_duration_since(Instant::now()));
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {}
            _ = shutdown::requested(&mut self.shutdown) => {}
        }
    }
}

/// An error and its causes on one line ("error sending request: ... refused").
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
