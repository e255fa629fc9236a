//! TLS for the agent's listener (rustls, ring): the PEM certificate chain
//! and key named by `SYSTEM_STATS_TLS_CERT_FILE` / `SYSTEM_STATS_TLS_KEY_FILE`,
//! held behind a swappable resolver so SIGHUP installs a renewed
//! certificate without closing the listener. A file that cannot be used at
//! start-up is a configuration error; at SIGHUP it is a warning and the
//! certificate in use stays.

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The two files, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Which of the two files was wrong, and why (the value is never shown:
/// only paths and parser messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    Cert(String),
    Key(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Cert(why) | LoadError::Key(why) => f.write_str(why),
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Read and check the chain and key: PEM that parses, a key rustls can sign
/// with, and a key that belongs to the first certificate.
pub fn load(files: &TlsFiles) -> Result<Arc<CertifiedKey>, LoadError> {
    let chain = read_chain(&files.cert).map_err(LoadError::Cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| LoadError::Key(format!("a PEM private key ({})", pem_error(&e))))?;
    CertifiedKey::from_der(chain, key, &provider())
        .map(Arc::new)
        .map_err(|e| LoadError::Key(format!("the private key of the certificate ({e})")))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("a PEM certificate chain ({})", pem_error(&e)))?;
    if chain.is_empty() {
        return Err("a PEM certificate chain (no CERTIFICATE block found)".into());
    }
    Ok(chain)
}

fn pem_error(e: &rustls_pki_types::pem::Error) -> String {
    match e {
        rustls_pki_types::pem::Error::Io(io) => io.to_string(),
        rustls_pki_types::pem::Error::NoItemsFound => "no PEM block of that kind found".into(),
        other => other.to_string(),
    }
}

/// The certificate served to every client; replaced in place on reload.
#[derive(Debug)]
pub struct ReloadableCert {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadableCert {
    pub fn new(files: TlsFiles, first: Arc<CertifiedKey>) -> Arc<Self> {
        Arc::new(ReloadableCert {
            files,
            current: RwLock::new(first),
        })
    }

    /// Read the files again; on success later handshakes get the new
    /// certificate, on failure the one in use stays.
    pub fn reload(&self) -> Result<(), LoadError> {
        let fresh = load(&self.files)?;
        if let Ok(mut cur) = self.current.write() {
            *cur = fresh;
        }
        Ok(())
    }

    pub fn files(&self) -> &TlsFiles {
        &self.files
    }
}

impl ResolvesServerCert for ReloadableCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}

/// The server configuration around a reloadable certificate: TLS 1.2 and
/// 1.3, no client certificates, HTTP/1.1.
pub fn server_config(cert: Arc<ReloadableCert>) -> Result<Arc<ServerConfig>, String> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .with_no_client_auth()
        .with_cert_resolver(cert);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
