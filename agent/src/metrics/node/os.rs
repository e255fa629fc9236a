//! node_exporter's `os` collector: `node_os_info` and `node_os_version`
//! from the snapshot's os-release.

use super::raw::RawCounters;
use crate::metrics::model::MetricFamily;
use crate::snapshot::Snapshot;

pub fn families(snap: &Snapshot, _raw: &RawCounters) -> Vec<MetricFamily> {
    let mut info = MetricFamily::gauge(
        "node_os_info",
        "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    );
    let mut version = MetricFamily::gauge(
        "node_os_version",
        "Metric containing the major.minor part of the OS version.",
    );
    if let Some(o) = &snap.os_release {
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        info.push(
            vec![
                ("build_id", v(&o.build_id)),
                ("id", v(&o.id)),
                ("id_like", v(&o.id_like)),
                ("image_id", v(&o.image_id)),
                ("image_version", v(&o.image_version)),
                ("name", v(&o.name)),
                ("pretty_name", v(&o.pretty_name)),
                ("variant", v(&o.variant)),
                ("variant_id", v(&o.variant_id)),
                ("version", v(&o.version)),
                ("version_codename", v(&o.version_codename)),
                ("version_id", v(&o.version_id)),
            ],
            1.0,
        );
        if let Some(n) = o.version_id.as_deref().and_then(major_minor) {
            version.push(
                vec![
                    ("id", v(&o.id)),
                    ("id_like", v(&o.id_like)),
                    ("name", v(&o.name)),
                ],
                n,
            );
        }
    }
    vec![info, version]
}

/// `22.04.3` → 22.04, `12` → 12.
fn major_minor(version_id: &str) -> Option<f64> {
    let mut parts = version_id.split('.');
    let major = parts.next()?;
    match parts.next() {
        Some(minor) => format!("{major}.{minor}").parse().ok(),
        None => major.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_version_major_minor() {
        assert_eq!(major_minor("12"), Some(12.0));
        assert_eq!(major_minor("22.04.3"), Some(22.04));
        assert_eq!(major_minor("rolling"), None);
    }
}
