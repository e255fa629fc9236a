//! The forwarder's HTTP clients: the settings they all share
//! (`client_builder`), and the client that polls the agent, which alone
//! carries the agent's credentials (as a default, sensitive `Authorization`
//! header) and trusts the agent's CA file, so neither ever reaches a
//! destination.

use crate::config::source_access::{SourceAccess, SourceAuth};
use crate::delivery::error_chain;
use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Client;
use std::time::Duration;

fn authorization(auth: &SourceAuth) -> Result<Option<HeaderValue>, String> {
    let value = match auth {
        SourceAuth::None => return Ok(None),
        SourceAuth::Bearer(t) => format!("Bearer {}", t.expose()),
        SourceAuth::Basic { username, password } => {
            let pair = format!("{username}:{}", password.expose());
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        }
    };
    let mut v = HeaderValue::from_str(&value)
        .map_err(|_| "the agent's credentials do not fit in a header".to_string())?;
    v.set_sensitive(true);
    Ok(Some(v))
}

/// The settings every client of the forwarder shares: rustls, system root
/// certificates only when `system_roots` (they cost memory), one idle
/// connection per host, the timeouts, our User-Agent.
pub fn client_builder(system_roots: bool, timeout: Duration) -> reqwest::ClientBuilder {
    Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(system_roots)
        .connect_timeout(timeout)
        .timeout(timeout)
        .pool_max_idle_per_host(1)
        .user_agent(concat!(
            "system-stats-forwarder/",
            env!("CARGO_PKG_VERSION")
        ))
}

/// `https` says whether any polled URL is https (system roots are loaded
/// only then, and only without a CA file).
pub fn build(access: &SourceAccess, https: bool, timeout: Duration) -> Result<Client, String> {
    let mut headers = HeaderMap::new();
    if let Some(v) = authorization(&access.auth)? {
        headers.insert(AUTHORIZATION, v);
    }
    let mut builder =
        client_builder(https && access.ca.is_none(), timeout).default_headers(headers);
    if let Some((path, pem)) = &access.ca {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| format!("cannot set up the agent's HTTP client: {}", error_chain(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use system_stats_common::Secret;

    #[test]
    fn header_values_are_sensitive() {
        let basic = SourceAuth::Basic {
            username: "prom".into(),
            password: Secret::new("pw"),
        };
        let v = authorization(&basic).unwrap().unwrap();
        assert_eq!(v.to_str().unwrap(), "Basic cHJvbTpwdw==");
        assert!(v.is_sensitive());
        let b = authorization(&SourceAuth::Bearer(Secret::new("t")))
            .unwrap()
            .unwrap();
        assert_eq!(b.to_str().unwrap(), "Bearer t");
        assert_eq!(authorization(&SourceAuth::None).unwrap(), None);
    }
}
