//! node_exporter's `pressure` collector: pressure stall information
//! (`/proc/pressure/{cpu,io,memory}`), the `total=` microseconds of the
//! `some` and `full` lines as seconds. Absent on kernels without PSI.

use crate::metrics::model::MetricFamily;

/// The `total=` of the `some` or `full` line, in microseconds.
pub fn total(text: &str, kind: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.split_whitespace().next() == Some(kind))?
        .split_whitespace()
        .find_map(|f| f.strip_prefix("total="))?
        .parse()
        .ok()
}

/// `cpu`, `io` and `memory` texts, each None when absent.
pub fn families(
    cpu: Option<&str>,
    io: Option<&str>,
    memory: Option<&str>,
) -> Option<Vec<MetricFamily>> {
    let mut out = Vec::new();
    let mut add = |text: Option<&str>, kind: &str, name: &str, help: &str| {
        if let Some(us) = text.and_then(|t| total(t, kind)) {
            out.push(MetricFamily::counter(name, help).with(vec![], us as f64 / 1e6));
        }
    };
    add(
        cpu,
        "some",
        "node_pressure_cpu_waiting_seconds_total",
        "Seconds in which at least one task waited for a CPU.",
    );
    add(
        io,
        "some",
        "node_pressure_io_waiting_seconds_total",
        "Seconds in which at least one task waited for I/O.",
    );
    add(
        io,
        "full",
        "node_pressure_io_stalled_seconds_total",
        "Seconds in which all non-idle tasks were stalled on I/O.",
    );
    add(
        memory,
        "some",
        "node_pressure_memory_waiting_seconds_total",
        "Seconds in which at least one task waited for memory.",
    );
    add(
        memory,
        "full",
        "node_pressure_memory_stalled_seconds_total",
        "Seconds in which all non-idle tasks were stalled on memory.",
    );
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_in_seconds() {
        let io = "some avg10=0.00 avg60=0.10 avg300=0.00 total=276069493\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=72812535\n";
        let cpu = "some avg10=1.00 avg60=0.00 avg300=0.00 total=5790037395\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        let f = families(Some(cpu), Some(io), None).expect("some");
        let got: Vec<(&str, f64)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.samples[0].value))
            .collect();
        assert_eq!(
            got,
            vec![
                ("node_pressure_cpu_waiting_seconds_total", 5790.037395),
                ("node_pressure_io_waiting_seconds_total", 276.069493),
                ("node_pressure_io_stalled_seconds_total", 72.812535)
            ]
        );
        assert_eq!(families(None, None, None), None);
        assert_eq!(total("some avg10=x\n", "some"), None);
    }
}
