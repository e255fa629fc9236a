//! node_exporter's `selinux` collector: `node_selinux_enabled`, and when it
//! is enabled the configured and current modes (1 enforcing, 0 permissive,
//! -1 disabled) from selinuxfs `enforce` and `/etc/selinux/config`.

use crate::metrics::model::MetricFamily;

/// `enforce`: the selinuxfs file (None: SELinux is off); `config`: /etc/selinux/config.
pub fn families(enforce: Option<&str>, config: Option<&str>) -> Vec<MetricFamily> {
    let enabled = MetricFamily::gauge("node_selinux_enabled", "1 if SELinux is enabled, 0 if not.");
    let Some(enforce) = enforce else {
        return vec![enabled.with(vec![], 0.0)];
    };
    let mut out = vec![enabled.with(vec![], 1.0)];
    let configured = config.and_then(|c| {
        c.lines().find_map(|l| {
            let v = l.trim().strip_prefix("SELINUX=")?;
            Some(match v.trim().to_ascii_lowercase().as_str() {
                "enforcing" => 1.0,
                "permissive" => 0.0,
                _ => -1.0,
            })
        })
    });
    if let Some(mode) = configured {
        out.push(
            MetricFamily::gauge(
                "node_selinux_config_mode",
                "Configured SELinux mode (1 enforcing, 0 permissive, -1 disabled).",
            )
            .with(vec![], mode),
        );
    }
    if let Ok(mode) = enforce.trim().parse::<f64>() {
        out.push(
            MetricFamily::gauge(
                "node_selinux_current_mode",
                "Current SELinux mode (1 enforcing, 0 permissive, -1 disabled).",
            )
            .with(vec![], mode),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_and_enforcing() {
        let off = families(None, None);
        assert_eq!((off.len(), off[0].samples[0].value), (1, 0.0));
        let on = families(
            Some("1\n"),
            Some("# c\nSELINUX=permissive\nSELINUXTYPE=targeted\n"),
        );
        let got: Vec<f64> = on.iter().map(|f| f.samples[0].value).collect();
        assert_eq!(got, vec![1.0, 0.0, 1.0]);
    }
}
