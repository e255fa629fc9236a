//! The remote-write settings as validated (endpoints, credentials, extra
//! labels, the agent's `/metrics` URL) and the pure parsers of their values;
//! reading them from the environment is `config/remote_write.rs`.

use reqwest::Url;
use system_stats_common::Secret;

/// How a remote-write request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    Basic {
        username: String,
        password: Option<Secret>,
    },
    Bearer(Secret),
}

/// One remote-write endpoint: its URL without credentials, and its auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: Url,
    pub auth: Auth,
}

/// Validated remote-write settings.
#[derive(Debug, Clone)]
pub struct RemoteWriteConfig {
    pub endpoints: Vec<Endpoint>,
    pub labels: Vec<(String, String)>,
    /// The agent's Prometheus exposition, scraped at each poll.
    pub metrics_source: Url,
}

/// `http://h:5001/system` → `http://h:5001/metrics` (query dropped).
pub fn derive_metrics_url(source: &Url) -> Option<Url> {
    let path = source.path().strip_suffix("/system")?;
    let mut url = source.clone();
    url.set_path(&format!("{path}/metrics"));
    url.set_query(None);
    url.set_fragment(None);
    Some(url)
}

/// `k=v,k=v` labels: the catalogue's check, which returns them.
pub use system_stats_common::settings::validators::labels as parse_labels;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_url_from_system_url() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            derive_metrics_url(&u("http://127.0.0.1:5001/system?x=1"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:5001/metrics"
        );
        assert_eq!(
            derive_metrics_url(&u("https://pi/agent/system"))
                .unwrap()
                .as_str(),
            "https://pi/agent/metrics"
        );
        assert_eq!(derive_metrics_url(&u("http://pi/snapshot")), None);
    }
}
