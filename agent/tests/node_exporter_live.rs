//! Parity with Debian's real node_exporter on this machine, same moment:
//! every family it exports (less its Go/process/promhttp ones, its build
//! info, and the families listed in `LEFT_OUT` with the reason) is in our
//! `/metrics` with the same label names; static values are equal and
//! moving counters within a tolerance; each of our collectors has
//! node_exporter's name and success. node_exporter is started on
//! 127.0.0.1 with a free port and default collectors; both read the same
//! textfile directory.
#![cfg(target_os = "linux")]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{require_tool, split_series, Agent};

/// Families node_exporter has that we deliberately do not export.
const LEFT_OUT: &[(&str, &str)] = &[
    ("go_", "the exporter's own Go runtime"),
    ("process_", "the exporter's own process"),
    ("promhttp_", "the exporter's own HTTP handler"),
    ("node_exporter_build_info", "the exporter's own build"),
    ("node_timex_", "timex collector: another branch adds it"),
    (
        "node_cpu_frequency_",
        "cpufreq collector: not in issue 15 (frequency is in /system)",
    ),
    ("node_cpu_scaling_", "cpufreq collector: not in issue 15"),
    (
        "node_cpu_core_throttles_total",
        "thermal throttle counters: not in issue 15",
    ),
    (
        "node_cpu_package_throttles_total",
        "thermal throttle counters: not in issue 15",
    ),
    (
        "node_hwmon_",
        "hwmon: we export temperatures only (fans, voltages, power are not in issue 15)",
    ),
    (
        "node_cooling_device_",
        "thermal cooling devices: not in issue 15",
    ),
    ("node_power_supply_", "powersupplyclass: not in issue 15"),
    ("node_rapl_", "RAPL energy counters: not in issue 15"),
    ("node_dmi_info", "dmi collector: not in issue 15"),
    ("node_edac_", "EDAC memory controllers: not in issue 15"),
    ("node_schedstat_", "schedstat: not in issue 15"),
    (
        "node_btrfs_",
        "filesystem-specific collectors: not in issue 15",
    ),
    (
        "node_xfs_",
        "filesystem-specific collectors: not in issue 15",
    ),
    (
        "node_zfs_",
        "filesystem-specific collectors: not in issue 15",
    ),
    ("node_bcache_", "bcache: not in issue 15"),
    ("node_md_", "mdadm: not in issue 15"),
    ("node_nfs_", "NFS client statistics: not in issue 15"),
    ("node_nfsd_", "NFS server statistics: not in issue 15"),
    ("node_nvme_", "nvme info: not in issue 15"),
    ("node_bonding_", "bonding: not in issue 15"),
    (
        "node_systemd_",
        "systemd collector: not a node_exporter default",
    ),
    ("node_infiniband_", "infiniband: not in issue 15"),
    ("node_fibrechannel_", "fibrechannel: not in issue 15"),
    ("node_tape_", "tapestats: not in issue 15"),
    ("node_ipvs_", "ipvs: not in issue 15"),
    (
        "node_disk_filesystem_info",
        "udev filesystem metadata of whole disks: not in issue 15",
    ),
    (
        "node_disk_device_mapper_info",
        "udev device-mapper metadata: not in issue 15",
    ),
    ("node_disk_ata_", "udev ATA properties: not in issue 15"),
];

/// Families whose every value must be equal.
const STATIC: &[&str] = &[
    "node_boot_time_seconds",
    "node_filefd_maximum",
    "node_entropy_pool_size_bits",
    "node_nf_conntrack_entries_limit",
    "node_selinux_enabled",
    "node_netstat_Ip_Forwarding",
    "node_network_info",
    "node_network_mtu_bytes",
    "node_network_flags",
    "node_network_speed_bytes",
    "node_network_iface_id",
    "node_network_protocol_type",
    "node_network_address_assign_type",
    "node_network_device_id",
    "node_network_transmit_queue_length",
    "node_time_clocksource_available_info",
    "node_time_clocksource_current_info",
    "node_time_zone_offset_seconds",
    "node_disk_info",
    "node_memory_MemTotal_bytes",
    "node_uname_info",
    "node_os_info",
    "node_textfile_mtime_seconds",
    "node_textfile_scrape_error",
    "parity_check_value",
];

/// Families that move between the two scrapes: equal within a tolerance.
fn moving(name: &str) -> bool {
    [
        "node_context_switches_total",
        "node_intr_total",
        "node_forks_total",
        "node_time_seconds",
    ]
    .contains(&name)
        || [
            "node_vmstat_",
            "node_pressure_",
            "node_softnet_",
            "node_network_receive_",
            "node_network_transmit_",
            "node_disk_",
        ]
        .iter()
        .any(|p| name.starts_with(p) && name.ends_with("_total"))
        || (name.starts_with("node_netstat_")
            && !name.ends_with("CurrEstab")
            && !name.ends_with("Forwarding"))
        || name.starts_with("node_vmstat_")
}

