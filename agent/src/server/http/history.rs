//! The history routes: `GET /history?range=1h|24h` (columnar JSON),
//! `GET /history.csv?range=…` and `GET /events` (the Pi's power/heat
//! events and the upgrades the image's guard rolled back, newest first), and `/charts.js` (the status page's charts).
//! With the history off the data routes answer 404 saying so.

use crate::history::render::Range;
use crate::history::History;
use crate::power::PowerEvent;
use crate::rollbacks::{Rollback, RollbackLog};
use crate::server::http::response::{error, ok, JSON};
use serde::Serialize;
use std::collections::HashMap;
use warp::http::{Response, StatusCode};
use warp::Filter;

fn off() -> Response<Vec<u8>> {
    error(
        StatusCode::NOT_FOUND,
        "history is off (SYSTEM_STATS_HISTORY=off)",
    )
}

/// The requested range (default 1h), or the message naming the bad value.
fn range(query: &HashMap<String, String>) -> Result<Range, String> {
    match query.get("range") {
        None => Ok(Range::Hour),
        Some(v) => Range::parse(v).ok_or_else(|| format!("range must be 1h or 24h, not {v:?}")),
    }
}

fn history(
    history: Option<History>,
    query: HashMap<String, String>,
    json: bool,
) -> Response<Vec<u8>> {
    let Some(h) = history else { return off() };
    let range = match range(&query) {
        Ok(r) => r,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let body = h.body(json, range, chrono::Utc::now().timestamp());
    let (kind, body) = if json {
        (JSON, body.as_ref().clone())
    } else {
        ("text/csv; charset=utf-8", body.as_ref().clone())
    };
    ok(kind, body)
}

/// The status page's charts, embedded at build time.
pub const CHARTS_JS: &str = include_str!("../../web/charts.js");

/// One event as `/events` shows it.
#[derive(Serialize)]
struct EventView {
    #[serde(flatten)]
    event: PowerEvent,
    duration_s: Option<i64>,
    message: String,
}

impl EventView {
    fn of(e: PowerEvent) -> EventView {
        let what = e.kind.describe();
        let message = match (e.before_agent_start, e.ongoing, e.duration_s()) {
            (true, true, _) => format!("{what}: began before the agent started, still going on"),
            (true, false, _) => format!("{what}: occurred before the agent started"),
            (false, true, _) => format!("{what}: going on"),
            (false, false, Some(d)) => format!("{what}: lasted {d} s"),
            (false, false, None) => format!("{what}: ended (end unknown: the agent stopped)"),
        };
        EventView {
            event: e,
            duration_s: e.duration_s(),
            message,
        }
    }
}

/// A rollback as `/events` shows it: the fields of a power event that
/// ended when it began, and its versions and reason.
fn rollback_view(r: &Rollback) -> serde_json::Value {
    serde_json::json!({
        "kind": crate::rollbacks::KIND,
        "started_at": r.at,
        "ended_at": r.at,
        "seen_at": r.at,
        "before_agent_start": false,
        "ongoing": false,
        "duration_s": null,
        "from": r.from,
        "to": r.to,
        "reason": r.reason,
        "message": r.message(),
    })
}

/// The power events and the rollbacks, newest first.
fn events(history: Option<History>, rollbacks: RollbackLog) -> Response<Vec<u8>> {
    let Some(h) = history else { return off() };
    let mut events: Vec<(i64, serde_json::Value)> = Vec::new();
    for e in h.events() {
        let at = e.started_at.unwrap_or(e.seen_at);
        match serde_json::to_value(EventView::of(e)) {
            Ok(v) => events.push((at, v)),
            Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "cannot serialize events"),
        }
    }
    events.extend(
        rollbacks
            .rollbacks()
            .iter()
            .map(|r| (r.at, rollback_view(r))),
    );
    // stable: power events keep their order among equal times
    events.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let events: Vec<_> = events.into_iter().map(|(_, v)| v).collect();
    match serde_json::to_vec(&serde_json::json!({ "events": events })) {
        Ok(body) => ok(JSON, body),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "cannot serialize events"),
    }
}

/// `/history`, `/history.csv`, `/events`.
pub fn routes(
    h: Option<History>,
    rollbacks: RollbackLog,
) -> impl Filter<Extract = (Response<Vec<u8>>,), Error = warp::Rejection> + Clone {
    let with = warp::any().map(move || h.clone());
    let with_rollbacks = warp::any().map(move || rollbacks.clone());
    let query = warp::query::<HashMap<String, String>>()
        .or(warp::any().map(HashMap::new))
        .unify();
    let json = warp::path("history")
        .and(warp::path::end())
        .and(warp::get())
        .and(with.clone())
        .and(query)
        .map(|h, q| history(h, q, true));
    let csv = warp::path("history.csv")
        .and(warp::path::end())
        .and(warp::get())
        .and(with.clone())
        .and(query)
        .map(|h, q| history(h, q, false));
    let events = warp::path("events")
        .and(warp::path::end())
        .and(warp::get())
        .and(with)
        .and(with_rollbacks)
        .map(events);
    let script = warp::path("charts.js")
        .and(warp::path::end())
        .and(warp::get())
        .map(|| {
            ok(
                "text/javascript; charset=utf-8",
                CHARTS_JS.as_bytes().to_vec(),
            )
        });
    json.or(csv).unify().or(events).unify().or(script).unify()
}
