//! TLS test support: a throwaway CA and server certificates made with the
//! `openssl` command, and HTTPS requests through rustls that also return
//! the certificate the agent served.

use super::{parse_response, Response};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// A CA and the directory its files live in.
pub struct TestCa {
    pub dir: tempfile::TempDir,
    pub ca_pem: PathBuf,
    ca_key: PathBuf,
}

/// A server certificate for 127.0.0.1 and localhost.
pub struct ServerCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl (Debian package openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

impl TestCa {
    pub fn new() -> TestCa {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_pem = dir.path().join("ca.pem");
        let ca_key = dir.path().join("ca.key");
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=system-stats test CA",
            "-keyout",
            s(&ca_key),
            "-out",
            s(&ca_pem),
        ]);
        TestCa {
            dir,
            ca_pem,
            ca_key,
        }
    }

    /// A new key and certificate signed by this CA, as `name.pem` / `name.key`.
    pub fn issue(&self, name: &str) -> ServerCert {
        let d = self.dir.path();
        let key = d.join(format!("{name}.key"));
        let cert = d.join(format!("{name}.pem"));
        let csr = d.join(format!("{name}.csr"));
        let ext = d.join(format!("{name}.ext"));
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write ext");
        openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            s(&key),
            "-out",
            s(&csr),
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            s(&csr),
            "-CA",
            s(&self.ca_pem),
            "-CAkey",
            s(&self.ca_key),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            s(&ext),
            "-out",
            s(&cert),
        ]);
        ServerCert { cert, key }
    }
}

/// The DER of the first certificate in a PEM file.
pub fn cert_der(pem: &Path) -> Vec<u8> {
    CertificateDer::from_pem_file(pem)
        .expect("PEM certificate")
        .to_vec()
}

/// A client configuration trusting only `ca_pem`.
pub fn client_config(ca_pem: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca_pem).expect("CA PEM"))
        .expect("add CA");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// `GET path` over HTTPS with extra header lines; the response and the
/// certificate the server presented (DER).
pub fn get(
    addr: SocketAddr,
    ca_pem: &Path,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(Response, Vec<u8>), String> {
    let tcp =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(20)))
        .map_err(|e| e.to_string())?;
    let name = ServerName::IpAddress(addr.ip().into());
    let conn =
        rustls::ClientConnection::new(client_config(ca_pem), name).map_err(|e| e.to_string())?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tls.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    // a server that closes without close_notify is an error for rustls;
    // what was read up to then is the response
    if let Err(e) = tls.read_to_end(&mut raw) {
        if raw.is_empty() {
            return Err(e.to_string());
        }
    }
    let served = tls
        .conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .ok_or("no peer certificate")?;
    Ok((parse_response(&raw), served))
}
