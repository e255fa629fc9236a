//! SIGTERM/SIGINT handling: the first signal asks every task to stop (a
//! `watch` flag); a second one exits at once (the spool is always durable).

use std::io;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// Install the handlers; the returned flag turns `true` on the first signal.
pub fn install() -> io::Result<watch::Receiver<bool>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received, stopping"),
            _ = int.recv() => tracing::info!("SIGINT received, stopping"),
        }
        let _ = tx.send(true);
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::warn!("second signal received, exiting now");
        std::process::exit(0);
    });
    Ok(rx)
}

/// Resolves once shutdown was requested.
pub async fn requested(flag: &mut watch::Receiver<bool>) {
    if flag.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Whether shutdown was requested already.
pub fn is_requested(flag: &watch::Receiver<bool>) -> bool {
    *flag.borrow()
}
