//! node_exporter's `entropy` collector: `/proc/sys/kernel/random/entropy_avail`
//! and `poolsize`, in bits.

use crate::metrics::model::MetricFamily;

pub fn families(avail: &str, poolsize: Option<&str>) -> Option<Vec<MetricFamily>> {
    let avail: f64 = avail.trim().parse().ok()?;
    let mut out = vec![MetricFamily::gauge(
        "node_entropy_available_bits",
        "Bits of entropy available in the kernel's pool.",
    )
    .with(vec![], avail)];
    if let Some(size) = poolsize.and_then(|p| p.trim().parse::<f64>().ok()) {
        out.push(
            MetricFamily::gauge(
                "node_entropy_pool_size_bits",
                "Size of the kernel's entropy pool in bits.",
            )
            .with(vec![], size),
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_and_pool_size() {
        let f = families("256\n", Some("256\n")).expect("parses");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].samples[0].value, 256.0);
        assert_eq!(families("x", None), None);
    }
}
