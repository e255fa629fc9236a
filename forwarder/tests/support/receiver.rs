//! The test receiver standing in for the monitoring server's `POST /metrics`:
//! records every post and answers as told (2xx, 5xx, 429 + Retry-After,
//! 400 for chosen samples, hang) or stops listening altogether.

use super::{respond, HttpThread};
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One POST the receiver saw.
#[derive(Debug, Clone)]
pub struct Post {
    pub body: Value,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub status: u16,
    pub at: Instant,
}

impl Post {
    pub fn id(&self) -> u64 {
        self.body["details"]["x_sample_id"].as_u64().unwrap_or(0)
    }
}

/// How the receiver answers when no scripted answer is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    Fail(u16),
    Hang,
}

struct ReceiverState {
    mode: Mode,
    /// Answers used (once each) before `mode`: (status, Retry-After).
    script: VecDeque<(u16, Option<String>)>,
    /// Sample ids answered with 400 (once).
    reject: HashSet<u64>,
    posts: Vec<Post>,
}

/// Stands in for the monitoring server's `POST /metrics`.
pub struct Receiver {
    pub port: u16,
    state: Arc<Mutex<ReceiverState>>,
    http: Option<HttpThread>,
}

impl Receiver {
    /// A receiver listening on a fresh port.
    pub fn start() -> Receiver {
        let mut r = Receiver::stopped();
        r.up();
        r
    }

    /// A receiver whose port is reserved but that does not listen yet.
    pub fn stopped() -> Receiver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let state = ReceiverState {
            mode: Mode::Accept,
            script: VecDeque::new(),
            reject: HashSet::new(),
            posts: Vec::new(),
        };
        Receiver {
            port,
            state: Arc::new(Mutex::new(state)),
            http: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/metrics", self.port)
    }

    /// Start listening (again) on the same port.
    pub fn up(&mut self) {
        if self.http.is_some() {
            return;
        }
        let shared = Arc::clone(&self.state);
        let (http, _) = HttpThread::start(self.port, move |request| handle(&shared, request));
        self.http = Some(http);
    }

    /// Stop listening: connections are refused.
    pub fn down(&mut self) {
        if let Some(mut http) = self.http.take() {
            http.stop();
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    pub fn script(&self, status: u16, retry_after: Option<&str>) {
        self.state
            .lock()
            .unwrap()
            .script
            .push_back((status, retry_after.map(str::to_owned)));
    }

    pub fn reject(&self, id: u64) {
        self.state.lock().unwrap().reject.insert(id);
    }

    /// Every POST seen, whatever the answer.
    pub fn posts(&self) -> Vec<Post> {
        self.state.lock().unwrap().posts.clone()
    }

    /// Posts answered 2xx.
    pub fn accepted(&self) -> Vec<Post> {
        self.posts()
            .into_iter()
            .filter(|p| (200..300).contains(&p.status))
            .collect()
    }

    pub fn accepted_ids(&self) -> Vec<u64> {
        self.accepted().iter().map(Post::id).collect()
    }
}

fn handle(shared: &Arc<Mutex<ReceiverState>>, mut request: tiny_http::Request) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let (authorization, content_type) = (header("Authorization"), header("Content-Type"));
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let id = body["details"]["x_sample_id"].as_u64().unwrap_or(0);
    let mut state = shared.lock().unwrap();
    let (status, retry_after) = if state.reject.remove(&id) {
        (400, None)
    } else if let Some(scripted) = state.script.pop_front() {
        scripted
    } else {
        match state.mode {
            Mode::Accept => (200, None),
            Mode::Fail(code) => (code, None),
            Mode::Hang => (0, None),
        }
    };
    state.posts.push(Post {
        body,
        authorization,
        content_type,
        status,
        at: Instant::now(),
    });
    drop(state);
    let owned = request;
    match status {
        // Hold the request unanswered without blocking the server thread.
        0 => drop(std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(30));
            drop(owned);
        })),
        400 => respond(
            owned,
            400,
            r#"{"error": "missing required field: cpu"}"#,
            &[],
        ),
        429 => {
            let headers: Vec<(&str, &str)> = retry_after
                .iter()
                .map(|v| ("Retry-After", v.as_str()))
                .collect();
            respond(owned, 429, r#"{"error": "rate limit exceeded"}"#, &headers)
        }
        code => respond(owned, code, r#"{"status": "ok"}"#, &[]),
    }
}
