//! HTTP routes (warp): `GET /system`, `GET /health`, `GET /metrics`
//! (Prometheus text), `GET /` (the embedded status page), the history
//! routes of `history`, `GET /alerts` (`alerts`), the status page's
//! `bootconf_banner`, and JSON bodies (`response`) for 404 and 405 so
//! clients never have to parse HTML errors.

pub mod alerts;
pub mod bootconf_banner;
pub mod history;
pub mod response;

use crate::collect::coalesce::{Coalescer, Stamped};
use crate::collect::sampler::CpuSampler;
use crate::collect::{with_cpu_window, Want};
use crate::cpu_usage::CpuState;
use crate::metrics::system_stats_events::EventCounts;
use response as respond;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use warp::http::{Response, StatusCode};
use warp::{Filter, Rejection, Reply};

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    pub coalescer: Coalescer,
    pub sampler: CpuSampler,
    pub system_body: BodyCache,
    pub metrics_body: BodyCache,
    /// None when the history is off.
    pub history: Option<crate::history::History>,
    /// The forwarder's alerts status file (`/alerts`).
    pub alerts_status: std::path::PathBuf,
    /// system-stats-bootconf's result file (the status page's banner).
    pub bootconf_result: std::path::PathBuf,
    /// The upgrades the image's guard rolled back (events, with the history).
    pub rollbacks: crate::rollbacks::RollbackLog,
}

/// The last body of a route and what it was made from: requests that share
/// a collection and a CPU window share the serialized JSON or text too.
#[derive(Clone, Default)]
pub struct BodyCache {
    last: Arc<Mutex<Option<BodyOf>>>,
}

/// A serialized body, the collection and the CPU state it was made from.
type BodyOf = (Arc<Stamped>, CpuState, Vec<u8>);

impl BodyCache {
    fn get(&self, got: &Arc<Stamped>, cpu: &CpuState) -> Option<Vec<u8>> {
        let last = self.last.lock().ok()?;
        let (stamped, window, body) = last.as_ref()?;
        (Arc::ptr_eq(stamped, got) && window == cpu).then(|| body.clone())
    }

    fn put(&self, got: Arc<Stamped>, cpu: CpuState, body: &[u8]) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((got, cpu, body.to_vec()));
        }
    }
}

fn collection_failed() -> Response<Vec<u8>> {
    respond::error(StatusCode::INTERNAL_SERVER_ERROR, "collection failed")
}

/// `GET /system`: the coalesced collection with the latest CPU window.
async fn system(state: AppState) -> Result<Response<Vec<u8>>, Infallible> {
    let cpu = state.sampler.latest();
    let Some(got) = state.coalescer.get(&cpu, Want::SNAPSHOT).await else {
        return Ok(collection_failed());
    };
    if let Some(body) = state.system_body.get(&got, &cpu) {
        return Ok(respond::ok(respond::JSON, body));
    }
    let snapshot = with_cpu_window(got.collected.snapshot.clone(), &cpu);
    Ok(match serde_json::to_vec(&snapshot) {
        Ok(body) => {
            state.system_body.put(got, cpu, &body);
            respond::ok(respond::JSON, body)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize snapshot");
            respond::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot serialize snapshot",
            )
        }
    })
}

/// The status page, embedded at build time.
pub const STATUS_PAGE: &str = include_str!("../../web/status.html");

/// `GET /metrics`: the Prometheus text of the coalesced collection.
async fn metrics(state: AppState) -> Result<Response<Vec<u8>>, Infallible> {
    let cpu = state.sampler.latest();
    let Some(got) = state.coalescer.get(&cpu, Want::METRICS).await else {
        return Ok(collection_failed());
    };
    if let Some(body) = state.metrics_body.get(&got, &cpu) {
        return Ok(respond::ok(crate::metrics::text::CONTENT_TYPE, body));
    }
    let snapshot = with_cpu_window(got.collected.snapshot.clone(), &cpu);
    let power = state.history.as_ref().and_then(|h| h.event_counts());
    // With the history on: on a Pi always (a rate works from the first
    // scrape), elsewhere once the upgrade guard has recorded a rollback.
    let rollbacks = state
        .history
        .as_ref()
        .map(|_| state.rollbacks.rollbacks().len())
        .filter(|n| *n > 0 || power.is_some());
    let text = crate::metrics::exposition(
        &snapshot,
        got.collected.raw.as_ref().unwrap_or(&Default::default()),
        EventCounts::of(power.as_deref(), rollbacks),
    );
    state.metrics_body.put(got, cpu, text.as_bytes());
    Ok(respond::ok(
        crate::metrics::text::CONTENT_TYPE,
        text.into_bytes(),
    ))
}

async fn recover(err: Rejection) -> Result<Response<Vec<u8>>, Infallible> {
    let (status, message) = if err.is_not_found() {
        (StatusCode::NOT_FOUND, "not found")
    } else if err.find::<warp::reject::MethodNotAllowed>().is_some() {
        (StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
    } else {
        (StatusCode::BAD_REQUEST, "bad request")
    };
    Ok(respond::error(status, message))
}

/// All routes, with request logging at debug level.
pub fn routes(state: AppState) -> impl Filter<Extract = (impl Reply,), Error = Infallible> + Clone {
    let history =
        crate::server::http::history::routes(state.history.clone(), state.rollbacks.clone());
    let alerts = crate::server::http::alerts::route(state.alerts_status.clone());
    let bootconf_result = state.bootconf_result.clone();
    let with_state = warp::any().map(move || state.clone());
    let system = warp::path("system")
        .and(warp::path::end())
        .and(warp::get())
        .and(with_state.clone())
        .and_then(system);
    let metrics = warp::path("metrics")
        .and(warp::path::end())
        .and(warp::get())
        .and(with_state)
        .and_then(metrics);
    let page = warp::path::end().and(warp::get()).map(move || {
        let page = crate::server::http::bootconf_banner::status_page(STATUS_PAGE, &bootconf_result);
        respond::ok("text/html; charset=utf-8", page.into_bytes())
    });
    let health = warp::path("health")
        .and(warp::path::end())
        .and(warp::get())
        .map(|| respond::ok(respond::JSON, br#"{"status":"ok"}"#.to_vec()));
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
        .or(history)
        .unify()
        .or(alerts)
        .unify()
        .recover(recover)
        .unify()
        .with(log)
}
