//! The door in front of the routes: every request to a path that is not
//! exempt must carry valid credentials. Answers 401 with `WWW-Authenticate`
//! (so browsers prompt), logs each failure at warning with the peer
//! address, and answers 429 with `Retry-After` to an address that failed
//! too often. The authenticator can be replaced while serving (SIGHUP):
//! a request checks against the one current when it arrived.

use super::rate_limit::FailureLimiter;
use super::verify::{Authenticator, Verdict};
use hyper::header::{self, HeaderValue};
use hyper::{Body, Request, Response, StatusCode};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

pub const REALM: &str = "system-stats";

pub struct Gate {
    auth: RwLock<Arc<Authenticator>>,
    exempt: Vec<String>,
    limiter: Mutex<FailureLimiter>,
}

impl Gate {
    pub fn new(auth: Arc<Authenticator>, exempt: Vec<String>, failure_limit: u32) -> Arc<Self> {
        Arc::new(Gate {
            auth: RwLock::new(auth),
            exempt,
            limiter: Mutex::new(FailureLimiter::new(failure_limit)),
        })
    }

    /// Check later requests against `auth` (its verification cache starts
    /// empty, so a removed user or changed secret stops working at once);
    /// requests already being checked finish with the one they started with.
    pub fn replace(&self, auth: Arc<Authenticator>) {
        match self.auth.write() {
            Ok(mut cur) => *cur = auth,
            Err(poisoned) => *poisoned.into_inner() = auth,
        }
    }

    fn current(&self) -> Arc<Authenticator> {
        match self.auth.read() {
            Ok(cur) => cur.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn is_exempt(&self, path: &str) -> bool {
        let path = match path.trim_end_matches('/') {
            "" => "/",
            p => p,
        };
        self.exempt.iter().any(|e| e == path)
    }

    /// `Ok` lets the request through; `Err` is the answer instead (boxed:
    /// a response is large and the allowed path is the common one).
    pub async fn admit(
        &self,
        req: &Request<Body>,
        peer: SocketAddr,
    ) -> Result<(), Box<Response<Body>>> {
        if self.is_exempt(req.uri().path()) {
            return Ok(());
        }
        if let Some(left) = self
            .limiter
            .lock()
            .ok()
            .and_then(|l| l.blocked(peer.ip(), Instant::now()))
        {
            return Err(Box::new(too_many(left.as_secs().max(1))));
        }
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        let auth = self.current();
        match auth.check(header).await {
            Verdict::Allowed => Ok(()),
            Verdict::Denied { reason, user } => {
                let blocked = self
                    .limiter
                    .lock()
                    .is_ok_and(|mut l| l.record_failure(peer.ip(), Instant::now()));
                tracing::warn!(
                    peer = %peer,
                    path = req.uri().path(),
                    user = user.as_deref().unwrap_or(""),
                    reason,
                    "authentication failed from {peer}: {reason}"
                );
                if blocked {
                    tracing::warn!(peer = %peer, "too many failed authentications from {peer}: answering 429 for a while");
                }
                Err(Box::new(unauthorized(&auth)))
            }
        }
    }
}

fn unauthorized(auth: &Authenticator) -> Response<Body> {
    let mut resp = json(StatusCode::UNAUTHORIZED, "authentication required");
    let h = resp.headers_mut();
    if auth.has_users() {
        h.append(header::WWW_AUTHENTICATE, challenge("Basic"));
    }
    if auth.has_token() {
        h.append(header::WWW_AUTHENTICATE, challenge("Bearer"));
    }
    resp
}

fn challenge(scheme: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{scheme} realm=\"{REALM}\", charset=\"UTF-8\""))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"))
}

fn too_many(retry_after_secs: u64) -> Response<Body> {
    let mut resp = json(
        StatusCode::TOO_MANY_REQUESTS,
        "too many failed authentications",
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    resp
}

/// The same JSON error bodies as the routes' 404 and 405.
fn json(status: StatusCode, message: &str) -> Response<Body> {
    crate::server::http::response::error(status, message).map(Body::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::auth::verify::Credentials;
    use system_stats_common::Secret;

    fn gate(limit: u32) -> Arc<Gate> {
        let auth = Authenticator::new(&Credentials {
            users: None,
            token: Some(Secret::new("tok")),
        });
        Gate::new(auth, vec!["/health".into()], limit)
    }

    fn req(path: &str, auth: Option<&str>) -> Request<Body> {
        let mut b = Request::builder().uri(path);
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn exempt_paths_pass_others_need_the_token_and_failures_block() {
        let g = gate(2);
        let me: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let other: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        assert!(g.admit(&req("/health", None), me).await.is_ok());
        assert!(g.admit(&req("/health/", None), me).await.is_ok());
        assert!(g
            .admit(&req("/system", Some("Bearer tok")), me)
            .await
            .is_ok());
        let r = g.admit(&req("/system", None), me).await.unwrap_err();
        assert_eq!(r.status(), 401);
        let challenges: Vec<_> = r.headers().get_all("www-authenticate").iter().collect();
        assert_eq!(
            challenges,
            ["Bearer realm=\"system-stats\", charset=\"UTF-8\""]
        );
        for _ in 0..2 {
            assert_eq!(
                g.admit(&req("/", Some("Bearer x")), me)
                    .await
                    .unwrap_err()
                    .status(),
                401
            );
        }
        let r = g
            .admit(&req("/system", Some("Bearer tok")), me)
            .await
            .unwrap_err();
        assert_eq!(r.status(), 429);
        assert!(
            r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                >= 59
        );
        assert!(g.admit(&req("/health", None), me).await.is_ok());
        assert!(g
            .admit(&req("/system", Some("Bearer tok")), other)
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn a_replaced_authenticator_forgets_the_verified_credentials() {
        let users = |name: &str| {
            let hash = bcrypt::hash("pw", 4).unwrap();
            crate::server::auth::htpasswd::parse(&format!("{name}:{hash}\n")).unwrap()
        };
        let basic = |name: &str| {
            use base64::Engine;
            let b = base64::engine::general_purpose::STANDARD.encode(format!("{name}:pw"));
            format!("Basic {b}")
        };
        let g = Gate::new(
            Authenticator::new(&Credentials {
                users: Some(users("alice")),
                token: None,
            }),
            vec![],
            1000,
        );
        let me: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let alice = basic("alice");
        for _ in 0..2 {
            assert!(g.admit(&req("/", Some(&alice)), me).await.is_ok());
        }
        g.replace(Authenticator::new(&Credentials {
            users: Some(users("bob")),
            token: None,
        }));
        let r = g.admit(&req("/", Some(&alice)), me).await.unwrap_err();
        assert_eq!(r.status(), 401);
        assert!(g.admit(&req("/", Some(&basic("bob"))), me).await.is_ok());
    }
}
