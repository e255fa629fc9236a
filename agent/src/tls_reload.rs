//! SIGHUP: read the TLS certificate and key again (a renewal) while the
//! listener stays open. A file that cannot be used is a warning; the
//! certificate in use stays.

use crate::security_settings::{TLS_CERT_FILE, TLS_KEY_FILE};
use crate::tls::{LoadError, ReloadableCert};
use std::sync::Arc;

pub fn on_sighup(cert: Option<Arc<ReloadableCert>>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hangup.recv().await.is_some() {
            match &cert {
                None => tracing::info!("SIGHUP: nothing to reload (no TLS certificate configured)"),
                Some(cert) => reload(cert),
            }
        }
    });
    #[cfg(not(unix))]
    let _ = cert;
}

fn reload(cert: &ReloadableCert) {
    let files = cert.files();
    match cert.reload() {
        Ok(()) => tracing::info!(
            cert_file = %files.cert.display(),
            "SIGHUP: TLS certificate reloaded from {}",
            files.cert.display()
        ),
        Err(e) => {
            let (var, path) = match e {
                LoadError::Cert(_) => (TLS_CERT_FILE.env, &files.cert),
                LoadError::Key(_) => (TLS_KEY_FILE.env, &files.key),
            };
            tracing::warn!(
                "SIGHUP: keeping the certificate in use: {var}={:?}: expected {e}",
                path.display().to_string()
            );
        }
    }
}
