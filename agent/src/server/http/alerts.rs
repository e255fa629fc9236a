//! `GET /alerts`: the forwarder's alerts status file (where alerts go, the
//! last few sent), read at each request with a size bound; when there is no
//! file, `{"configured": false}`. The status page's Alerts card shows it.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use warp::http::{header, Response, StatusCode};
use warp::Filter;

/// A larger file is not the forwarder's.
const MAX_BYTES: u64 = 64 * 1024;

/// What `/alerts` answers for the file at `path`.
pub async fn body(path: &std::path::Path) -> Value {
    let file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(_) => return json!({ "configured": false }),
    };
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    if file
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .await
        .is_err()
        || bytes.len() as u64 > MAX_BYTES
    {
        return json!({ "configured": true, "error": "the alerts status file is unreadable or too large" });
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) => {
            map.insert("configured".into(), Value::Bool(true));
            Value::Object(map)
        }
        _ => json!({ "configured": true, "error": "the alerts status file is not a JSON object" }),
    }
}

/// The `/alerts` route.
pub fn route(
    path: PathBuf,
) -> impl Filter<Extract = (Response<Vec<u8>>,), Error = warp::Rejection> + Clone {
    let path = Arc::new(path);
    warp::path("alerts")
        .and(warp::path::end())
        .and(warp::get())
        .and_then(move || {
            let path = Arc::clone(&path);
            async move {
                let mut resp = Response::new(body(&path).await.to_string().into_bytes());
                *resp.status_mut() = StatusCode::OK;
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("application/json"),
                );
                Ok::<_, std::convert::Infallible>(resp)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_missing_present_or_bad() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.json");
        assert_eq!(body(&path).await, json!({"configured": false}));
        std::fs::write(
            &path,
            r#"{"receivers":["https://ntfy.sh/x"],"last_sent":[]}"#,
        )
        .unwrap();
        let got = body(&path).await;
        assert_eq!(got["configured"], true);
        assert_eq!(got["receivers"][0], "https://ntfy.sh/x");
        std::fs::write(&path, vec![b' '; 70_000]).unwrap();
        assert!(body(&path).await["error"].is_string());
    }
}
