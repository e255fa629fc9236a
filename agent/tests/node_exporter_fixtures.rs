//! node_exporter's extra families (stat, vmstat, pressure, filefd, entropy,
//! conntrack, selinux, netstat, sockstat, softnet, udp_queues, arp, time's
//! clock sources, netclass, netdev and diskstats extras) from the real
//! binary on the captured trees, checked series by series against an
//! independent oracle: `scripts/node-exporter-expected.py` reads the same
//! files and wrote `node-exporter-expected.json` beside each tree. Also
//! `node_scrape_collector_*` for every collector, and a source removed.
#![cfg(target_os = "linux")]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use support::{fixture, require_tool, split_series, Agent};

/// The collectors whose families are built from the snapshot, with
/// node_exporter's names; the newer ones are checked per family above.
const SNAPSHOT_COLLECTORS: [&str; 11] = [
    "cpu",
    "meminfo",
    "loadavg",
    "diskstats",
    "netdev",
    "filesystem",
    "thermal_zone",
    "hwmon",
    "uname",
    "os",
    "timex",
];

fn success(got: &BTreeMap<String, f64>, collector: &str) -> Option<f64> {
    got.get(&format!(
        "node_scrape_collector_success{{collector=\"{collector}\"}}"
    ))
    .copied()
}

/// Every collector has one success and one duration sample, and nothing else does.
fn assert_one_sample_per_collector(got: &BTreeMap<String, f64>, tree: &str) {
    let collectors = |family: &str| -> BTreeSet<String> {
        got.keys()
            .filter_map(|k| k.strip_prefix(family)?.strip_prefix("{collector=\""))
            .map(|c| c.trim_end_matches("\"}").to_string())
            .collect()
    };
    let ok = collectors("node_scrape_collector_success");
    let took = collectors("node_scrape_collector_duration_seconds");
    assert_eq!(ok, took, "{tree}");
    for c in SNAPSHOT_COLLECTORS {
        assert!(
            ok.contains(c),
            "{tree}: {c} has no node_scrape_collector_success"
        );
    }
    for c in &took {
        let d = got[&format!("node_scrape_collector_duration_seconds{{collector=\"{c}\"}}")];
        assert!((0.0..1.0).contains(&d), "{tree}: {c} took {d}");
    }
}

/// `name{a="x",b="y"}` with labels sorted by name, and its value.
fn series(line: &str) -> (String, f64) {
    let (s, value) = line.rsplit_once(' ').expect("series and value");
    let value: f64 = value.parse().expect("number");
    let (name, pairs) = split_series(s);
    if !s.contains('{') {
        return (name, value);
    }
    let mut labels: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    labels.sort();
    (format!("{name}{{{}}}", labels.join(",")), value)
}

fn scrape(agent: &Agent) -> BTreeMap<String, f64> {
    let r = agent.get("/metrics");
    assert_eq!(r.status, 200);
    r.body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(series)
        .collect()
}

fn family(series: &str) -> &str {
    series.split('{').next().expect("name")
}

fn check_tree(name: &str) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(fixture(name).join("node-exporter-expected.json"))
        .expect("node-exporter-expected.json");
    let want: BTreeMap<String, f64> = serde_json::from_str(&text).expect("json");
    let got = scrape(&Agent::on_fixture(name));
    for (s, v) in &want {
        let g = got.get(s).copied();
        assert!(
            g.is_some_and(|g| (g - v).abs() <= 1e-9 * v.abs().max(1.0)),
            "{name}: {s}: ours {g:?}, oracle {v}"
        );
    }
    // and nothing more in those families
    let families: BTreeSet<&str> = want.keys().map(|s| family(s)).collect();
    for s in got.keys().filter(|s| families.contains(family(s))) {
        assert!(want.contains_key(s), "{name}: {s} not in the oracle");
    }
    got
}

#[test]
fn host_tree_matches_the_oracle() {
    let got = check_tree("host-x86_64");
    for f in [
        "node_context_switches_total",
        "node_vmstat_pgfault",
        "node_pressure_io_stalled_seconds_total",
        "node_nf_conntrack_stat_found",
        "node_netstat_Tcp_CurrEstab",
        "node_netstat_Ip6_InOctets",
        "node_sockstat_TCP_mem_bytes",
        "node_softnet_processed_total{cpu=\"1\"}",
        "node_udp_queues{ip=\"v6\",queue=\"rx\"}",
        "node_arp_entries{device=\"eth0\"}",
        "node_network_up{device=\"eth0\"}",
        "node_network_speed_bytes{device=\"eth0\"}",
        "node_disk_discards_completed_total{device=\"vda\"}",
        "node_disk_flush_requests_total{device=\"vda\"}",
        // the VM's zram swap device, which node_exporter 1.5 reports
        "node_disk_reads_completed_total{device=\"zram0\"}",
        "node_disk_io_time_seconds_total{device=\"zram0\"}",
        "node_disk_flush_requests_total{device=\"zram0\"}",
        "node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"}",
    ] {
        assert!(got.keys().any(|k| k == f || family(k) == f), "{f} missing");
    }
    // the agent runs with TZ=UTC (support::Agent)
    assert_eq!(
        got.get("node_time_zone_offset_seconds{time_zone=\"UTC\"}"),
        Some(&0.0)
    );
    let now = chrono::Utc::now().timestamp() as f64;
    let t = got
        .get("node_time_seconds")
        .copied()
        .expect("node_time_seconds");
    assert!((t - now).abs() < 30.0, "{t} vs {now}");
    assert_eq!(got.get("node_selinux_enabled"), Some(&0.0));
    for c in [
        "stat",
        "vmstat",
        "pressure",
        "netstat",
        "netclass",
        "conntrack",
        "arp",
    ] {
        let key = format!("node_scrape_collector_success{{collector=\"{c}\"}}");
        assert_eq!(got.get(&key), Some(&1.0), "{key}");
        let d = format!("node_scrape_collector_duration_seconds{{collector=\"{c}\"}}");
        assert!(got.get(&d).is_some_and(|d| (0.0..1.0).contains(d)), "{d}");
    }
    assert_one_sample_per_collector(&got, "host-x86_64");
    // the VM has no /sys/class/hwmon: node_exporter reports hwmon 0 there
    // too, and thermal_zone 1 with no zones
    for c in SNAPSHOT_COLLECTORS {
        let want = if c == "hwmon" { 0.0 } else { 1.0 };
        assert_eq!(success(&got, c), Some(want), "host-x86_64: {c}");
    }
    assert!(!got.keys().any(|k| k.starts_with("node_hwmon_")));
}

