//! SIGHUP: read the TLS certificate and key (a renewal) and the
//! authentication files (users, token) again while the listener stays
//! open. A file that cannot be used is one warning naming its variable;
//! what is in use stays.

use crate::server::auth::{AuthSources, Authenticator, Gate};
use crate::server::security_settings::{TLS_CERT_FILE, TLS_KEY_FILE};
use crate::server::tls::{LoadError, ReloadableCert};
use std::sync::Arc;

/// What SIGHUP reloads: each part is `None` when it is not configured.
pub struct Reloadable {
    pub cert: Option<Arc<ReloadableCert>>,
    pub auth: Option<(Arc<Gate>, AuthSources)>,
}

/// Install the SIGHUP handler now (before the listener announces itself, so
/// an early SIGHUP cannot take the default action and end the process) and
/// serve each signal in a task.
pub fn on_sighup(what: Reloadable) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangup = match signal(SignalKind::hangup()) {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!("SIGHUP reloads nothing: cannot install its handler ({e})");
                return;
            }
        };
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match &what.cert {
                    None => {
                        tracing::info!("SIGHUP: nothing to reload (no TLS certificate configured)")
                    }
                    Some(cert) => reload_cert(cert),
                }
                match &what.auth {
                    None => tracing::info!("SIGHUP: nothing to reload (authentication is off)"),
                    Some((gate, sources)) => reload_auth(gate.clone(), sources.clone()).await,
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = what;
}

fn reload_cert(cert: &ReloadableCert) {
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

/// Read the sources and build the new authenticator (one bcrypt run for
/// its dummy hash) off the async workers, then swap it into the gate.
async fn reload_auth(gate: Arc<Gate>, sources: AuthSources) {
    let built = tokio::task::spawn_blocking(move || {
        sources.load().map(|c| {
            let users = c.users.as_ref().map_or(0, |u| u.len());
            (Authenticator::new(&c), users, c.token.is_some())
        })
    })
    .await;
    match built {
        Ok(Ok((auth, users, token))) => {
            gate.replace(auth);
            tracing::info!(
                users,
                token,
                "SIGHUP: authentication reloaded: {users} basic-auth users, bearer token: {}",
                if token { "yes" } else { "no" }
            );
        }
        Ok(Err(e)) => tracing::warn!(
            "SIGHUP: keeping the authentication in use: {}={:?}: expected {}",
            e.file.named_by,
            e.file.path.display().to_string(),
            e.expected
        ),
        Err(e) => tracing::warn!("SIGHUP: keeping the authentication in use: reload failed ({e})"),
    }
}
