//! node_exporter's `filefd` collector: allocated and maximum file handles
//! from `/proc/sys/fs/file-nr` (allocated, unused, maximum).

use crate::metrics::model::MetricFamily;

pub fn families(file_nr: &str) -> Option<Vec<MetricFamily>> {
    let f: Vec<f64> = file_nr
        .split_whitespace()
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let [allocated, _, maximum] = f[..] else {
        return None;
    };
    Some(vec![
        MetricFamily::gauge("node_filefd_allocated", "File handles allocated.")
            .with(vec![], allocated),
        MetricFamily::gauge("node_filefd_maximum", "Maximum number of file handles.")
            .with(vec![], maximum),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocated_and_maximum() {
        let f = families("258\t0\t2466174\n").expect("parses");
        assert_eq!(f[0].samples[0].value, 258.0);
        assert_eq!(f[1].samples[0].value, 2_466_174.0);
        assert_eq!(families("1 2\n"), None);
        assert_eq!(families("a b c\n"), None);
    }
}
