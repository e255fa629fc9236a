//! node_exporter's `stat` collector beyond CPU times and boot time (which
//! `cpu.rs` exports): interrupts, context switches, forks and
//! runnable/blocked process counts from `/proc/stat`.

use super::keyed_value;
use crate::metrics::model::MetricFamily;

pub fn families(stat: &str) -> Option<Vec<MetricFamily>> {
    keyed_value(stat, "ctxt")?;
    let mut out = Vec::new();
    let mut add = |f: MetricFamily, key: &str| {
        if let Some(v) = keyed_value(stat, key) {
            out.push(f.with(vec![], v));
        }
    };
    add(
        MetricFamily::counter("node_intr_total", "Interrupts serviced since boot."),
        "intr",
    );
    add(
        MetricFamily::counter(
            "node_context_switches_total",
            "Context switches since boot.",
        ),
        "ctxt",
    );
    add(
        MetricFamily::counter("node_forks_total", "Processes created since boot."),
        "processes",
    );
    add(
        MetricFamily::gauge("node_procs_running", "Processes in runnable state."),
        "procs_running",
    );
    add(
        MetricFamily::gauge("node_procs_blocked", "Processes blocked waiting for I/O."),
        "procs_blocked",
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_process_gauges() {
        let f = families("cpu  1 2 3 4\nintr 1234 5 6\nctxt 99\nbtime 1\nprocesses 77\nprocs_running 3\nprocs_blocked 1\n")
            .expect("parses");
        let got: Vec<(&str, f64)> = f
            .iter()
            .map(|f| (f.name.as_str(), f.samples[0].value))
            .collect();
        assert_eq!(
            got,
            vec![
                ("node_intr_total", 1234.0),
                ("node_context_switches_total", 99.0),
                ("node_forks_total", 77.0),
                ("node_procs_running", 3.0),
                ("node_procs_blocked", 1.0)
            ]
        );
        assert_eq!(families("cpu 1 2 3\n"), None);
    }
}
