//! Runs the agent: starts the CPU sampler and the storage watcher, binds
//! the HTTP listener, tells systemd when it is ready, reloads the TLS and
//! authentication files on SIGHUP, and shuts down cleanly on SIGTERM/SIGINT.

use crate::collect::coalesce::Coalescer;
use crate::collect::sampler::CpuSampler;
use crate::collect::Collector;
use crate::config::Config;
use crate::platform::HostCollector;
use crate::server::auth::{Authenticator, Gate};
use crate::server::http::{routes, AppState};
use crate::server::reload::{self, Reloadable};
use crate::server::{listener, tls};
use crate::storage_watch;
use std::sync::Arc;
use std::time::Duration;
use system_stats_common::notify;

/// How often the CPU window is refreshed.
pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(1);

/// After SIGTERM/SIGINT, how long requests in flight may take before the
/// agent exits anyway: hyper's graceful shutdown otherwise waits forever for
/// connections that never sent a request (a browser's preconnected socket,
/// a client stuck mid-headers), and systemd would have to SIGKILL us.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Why the agent could not run (exit code 1).
#[derive(Debug)]
pub struct RunError(pub String);

pub async fn run(config: Config) -> Result<(), RunError> {
    let collector: Arc<dyn Collector> = Arc::new(HostCollector::new(&config.sources));
    let sampler = CpuSampler::start(collector.clone(), SAMPLE_INTERVAL);
    storage_watch::start(collector.clone(), storage_watch::CHECK_INTERVAL);
    let coalescer = Coalescer::new(collector.clone());
    let history = crate::history::recorder::launch(
        &config.history,
        crate::history::recorder::Sources {
            collector,
            coalescer: coalescer.clone(),
            sampler: sampler.clone(),
        },
    );
    let state = AppState {
        coalescer,
        sampler,
        history: history.clone(),
        bootconf_result: config.bootconf_result.clone(),
        rollbacks: crate::rollbacks::RollbackLog::new(config.rollback_file.clone()),
        system_body: Default::default(),
        metrics_body: Default::default(),
        alerts_status: config.alerts_status.clone(),
    };
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        shutdown_signal().await;
        let _ = signalled.send(());
    };
    let security = &config.security;
    let cert = (security.tls.as_ref()).map(|(f, k)| tls::ReloadableCert::new(f.clone(), k.clone()));
    let tls_config = cert
        .clone()
        .map(tls::server_config)
        .transpose()
        .map_err(RunError)?;
    let gate = (security.credentials.any()).then(|| {
        let auth = Authenticator::new(&security.credentials);
        Gate::new(auth, security.exempt.clone(), security.failure_limit)
    });
    let authenticated = gate.is_some();
    reload::on_sighup(Reloadable {
        cert,
        auth: (gate.clone()).map(|g| (g, security.auth_sources.clone())),
    });
    let service = warp::service(routes(state));
    let (addr, server) =
        listener::start(config.listen, tls_config.clone(), gate, service, shutdown)
            .await
            .map_err(|e| RunError(format!("cannot listen on {}: {e}", config.listen)))?;
    tracing::info!(
        listen_address = %addr,
        procfs = %config.sources.procfs.display(),
        sysfs = %config.sources.sysfs.display(),
        disk_path = %config.sources.disk_path.display(),
        tls = tls_config.is_some(),
        authentication = authenticated,
        "listening on {addr}"
    );
    if !addr.ip().is_loopback() && !authenticated {
        tracing::warn!("no authentication on the non-loopback address {addr}: anyone who reaches it reads this host's details (set SYSTEM_STATS_BASIC_AUTH_USERS_FILE or SYSTEM_STATS_AUTH_TOKEN_FILE)");
    }
    notify::ready(&format!("serving /system on {addr}"));
    let grace_over = async move {
        match on_signal.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = server => {}
        () = grace_over => {
            tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after the signal; closing them");
        }
    }
    if let Some(h) = &history {
        crate::history::recorder::save_on_stop(h, &config.history);
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = int.recv() => {},
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
    notify::stopping();
}
