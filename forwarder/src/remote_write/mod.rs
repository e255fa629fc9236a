//! The Prometheus remote-write destination (`SYSTEM_STATS_REMOTE_WRITE_URL`):
//! batches of spooled scrapes of the agent's `/metrics` become one
//! snappy-compressed protobuf `WriteRequest` (remote-write 1.0) per POST,
//! each sample stamped with its original poll time.

pub mod proto;
pub mod series;
pub mod settings;

use crate::destination::{classify_http, display_url, identity, Destination, Outcome};
use crate::spool::Record;
use reqwest::{Client, RequestBuilder, StatusCode};
use series::Scrape;
use settings::{Auth, Endpoint};
use std::sync::Arc;
use std::time::SystemTime;
use system_stats_common::Secret;
use tracing::{error, warn};

/// Spooled samples (scrapes) per request at most while a backlog drains.
/// 100 scrapes of a Pi's ~300 series: ~30,000 samples, ~150 kB compressed.
pub const MAX_BATCH: usize = 100;

pub const CONTENT_TYPE: &str = "application/x-protobuf";
pub const VERSION_HEADER: &str = "X-Prometheus-Remote-Write-Version";
pub const VERSION: &str = "0.1.0";

/// Pushes to a Prometheus-compatible remote-write receiver.
#[derive(Debug, Clone)]
pub struct RemoteWrite {
    endpoint: Endpoint,
    name: String,
    key: String,
    legacy_key: String,
    labels: Arc<Vec<(String, String)>>,
}

impl RemoteWrite {
    pub fn new(endpoint: Endpoint, labels: Arc<Vec<(String, String)>>) -> RemoteWrite {
        let name = format!("remote_write {}", display_url(&endpoint.url));
        // Distinct from a JSON destination with the same URL; another user
        // is another account, a new password or token is not.
        let user = match &endpoint.auth {
            Auth::Basic { username, .. } => Some(username.as_str()),
            Auth::None | Auth::Bearer(_) => None,
        };
        let key = identity::remote_write_key(&endpoint.url, user);
        let legacy_key =
            identity::legacy_remote_write_key(&endpoint.url, &legacy_auth_debug(&endpoint.auth));
        RemoteWrite {
            endpoint,
            name,
            key,
            legacy_key,
            labels,
        }
    }

    /// The protobuf+snappy body for `batch` and how many samples it holds.
    pub fn body(&self, batch: &[Record]) -> (Vec<u8>, usize) {
        let scrapes: Vec<Scrape<'_>> = batch
            .iter()
            .filter_map(|r| r.prom.as_ref())
            .map(|p| Scrape {
                ms: p.ms,
                instance: &p.instance,
                text: &p.text,
            })
            .collect();
        let built = series::build(&scrapes, &self.labels);
        for reason in &built.skipped {
            warn!(destination = %self.name, "left out an unparsable scrape: {reason}");
        }
        match proto::encode_body(&built.request) {
            Ok(body) => (body, built.samples),
            Err(e) => {
                // Only possible beyond 4 GiB, far above any batch.
                error!(destination = %self.name, "cannot compress the batch: {e}");
                (Vec::new(), 0)
            }
        }
    }
}

impl Destination for RemoteWrite {
    fn name(&self) -> &str {
        &self.name
    }

    fn key(&self) -> &str {
        &self.key
    }

    fn legacy_keys(&self) -> Vec<String> {
        vec![self.legacy_key.clone()]
    }

    fn max_batch(&self) -> usize {
        MAX_BATCH
    }

    fn request(&self, client: &Client, batch: &[Record]) -> RequestBuilder {
        let (body, _) = self.body(batch);
        let request = client
            .post(self.endpoint.url.clone())
            .header(reqwest::header::CONTENT_ENCODING, "snappy")
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(VERSION_HEADER, VERSION)
            .body(body);
        match &self.endpoint.auth {
            Auth::None => request,
            Auth::Basic { username, password } => {
                request.basic_auth(username, password.as_ref().map(Secret::expose))
            }
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
        }
    }

    fn describe(&self, batch: &[Record]) -> String {
        let stamps: Vec<i64> = batch
            .iter()
            .filter_map(|r| r.prom.as_ref().map(|p| p.ms))
            .collect();
        match (stamps.first(), stamps.last()) {
            (Some(first), Some(last)) => format!(
                "Pushed {} scrape(s) of /metrics (ms {first}..{last})",
                stamps.len()
            ),
            _ => format!("Passed {} sample(s) without /metrics data", batch.len()),
        }
    }

