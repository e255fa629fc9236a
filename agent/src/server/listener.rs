//! The listener: accepts TCP connections itself, optionally wraps them in
//! TLS (handshakes run beside the accept loop, so a slow client cannot hold
//! it up), puts the authentication gate in front of the warp routes, and
//! serves each connection with hyper, with graceful shutdown.

use crate::server::auth::Gate;
use hyper::server::accept::Accept;
use hyper::server::conn::{AddrIncoming, AddrStream};
use hyper::service::{make_service_fn, service_fn, Service};
use hyper::{Body, Request, Response, Server};
use rustls::ServerConfig;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A client that has not finished its TLS handshake by then is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server, running until its shutdown future completes.
pub type Running = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A connection that knows its peer's address.
pub trait Peer {
    fn peer(&self) -> Option<SocketAddr>;
}

impl Peer for AddrStream {
    fn peer(&self) -> Option<SocketAddr> {
        Some(self.remote_addr())
    }
}

impl Peer for TlsStream<TcpStream> {
    fn peer(&self) -> Option<SocketAddr> {
        self.get_ref().0.peer_addr().ok()
    }
}

/// Bind `listen` and serve `routes` on it (HTTPS when `tls` is given),
/// through `gate` when authentication is on.
pub async fn start<S>(
    listen: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    gate: Option<Arc<Gate>>,
    routes: S,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<(SocketAddr, Running)>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let running = match tls {
        None => {
            let mut incoming = AddrIncoming::from_listener(listener).map_err(io::Error::other)?;
            incoming.set_nodelay(true);
            serve(incoming, gate, routes, shutdown)
        }
        Some(config) => serve(tls_incoming(listener, config), gate, routes, shutdown),
    };
    Ok((addr, running))
}

fn serve<I, S>(
    incoming: I,
    gate: Option<Arc<Gate>>,
    routes: S,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Running
where
    I: Accept<Error = io::Error> + Send + 'static,
    I::Conn: Peer + AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let make = make_service_fn(move |conn: &I::Conn| {
        let peer = conn
            .peer()
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let gate = gate.clone();
        let routes = routes.clone();
        async move {
            Ok::<_, Infallible>(service_fn(move |req: Request<Body>| {
                let gate = gate.clone();
                let mut routes = routes.clone();
                async move {
                    if let Some(gate) = gate {
                        if let Err(answer) = gate.admit(&req, peer).await {
                            return Ok::<_, Infallible>(*answer);
                        }
                    }
                    routes.call(req).await
                }
            }))
        }
    });
    let server = Server::builder(incoming)
        .serve(make)
        .with_graceful_shutdown(shutdown);
    Box::pin(async move {
        if let Err(e) = server.await {
            tracing::error!(error = %e, "server error");
        }
    })
}

/// Connections whose TLS handshake succeeded.
struct TlsIncoming {
    ready: mpsc::Receiver<TlsStream<TcpStream>>,
}

impl Accept for TlsIncoming {
    type Conn = TlsStream<TcpStream>;
    type Error = io::Error;

    fn poll_accept(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Self::Conn, Self::Error>>> {
        self.get_mut().ready.poll_recv(cx).map(|c| c.map(Ok))
    }
}

/// Accept on `listener` until the server drops the receiving end; each
/// handshake runs in its own task.
fn tls_incoming(listener: TcpListener, config: Arc<ServerConfig>) -> TlsIncoming {
    let (tx, ready) = mpsc::channel(64);
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = tx.closed() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((tcp, peer)) => {
                    let _ = tcp.set_nodelay(true);
                    let acceptor = acceptor.clone();
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                            Ok(Ok(stream)) => {
                                let _ = tx.send(stream).await;
                            }
                            Ok(Err(e)) => {
                                tracing::debug!(peer = %peer, "TLS handshake failed: {e}")
                            }
                            Err(_) => tracing::debug!(peer = %peer, "TLS handshake timed out"),
                        }
                    });
                }
                Err(e) => {
                    // out of file descriptors and the like: do not spin
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    TlsIncoming { ready }
}