/// family → series (`name{labels}`, labels sorted) → value, and family → label-name sets.
type Parsed = (
    BTreeMap<String, BTreeMap<String, f64>>,
    BTreeMap<String, BTreeSet<Vec<String>>>,
);

fn parse(text: &str) -> Parsed {
    let mut series: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let mut labels: BTreeMap<String, BTreeSet<Vec<String>>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (s, v) = line.rsplit_once(' ').expect("series value");
        let (name, pairs) = split_series(s);
        let rendered: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let key = format!("{name}{{{}}}", rendered.join(","));
        let value = v.parse().unwrap_or_else(|_| panic!("number: {line}"));
        series.entry(name.clone()).or_default().insert(key, value);
        labels
            .entry(name)
            .or_default()
            .insert(pairs.into_iter().map(|(k, _)| k).collect());
    }
    (series, labels)
}

struct NodeExporter(Child);

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET /metrics over HTTP/1.0 (node_exporter then answers without chunking).
fn get(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.lines().next()?.split_whitespace().nth(1)?;
    (status == "200").then(|| body.to_string())
}

#[test]
fn every_node_exporter_family_is_ours_with_its_labels_and_values() {
    let Some(exe) = require_tool(
        &["prometheus-node-exporter", "node_exporter"],
        "SYSTEM_STATS_SKIP_NODE_EXPORTER",
        "prometheus-node-exporter",
    ) else {
        return;
    };
    let textfiles = tempfile::tempdir().expect("tempdir");
    std::fs::write(textfiles.path().join("parity.prom"), "# HELP parity_check_value Test.\n# TYPE parity_check_value gauge\nparity_check_value{source=\"textfile\"} 42\n").expect("write");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _ne = NodeExporter(
        Command::new(exe)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!(
                "--collector.textfile.directory={}",
                textfiles.path().display()
            ))
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node_exporter"),
    );
    let agent = Agent::start(&[(
        "SYSTEM_STATS_TEXTFILE_DIR",
        textfiles.path().to_str().expect("utf8"),
    )]);
    let deadline = Instant::now() + Duration::from_secs(15);
    let theirs = loop {
        if let Some(body) = get(port) {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "node_exporter did not answer on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let ours = agent.get("/metrics").body;
    let (their_series, their_labels) = parse(&theirs);
    let (our_series, our_labels) = parse(&ours);

    let mut problems = Vec::new();
    for (family, label_sets) in &their_labels {
        let Some(ours) = our_labels.get(family) else {
            if !LEFT_OUT.iter().any(|(p, _)| family.starts_with(p)) {
                problems.push(format!("missing {family} {label_sets:?}"));
            }
            continue;
        };
        if ours != label_sets {
            problems.push(format!(
                "{family}: labels {ours:?}, node_exporter {label_sets:?}"
            ));
        }
        let is_static = STATIC.contains(&family.as_str());
        if !is_static && !moving(family) {
            continue;
        }
        for (s, v) in &their_series[family] {
            let Some(o) = our_series[family].get(s) else {
                problems.push(format!("missing series {s}"));
                continue;
            };
            let ok = if is_static {
                o == v
            } else if family == "node_time_seconds" {
                (o - v).abs() < 5.0
            } else {
                (o - v).abs() <= 0.05 * v.abs() + 5000.0
            };
            if !ok {
                problems.push(format!("{s}: ours {o}, node_exporter {v}"));
            }
        }
    }
    // every collector of ours is one of node_exporter's, by its name, and
    // succeeds or fails here as it does (it has more collectors than we do)
    let success = "node_scrape_collector_success";
    for (s, o) in &our_series[success] {
        match their_series[success].get(s) {
            Some(v) if v == o => {}
            Some(v) => problems.push(format!("{s}: ours {o}, node_exporter {v}")),
            None => problems.push(format!("{s}: not a node_exporter collector")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for c in ["cpu", "meminfo", "diskstats", "filesystem", "hwmon", "os"] {
        let s = format!("{success}{{collector=\"{c}\"}}");
        assert!(our_series[success].contains_key(&s), "{s}");
    }
    // the comparison covered the new families
    for f in [
        "node_context_switches_total",
        "node_vmstat_pgfault",
        "node_network_up",
        "node_sockstat_TCP_inuse",
        "node_scrape_collector_success",
    ] {
        assert!(
            their_labels.contains_key(f) && our_labels.contains_key(f),
            "{f}"
        );
    }
}