    /// Remote-write semantics: 5xx and 429 retry, other 4xx are final. A
    /// 400 for samples the engine will not take (out of order, duplicate,
    /// too old) drops the batch so that it never blocks the queue.
    fn classify(&self, status: StatusCode, retry_after: Option<&str>, body: &str) -> Outcome {
        match classify_http(status, retry_after, body, SystemTime::now()) {
            Outcome::Rejected(reason) if is_ordering_error(body) => Outcome::Rejected(format!(
                "{reason} (the engine refuses samples out of order or older than its \
                 window; see out_of_order_time_window)"
            )),
            other => other,
        }
    }
}

/// What `format!("{:?}", auth)` printed when `Auth` derived `Debug`: the
/// old cursor keys hashed it. Written out so that `Debug` may change.
fn legacy_auth_debug(auth: &Auth) -> String {
    match auth {
        Auth::None => "None".to_string(),
        Auth::Basic { username, password } => format!(
            "Basic {{ username: {username:?}, password: {} }}",
            match password {
                Some(p) => format!("Some({:?})", p.expose()),
                None => "None".to_string(),
            }
        ),
        Auth::Bearer(token) => format!("Bearer({:?})", token.expose()),
    }
}

/// Prometheus' wording for samples it refuses because of their time.
pub fn is_ordering_error(body: &str) -> bool {
    let body = body.to_ascii_lowercase();
    [
        "out of order",
        "out of bounds",
        "duplicate sample",
        "too old",
    ]
    .iter()
    .any(|needle| body.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Url;

    #[test]
    fn name_and_key_hide_credentials() {
        let d = RemoteWrite::new(
            Endpoint {
                url: Url::parse("https://mimir.example/api/v1/push").unwrap(),
                auth: Auth::Basic {
                    username: "me".into(),
                    password: Some(Secret::new("pw")),
                },
            },
            Arc::new(Vec::new()),
        );
        assert_eq!(d.name(), "remote_write https://mimir.example/api/v1/push");
        assert!(!d.key().contains("pw") && d.key().starts_with("rw-"));
        assert_eq!(d.max_batch(), MAX_BATCH);
    }

    #[test]
    fn legacy_keys_are_those_of_the_previous_release() {
        let url = Url::parse("https://mimir.example/api/v1/push").unwrap();
        // What `format!("{:?}", auth)` printed while `Auth` derived `Debug`.
        for (auth, printed) in [
            (Auth::None, r#"None"#),
            (Auth::Bearer(Secret::new("t\"ok")), r#"Bearer("t\"ok")"#),
            (
                Auth::Basic {
                    username: "me".into(),
                    password: Some(Secret::new("p\\w é")),
                },
                r#"Basic { username: "me", password: Some("p\\w é") }"#,
            ),
            (
                Auth::Basic {
                    username: "me".into(),
                    password: None,
                },
                r#"Basic { username: "me", password: None }"#,
            ),
        ] {
            assert_eq!(legacy_auth_debug(&auth), printed);
            // Never again in a log line.
            assert!(!format!("{auth:?}").contains("ok") || matches!(auth, Auth::None));
        }
        // The key the previous release gave this endpoint (pinned).
        let d = RemoteWrite::new(
            Endpoint {
                url,
                auth: Auth::Basic {
                    username: "me".into(),
                    password: Some(Secret::new("pw")),
                },
            },
            Arc::new(Vec::new()),
        );
        assert_eq!(
            d.legacy_keys(),
            vec!["rw-https___mimir.example_api_v1_push-4028250c455a3059".to_string()]
        );
        assert_eq!(
            d.key(),
            "rw-https___mimir.example_api_v1_push-0bc3ef19bfb6bae8"
        );
    }

    #[test]
    fn ordering_rejections_are_explained() {
        let d = RemoteWrite::new(
            Endpoint {
                url: Url::parse("http://p:9090/api/v1/write").unwrap(),
                auth: Auth::None,
            },
            Arc::new(Vec::new()),
        );
        let bad = StatusCode::BAD_REQUEST;
        match d.classify(bad, None, "out of order sample") {
            Outcome::Rejected(r) => assert!(r.contains("out_of_order_time_window"), "{r}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            d.classify(StatusCode::SERVICE_UNAVAILABLE, None, ""),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            d.classify(StatusCode::TOO_MANY_REQUESTS, Some("2"), ""),
            Outcome::RateLimited { .. }
        ));
        assert!(is_ordering_error("duplicate sample for timestamp"));
        assert!(!is_ordering_error("bad snappy"));
    }
}
