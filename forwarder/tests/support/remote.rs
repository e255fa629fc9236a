//! A Prometheus remote-write receiver in the test process: decodes each
//! snappy+protobuf POST with the forwarder's own message types, records
//! headers and series, and answers 204, or a chosen error, or not at all
//! (stopped).

use super::{respond, HttpThread};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use system_stats_forwarder::remote_write::proto::{decode_body, WriteRequest};

/// One POST the receiver saw.
#[derive(Debug, Clone)]
pub struct Write {
    pub request: WriteRequest,
    pub header: Vec<(String, String)>,
    pub status: u16,
}

impl Write {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// (timestamp, value) of every sample of the series named `name`.
    pub fn points(&self, name: &str) -> Vec<(i64, f64)> {
        self.request
            .timeseries
            .iter()
            .filter(|t| {
                t.labels
                    .iter()
                    .any(|l| l.name == "__name__" && l.value == name)
            })
            .flat_map(|t| t.samples.iter().map(|s| (s.timestamp, s.value)))
            .collect()
    }
}

#[derive(Default)]
struct State {
    /// Answers used once each before the default 204: (status, body).
    script: VecDeque<(u16, String)>,
    writes: Vec<Write>,
}

/// Stands in for Prometheus' `/api/v1/write`.
pub struct RemoteReceiver {
    pub port: u16,
    state: Arc<Mutex<State>>,
    http: Option<HttpThread>,
}

impl RemoteReceiver {
    pub fn start() -> RemoteReceiver {
        let mut r = RemoteReceiver::stopped();
        r.up();
        r
    }

    /// Port reserved, not listening yet.
    pub fn stopped() -> RemoteReceiver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        RemoteReceiver {
            port,
            state: Arc::default(),
            http: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/write", self.port)
    }

    pub fn up(&mut self) {
        if self.http.is_none() {
            let shared = Arc::clone(&self.state);
            let (http, _) = HttpThread::start(self.port, move |r| handle(&shared, r));
            self.http = Some(http);
        }
    }

    pub fn down(&mut self) {
        if let Some(mut http) = self.http.take() {
            http.stop();
        }
    }

    pub fn script(&self, status: u16, body: &str) {
        self.state
            .lock()
            .unwrap()
            .script
            .push_back((status, body.to_string()));
    }

    pub fn writes(&self) -> Vec<Write> {
        self.state.lock().unwrap().writes.clone()
    }

    pub fn accepted(&self) -> Vec<Write> {
        self.writes()
            .into_iter()
            .filter(|w| (200..300).contains(&w.status))
            .collect()
    }
}

fn handle(shared: &Arc<Mutex<State>>, mut request: tiny_http::Request) {
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    let header = request
        .headers()
        .iter()
        .map(|h| (h.field.to_string(), h.value.to_string()))
        .collect();
    let decoded = decode_body(&body);
    let mut state = shared.lock().unwrap();
    let (status, text) = match (&decoded, state.script.pop_front()) {
        (Err(e), _) => (400, e.clone()),
        (Ok(_), Some(scripted)) => scripted,
        (Ok(_), None) => (204, String::new()),
    };
    state.writes.push(Write {
        request: decoded.unwrap_or_default(),
        header,
        status,
    });
    drop(state);
    respond(request, status, &text, &[]);
}