/// The committed expectations are what the oracle says about the committed trees.
#[test]
fn the_oracle_output_is_committed() {
    let Some(python) = require_tool(&["python3"], "SYSTEM_STATS_SKIP_PYTHON", "python3") else {
        return;
    };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts/node-exporter-expected.py");
    for tree in ["host-x86_64", "pi4", "pi3b-armv7"] {
        let out = std::process::Command::new(&python)
            .arg(&script)
            .arg(tree)
            .output()
            .expect("run the oracle");
        assert!(
            out.status.success(),
            "{tree}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let committed =
            std::fs::read(fixture(tree).join("node-exporter-expected.json")).expect("json");
        assert!(
            out.stdout == committed,
            "{tree}: regenerate node-exporter-expected.json"
        );
    }
}

/// The Pi trees were captured before these sources were: what they have
/// (stat, vmstat, net/dev, diskstats, sys/class/net) matches, and what they
/// lack is absent, not zero, with the collector marked unsuccessful.
#[test]
fn pi_trees_match_the_oracle_and_absent_sources_are_absent() {
    for tree in ["pi4", "pi3b-armv7"] {
        let got = check_tree(tree);
        assert!(got.contains_key("node_context_switches_total"), "{tree}");
        for absent in [
            "node_pressure_",
            "node_nf_conntrack",
            "node_netstat_",
            "node_sockstat_",
            "node_softnet_",
            "node_udp_queues",
            "node_arp_entries",
            "node_filefd_",
            "node_entropy_",
            "node_time_clocksource",
        ] {
            assert!(
                !got.keys().any(|k| k.starts_with(absent)),
                "{tree}: {absent}"
            );
        }
        for c in ["pressure", "conntrack", "netstat", "softnet"] {
            let key = format!("node_scrape_collector_success{{collector=\"{c}\"}}");
            assert_eq!(got.get(&key), Some(&0.0), "{tree}: {key}");
        }
        assert_one_sample_per_collector(&got, tree);
        for c in SNAPSHOT_COLLECTORS {
            assert_eq!(success(&got, c), Some(1.0), "{tree}: {c}");
        }
        assert!(got.keys().any(|k| k.starts_with("node_hwmon_temp_celsius")));
    }
}

/// The host tree with /proc/meminfo and /proc/diskstats gone and an empty
/// /sys/class/hwmon (a VM without sensors): those two collectors fail and
/// their families are absent, hwmon succeeds with no families, and the rest
/// of /metrics is served.
#[test]
fn a_missing_source_fails_its_collector_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = fixture("host-x86_64");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .args(["proc", "sys", "etc"].map(|d| host.join(d)))
        .arg(dir.path())
        .status()
        .expect("cp");
    assert!(status.success());
    for gone in ["proc/meminfo", "proc/diskstats"] {
        std::fs::remove_file(dir.path().join(gone)).expect(gone);
    }
    std::fs::create_dir(dir.path().join("sys/class/hwmon")).expect("mkdir hwmon");
    let agent = Agent::start(&[
        (
            "SYSTEM_STATS_PROCFS",
            dir.path().join("proc").to_str().expect("utf8"),
        ),
        (
            "SYSTEM_STATS_SYSFS",
            dir.path().join("sys").to_str().expect("utf8"),
        ),
    ]);
    let got = scrape(&agent);
    assert_one_sample_per_collector(&got, "host-x86_64 less meminfo, diskstats");
    for c in SNAPSHOT_COLLECTORS {
        let want = if ["meminfo", "diskstats"].contains(&c) {
            0.0
        } else {
            1.0
        };
        assert_eq!(success(&got, c), Some(want), "{c}");
    }
    assert!(!got.keys().any(|k| k.starts_with("node_memory_")));
    assert!(!got.keys().any(|k| k.starts_with("node_disk_")));
    assert!(!got.keys().any(|k| k.starts_with("node_hwmon_")));
    for still in [
        "node_load1",
        "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
        "node_vmstat_pgfault",
        "node_context_switches_total",
    ] {
        assert!(got.contains_key(still), "{still}");
    }
}
