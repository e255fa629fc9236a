//! node_exporter's `vmstat` collector with its default field selection
//! (`^(oom_kill|pgpg|pswp|pg.*fault).*`): `node_vmstat_<field>`, untyped.

use crate::metrics::model::MetricFamily;

/// node_exporter's default field pattern.
pub fn wanted(field: &str) -> bool {
    field.starts_with("oom_kill")
        || field.starts_with("pgpg")
        || field.starts_with("pswp")
        || (field.starts_with("pg") && field[2..].contains("fault"))
}

pub fn families(vmstat: &str) -> Option<Vec<MetricFamily>> {
    let mut out = Vec::new();
    for line in vmstat.lines() {
        let mut f = line.split_whitespace();
        let (Some(key), Some(value)) = (f.next(), f.next()) else {
            continue;
        };
        let valid = key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let name = format!("node_vmstat_{key}");
        if valid && wanted(key) && !out.iter().any(|f: &MetricFamily| f.name == name) {
            out.push(
                MetricFamily::untyped(name, format!("Field {key} of /proc/vmstat."))
                    .with(vec![], value),
            );
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fields_only() {
        let f = families("nr_free_pages 5\npgpgin 10\npgpgout 11\npswpin 0\npswpout 0\npgfault 123\npgmajfault 4\nthp_fault_alloc 9\noom_kill 2\npgsteal_kswapd 1\n")
            .expect("parses");
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "node_vmstat_pgpgin",
                "node_vmstat_pgpgout",
                "node_vmstat_pswpin",
                "node_vmstat_pswpout",
                "node_vmstat_pgfault",
                "node_vmstat_pgmajfault",
                "node_vmstat_oom_kill"
            ]
        );
        assert_eq!(f[4].samples[0].value, 123.0);
        assert_eq!(families("nr_free_pages 5\n"), None);
    }
}
