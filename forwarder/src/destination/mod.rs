//! Destinations: how a batch of spooled samples is encoded into an HTTP
//! request and what a response means. The seed's monitoring server (one JSON
//! sample per POST) is the first kind; others (e.g. Prometheus remote_write,
//! several samples per request) implement the same trait.

pub mod identity;
mod json_server;

use crate::retry::parse_retry_after;
use crate::spool::Record;
pub use json_server::JsonServer;
use reqwest::{Client, RequestBuilder, StatusCode};
use std::time::{Duration, SystemTime};

/// What a delivery attempt's response means for the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: the batch leaves the spool for this destination.
    Delivered,
    /// Transient failure (5xx, 408, network): retry with backoff.
    Retry(String),
    /// 429: wait as long as asked (or back off when not said), then resume.
    RateLimited {
        after: Option<Duration>,
        reason: String,
    },
    /// Other 4xx: the server will never take this batch; drop it.
    Rejected(String),
}

/// A kind of place samples are delivered to.
pub trait Destination: Send + Sync {
    /// For logs: the URL without credentials.
    fn name(&self) -> &str;
    /// Stable, file-name-safe key of this destination's cursor in the spool
    /// (see [`identity`]).
    fn key(&self) -> &str;
    /// Keys earlier versions gave this destination's cursor: an old cursor
    /// file found under one of them is renamed to [`Destination::key`].
    fn legacy_keys(&self) -> Vec<String> {
        Vec::new()
    }
    /// How many oldest pending samples one request carries.
    fn max_batch(&self) -> usize;
    /// The request delivering `batch` (never empty, at most `max_batch`).
    fn request(&self, client: &Client, batch: &[Record]) -> RequestBuilder;
    /// The log line for a delivered batch.
    fn describe(&self, batch: &[Record]) -> String;
    /// What a response means; plain HTTP semantics unless a kind knows better.
    fn classify(&self, status: StatusCode, retry_after: Option<&str>, body: &str) -> Outcome {
        classify_http(status, retry_after, body, SystemTime::now())
    }
}

/// The usual meaning of an HTTP response for a delivery.
pub fn classify_http(
    status: StatusCode,
    retry_after: Option<&str>,
    body: &str,
    now: SystemTime,
) -> Outcome {
    let reason = || {
        let text = one_line(body, 300);
        if text.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {text}")
        }
    };
    match status.as_u16() {
        200..=299 => Outcome::Delivered,
        429 => Outcome::RateLimited {
            after: retry_after.and_then(|v| parse_retry_after(v, now)),
            reason: reason(),
        },
        408 => Outcome::Retry(reason()),
        400..=499 => Outcome::Rejected(reason()),
        _ => Outcome::Retry(reason()),
    }
}

/// `text` on one line, cut to `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

pub use identity::display_url;

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(code: u16, retry_after: Option<&str>, body: &str) -> Outcome {
        classify_http(
            StatusCode::from_u16(code).unwrap(),
            retry_after,
            body,
            SystemTime::now(),
        )
    }

    #[test]
    fn http_meanings() {
        assert_eq!(classify(200, None, ""), Outcome::Delivered);
        assert_eq!(classify(204, None, ""), Outcome::Delivered);
        assert!(matches!(classify(500, None, ""), Outcome::Retry(_)));
        assert!(matches!(classify(503, None, ""), Outcome::Retry(_)));
        assert!(matches!(classify(408, None, ""), Outcome::Retry(_)));
        assert_eq!(
            classify(400, None, "{\"error\":\n \"missing cpu\"}"),
            Outcome::Rejected("HTTP 400 Bad Request: {\"error\": \"missing cpu\"}".into())
        );
        assert!(matches!(classify(422, None, ""), Outcome::Rejected(_)));
        match classify(429, Some("7"), "slow down") {
            Outcome::RateLimited { after, reason } => {
                assert_eq!(after, Some(Duration::from_secs(7)));
                assert!(reason.contains("slow down"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(429, None, ""),
            Outcome::RateLimited { after: None, .. }
        ));
    }

    #[test]
    fn long_bodies_are_cut() {
        let s = one_line(&"é".repeat(500), 10);
        assert_eq!(s.chars().count(), 11);
    }
}
