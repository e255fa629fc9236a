//! The seed's monitoring server as a destination: one JSON sample per POST,
//! with an optional bearer token.

use super::{display_url, identity, Destination};
use crate::payload;
use crate::spool::Record;
use reqwest::{Client, RequestBuilder, Url};
use system_stats_common::Secret;

/// The seed's monitoring server: `POST /metrics` with one JSON sample.
#[derive(Debug, Clone)]
pub struct JsonServer {
    url: Url,
    name: String,
    key: String,
    token: Option<Secret>,
}

impl JsonServer {
    pub fn new(url: Url, token: Option<Secret>) -> JsonServer {
        let name = display_url(&url);
        let key = identity::json_server_key(&url);
        JsonServer {
            url,
            name,
            key,
            token,
        }
    }
}

impl Destination for JsonServer {
    fn name(&self) -> &str {
        &self.name
    }

    fn key(&self) -> &str {
        &self.key
    }

    fn max_batch(&self) -> usize {
        1
    }

    fn request(&self, client: &Client, batch: &[Record]) -> RequestBuilder {
        let body = batch
            .first()
            .map(|r| r.sample.get().to_owned())
            .unwrap_or_default();
        let request = client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        match &self.token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    fn describe(&self, batch: &[Record]) -> String {
        batch
            .first()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(r.sample.get()).ok())
            .map(|v| payload::summary(&v))
            .unwrap_or_else(|| format!("Forwarded {} samples", batch.len()))
    }

    fn legacy_keys(&self) -> Vec<String> {
        identity::legacy_json_server_key(&self.url)
            .into_iter()
            .filter(|old| *old != self.key)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_shown() {
        let d = JsonServer::new(Url::parse("https://me:pw@host/metrics").unwrap(), None);
        assert_eq!(d.name(), "https://host/metrics");
        assert!(!d.key().contains("pw"));
    }
}
