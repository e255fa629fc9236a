//! node_exporter's `sockstat` collector: `/proc/net/sockstat` and
//! `sockstat6` lines (`TCP: inuse 4 orphan 0 tw 2 alloc 4 mem 0`) as
//! `node_sockstat_<PROTO>_<field>`, plus `_mem_bytes` (pages × page size)
//! and `node_sockstat_sockets_used`.

use crate::metrics::model::MetricFamily;

fn add(out: &mut Vec<MetricFamily>, text: &str, page_size: u64) {
    for line in text.lines() {
        let Some((proto, rest)) = line.split_once(':') else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        for pair in words.chunks(2) {
            let [field, value] = pair else {
                continue;
            };
            let Ok(v) = value.parse::<f64>() else {
                continue;
            };
            if proto == "sockets" {
                if *field == "used" {
                    out.push(
                        MetricFamily::gauge("node_sockstat_sockets_used", "IPv4 sockets in use.")
                            .with(vec![], v),
                    );
                }
                continue;
            }
            let name = format!("node_sockstat_{proto}_{field}");
            let help = format!("{proto} sockets in state {field}.");
            out.push(MetricFamily::gauge(name, help).with(vec![], v));
            if *field == "mem" {
                out.push(
                    MetricFamily::gauge(
                        format!("node_sockstat_{proto}_mem_bytes"),
                        format!("Memory of {proto} sockets in bytes."),
                    )
                    .with(vec![], v * page_size as f64),
                );
            }
        }
    }
}

pub fn families(v4: Option<&str>, v6: Option<&str>, page_size: u64) -> Option<Vec<MetricFamily>> {
    if v4.is_none() && v6.is_none() {
        return None;
    }
    let mut out = Vec::new();
    for text in [v4, v6].into_iter().flatten() {
        add(&mut out, text, page_size);
    }
    out.retain(|f| {
        f.name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_fields_and_mem_bytes() {
        let v4 = "sockets: used 120\nTCP: inuse 4 orphan 0 tw 2 alloc 4 mem 3\nUDP: inuse 1 mem 0\nFRAG: inuse 0 memory 0\n";
        let v6 = "TCP6: inuse 2\n";
        let f = families(Some(v4), Some(v6), 4096).expect("some");
        let get = |n: &str| f.iter().find(|f| f.name == n).map(|f| f.samples[0].value);
        assert_eq!(get("node_sockstat_sockets_used"), Some(120.0));
        assert_eq!(get("node_sockstat_TCP_tw"), Some(2.0));
        assert_eq!(get("node_sockstat_TCP_mem_bytes"), Some(3.0 * 4096.0));
        assert_eq!(get("node_sockstat_FRAG_memory"), Some(0.0));
        assert_eq!(get("node_sockstat_TCP6_inuse"), Some(2.0));
        assert_eq!(f.len(), 13);
        assert_eq!(families(None, None, 4096), None);
    }
}
