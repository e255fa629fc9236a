//! The agent's HTTP responses, one set for every route and the
//! authentication gate: a body with its status and content type, and the
//! JSON error body (`{"error": …, "status": …}`) so clients never have to
//! parse HTML errors.

use warp::http::{header, Response, StatusCode};

pub const JSON: &str = "application/json";

/// `body` with `status` and `content_type`.
pub fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response<Vec<u8>> {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    resp
}

/// A 200 with `body` as `content_type`.
pub fn ok(content_type: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    with_body(StatusCode::OK, content_type, body)
}

/// The JSON error body of `status` with `message`.
pub fn error_body(status: StatusCode, message: &str) -> Vec<u8> {
    serde_json::json!({ "error": message, "status": status.as_u16() })
        .to_string()
        .into_bytes()
}

/// `status` with the JSON error body saying `message`.
pub fn error(status: StatusCode, message: &str) -> Response<Vec<u8>> {
    with_body(status, JSON, error_body(status, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_json_with_their_status() {
        let r = error(StatusCode::NOT_FOUND, "history is \"off\"");
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()[header::CONTENT_TYPE], JSON);
        let v: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(v["error"], "history is \"off\"");
        assert_eq!(v["status"], 404);
    }
}
