//! Reading the agent: its `/system` snapshot and its `/metrics` text, each
//! bounded in size and time, with typed errors so that a caller can tell an
//! agent that does not answer from one that answers something unusable.

use crate::spool::Scraped;
use reqwest::{Client, StatusCode, Url};
use serde_json::Value;
use std::time::Duration;
use system_stats_common::exposition;

/// Largest answer accepted from the agent.
pub const MAX_ANSWER: usize = 4 << 20;

/// Why the agent gave nothing usable this cycle.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No HTTP answer: refused, timed out, DNS, TLS.
    #[error("agent unreachable: {0}")]
    Unreachable(String),
    #[error("agent answered HTTP {0}")]
    Status(StatusCode),
    #[error("reading the agent's answer: {0}")]
    BrokenOff(String),
    #[error("agent's answer is larger than {MAX_ANSWER} bytes")]
    TooLarge,
    #[error("agent's answer is not JSON ({0})")]
    NotJson(String),
    #[error("agent's answer is JSON but not an object")]
    NotObject,
    #[error("the snapshot has no system.hostname for the instance label")]
    NoHostname,
    #[error("/metrics is not UTF-8")]
    NotUtf8,
    #[error("/metrics is not exposition text ({0})")]
    NotExposition(String),
}

impl SourceError {
    /// The agent did not answer at all (as opposed to answering badly).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, SourceError::Unreachable(_))
    }
}

/// The agent's snapshot: a JSON object.
pub async fn snapshot(client: &Client, url: &Url, timeout: Duration) -> Result<Value, SourceError> {
    parse_snapshot(&get(client, url, timeout).await?)
}

/// A snapshot body: a JSON object, or why not.
pub fn parse_snapshot(body: &[u8]) -> Result<Value, SourceError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(SourceError::NotObject),
        Err(e) => Err(SourceError::NotJson(e.to_string())),
    }
}

/// The agent's exposition at poll time `ms`, checked to parse, comments
/// left out; `snapshot` (of the same poll) names the instance.
pub async fn scrape(
    client: &Client,
    url: &Url,
    timeout: Duration,
    snapshot: &Value,
    ms: i64,
) -> Result<Scraped, SourceError> {
    let instance = snapshot
        .get("system")
        .and_then(|s| s.get("hostname"))
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .ok_or(SourceError::NoHostname)?
        .to_string();
    let body = get(client, url, timeout).await?;
    let text = String::from_utf8(body).map_err(|_| SourceError::NotUtf8)?;
    exposition::parse(&text).map_err(|e| SourceError::NotExposition(e.to_string()))?;
    Ok(Scraped {
        ms,
        instance,
        text: exposition::samples_only(&text),
    })
}

/// GET `url`: the body of a 2xx answer, at most [`MAX_ANSWER`] bytes.
pub async fn get(client: &Client, url: &Url, timeout: Duration) -> Result<Vec<u8>, SourceError> {
    let request = client.get(url.clone()).timeout(timeout);
    let mut response = request
        .send()
        .await
        .map_err(|e| SourceError::Unreachable(crate::delivery::error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(SourceError::Status(response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| SourceError::BrokenOff(crate::delivery::error_chain(&e)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(SourceError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn bodies_that_are_not_snapshots() {
        assert!(parse_snapshot(br#"{"cpu":{}}"#).is_ok());
        assert!(matches!(
            parse_snapshot(b"<html>"),
            Err(SourceError::NotJson(_))
        ));
        assert!(matches!(
            parse_snapshot(b"[1]"),
            Err(SourceError::NotObject)
        ));
    }

    /// A real refused connection and a real server answering HTML.
    #[tokio::test]
    async fn unreachable_is_told_apart_from_not_json() {
        let client = Client::new();
        let t = Duration::from_secs(5);
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/system", closed.local_addr().unwrap())).unwrap();
        drop(closed);
        let err = snapshot(&client, &url, t).await.unwrap_err();
        assert!(err.is_unreachable(), "{err}");
        assert!(err.to_string().starts_with("agent unreachable: "), "{err}");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/system", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf).await;
            let body = "<html>hi</html>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(answer.as_bytes()).await;
        });
        let err = snapshot(&client, &url, t).await.unwrap_err();
        assert!(matches!(err, SourceError::NotJson(_)), "{err}");
        assert!(!err.is_unreachable());
    }
}
