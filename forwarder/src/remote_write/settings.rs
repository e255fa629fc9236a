//! The remote-write settings as validated (endpoints, credentials, extra
//! labels, the agent's `/metrics` URL) and the pure parsers of their values;
//! reading them from the environment is `config/remote_write.rs`.

use reqwest::Url;
use system_stats_common::exposition::is_label_name;
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

/// `k=v,k=v`: label names as Prometheus allows them, not reserved (`__`),
/// non-empty values without commas, each name once. Empty → no labels.
pub fn parse_labels(value: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("k=v,k=v label pairs ({part:?} has no =)"));
        };
        let (k, v) = (k.trim(), v.trim());
        if !is_label_name(k) || k.starts_with("__") {
            return Err(format!(
                "k=v,k=v with label names like [a-zA-Z_][a-zA-Z0-9_]*, not starting with __ ({k:?} is not)"
            ));
        }
        if v.is_empty() {
            return Err(format!("k=v,k=v with non-empty values ({k} has none)"));
        }
        if out.iter().any(|(name, _)| name == k) {
            return Err(format!("k=v,k=v with each label once ({k} is repeated)"));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_syntax() {
        assert_eq!(
            parse_labels(" site=lab , rack=3 ").unwrap(),
            vec![("site".into(), "lab".into()), ("rack".into(), "3".into())]
        );
        assert_eq!(parse_labels("").unwrap(), vec![]);
        for bad in ["site", "=x", "1a=b", "__name__=x", "a-b=c", "a=", "a=1,a=2"] {
            assert!(parse_labels(bad).is_err(), "{bad}");
        }
    }

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
