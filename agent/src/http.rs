//! HTTP routes (warp): `GET /system`, `GET /health`, `GET /metrics`
//! (Prometheus text), `GET /` (the embedded status page), and JSON bodies
//! for 404 and 405 so clients never have to parse HTML errors.

use crate::platform::Collector;
use crate::sampler::CpuSampler;
use std::convert::Infallible;
use std::sync::Arc;
use warp::http::{header, Response, StatusCode};
use warp::{Filter, Rejection, Reply};

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    pub collector: Arc<Collector>,
    pub sampler: CpuSampler,
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    resp
}

fn error_body(status: StatusCode, message: &str) -> Vec<u8> {
    serde_json::json!({ "error": message, "status": status.as_u16() })
        .to_string()
        .into_bytes()
}

#[cfg(target_os = "linux")]
fn snapshot(state: &AppState) -> crate::snapshot::Snapshot {
    state
        .collector
        .recent_snapshot(&state.sampler.latest(), chrono::Utc::now())
}

#[cfg(not(target_os = "linux"))]
fn snapshot(state: &AppState) -> crate::snapshot::Snapshot {
    state
        .collector
        .snapshot(&state.sampler.latest(), chrono::Utc::now())
}

fn system(state: &AppState) -> Response<Vec<u8>> {
    let snapshot = snapshot(state);
    match serde_json::to_vec(&snapshot) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize snapshot");
            json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                error_body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "cannot serialize snapshot",
                ),
            )
        }
    }
}

/// The status page, embedded at build time.
pub const STATUS_PAGE: &str = include_str!("web/status.html");

fn body_response(content_type: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    resp
}

#[cfg(target_os = "linux")]
fn metric_families(state: &AppState) -> Vec<crate::metrics::MetricFamily> {
    state
        .collector
        .metric_families(&state.sampler.latest(), chrono::Utc::now())
}

/// Other platforms export what their snapshot holds (no raw counters yet).
#[cfg(not(target_os = "linux"))]
fn metric_families(state: &AppState) -> Vec<crate::metrics::MetricFamily> {
    crate::metrics::families(&snapshot(state), &crate::metrics::RawCounters::default())
}

fn metrics(state: &AppState) -> Response<Vec<u8>> {
    let text = crate::metrics::text::render(&metric_families(state));
    body_response(crate::metrics::text::CONTENT_TYPE, text.into_bytes())
}

/// Run a collecting handler on tokio's blocking pool: reads of procfs/sysfs
/// and statvfs can block in the kernel (a dead NFS mount, a stuck device), and
/// on a runtime worker they would stall `/health`, the status page and the
/// CPU sampler with it.
async fn blocking(
    state: AppState,
    handler: fn(&AppState) -> Response<Vec<u8>>,
) -> Result<Response<Vec<u8>>, Infallible> {
    Ok(
        match tokio::task::spawn_blocking(move || handler(&state)).await {
            Ok(resp) => resp,
            Err(e) => {
                tracing::error!(error = %e, "collection failed");
                let status = StatusCode::INTERNAL_SERVER_ERROR;
                json_response(status, error_body(status, "collection failed"))
            }
        },
    )
}

async fn recover(err: Rejection) -> Result<Response<Vec<u8>>, Infallible> {
    let (status, message) = if err.is_not_found() {
        (StatusCode::NOT_FOUND, "not found")
    } else if err.find::<warp::reject::MethodNotAllowed>().is_some() {
        (StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
    } else {
        (StatusCode::BAD_REQUEST, "bad request")
    };
    Ok(json_response(status, error_body(status, message)))
}

/// All routes, with request logging at debug level.
pub fn routes(state: AppState) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    let with_state = warp::any().map(move || state.clone());
    let system = warp::path("system")
        .and(warp::path::end())
        .and(warp::get())
        .and(with_state.clone())
        .and_then(|s: AppState| blocking(s, system));
    let metrics = warp::path("metrics")
        .and(warp::path::end())
        .and(warp::get())
        .and(with_state)
        .and_then(|s: AppState| blocking(s, metrics));
    let page = warp::path::end()
        .and(warp::get())
        .map(|| body_response("text/html; charset=utf-8", STATUS_PAGE.as_bytes().to_vec()));
    let health = warp::path("health")
        .and(warp::path::end())
        .and(warp::get())
        .map(|| json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec()));
    let log = warp::log::custom(|info| {
        tracing::debug!(
            method = %info.method(),
            path = info.path(),
            status = info.status().as_u16(),
            elapsed_us = info.elapsed().as_micros() as u64,
            "request"
        );
    });
    system
        .or(health)
        .unify()
        .or(metrics)
        .unify()
        .or(page)
        .unify()
        .recover(recover)
        .unify()
        .with(log)
}
