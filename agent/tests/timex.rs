//! The clock's state on a fixture run: adjtimex is a live syscall, not a
//! file of the tree, so `system.clock_synchronized` and the `node_timex_*`
//! families come from this machine's kernel. Checked here: their presence,
//! types and mutual consistency (the conversions themselves are unit-tested
//! against hand-computed structs in `metrics::node::timex`).
#![cfg(target_os = "linux")]

mod support;

use std::collections::BTreeMap;
use support::Agent;

const FAMILIES: [(&str, &str); 17] = [
    ("node_timex_sync_status", "gauge"),
    ("node_timex_offset_seconds", "gauge"),
    ("node_timex_frequency_adjustment_ratio", "gauge"),
    ("node_timex_maxerror_seconds", "gauge"),
    ("node_timex_estimated_error_seconds", "gauge"),
    ("node_timex_status", "gauge"),
    ("node_timex_loop_time_constant", "gauge"),
    ("node_timex_tick_seconds", "gauge"),
    ("node_timex_pps_frequency_hertz", "gauge"),
    ("node_timex_pps_jitter_seconds", "gauge"),
    ("node_timex_pps_shift_seconds", "gauge"),
    ("node_timex_pps_stability_hertz", "gauge"),
    ("node_timex_pps_jitter_total", "counter"),
    ("node_timex_pps_calibration_total", "counter"),
    ("node_timex_pps_error_total", "counter"),
    ("node_timex_pps_stability_exceeded_total", "counter"),
    ("node_timex_tai_offset_seconds", "gauge"),
];

#[test]
fn clock_state_in_system_and_metrics_agree_with_the_live_kernel() {
    let agent = Agent::on_fixture("pi4");
    let system = agent.get_json("/system");
    let synced = system["system"]["clock_synchronized"]
        .as_bool()
        .unwrap_or_else(|| panic!("a bool on Linux: {}", system["system"]));
    let text = agent.get("/metrics").body;
    let mut values = BTreeMap::new();
    for (name, kind) in FAMILIES {
        assert!(
            text.contains(&format!("\n# TYPE {name} {kind}\n")),
            "{name} {kind}"
        );
        assert!(text.contains(&format!("\n# HELP {name} ")), "{name}");
        let value: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} sample"))
            .parse()
            .expect("a number");
        values.insert(name, value);
    }
    // USER_HZ is 100 on Linux: 10 000 µs per tick (adjustable by ±10 %)
    let tick = values["node_timex_tick_seconds"];
    assert!((0.009..=0.011).contains(&tick), "tick {tick}");
    let ratio = values["node_timex_frequency_adjustment_ratio"];
    assert!((0.999..=1.001).contains(&ratio), "ratio {ratio}");
    // synchronized = not TIME_ERROR and no STA_UNSYNC (0x40) in the status
    let status = values["node_timex_status"] as i64;
    let sync_status = values["node_timex_sync_status"];
    assert_eq!(
        synced,
        sync_status == 1.0 && status & 0x40 == 0,
        "clock_synchronized {synced}, sync_status {sync_status}, status {status:#x}"
    );
}
