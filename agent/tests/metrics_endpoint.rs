//! `GET /metrics` from the real binary on the pi4 fixture: node_exporter's
//! names with the values node_exporter computes from the same files, our
//! `system_stats_*` Pi families, HELP/TYPE for every family, and a clean
//! `promtool check metrics`.
#![cfg(target_os = "linux")]

mod support;

use std::collections::BTreeMap;
use support::{fixture, require_tool, Agent};

/// Series (`name{labels}` exactly as rendered) → value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("series and value");
            (series.to_string(), value.parse::<f64>().expect("number"))
        })
        .collect()
}

fn scrape() -> String {
    let agent = Agent::on_fixture("pi4");
    let r = agent.get("/metrics");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    r.body
}

#[test]
fn node_exporter_metrics_match_the_pi4_files() {
    let m = samples(&scrape());
    let expect = |series: &str, value: f64| {
        assert_eq!(m.get(series).copied(), Some(value), "{series}");
    };
    // proc/stat cpu0 "21034 312 8451 1800309 2897 0 1187 0" / USER_HZ 100
    expect(r#"node_cpu_seconds_total{cpu="0",mode="user"}"#, 210.34);
    expect(r#"node_cpu_seconds_total{cpu="0",mode="nice"}"#, 3.12);
    expect(r#"node_cpu_seconds_total{cpu="0",mode="system"}"#, 84.51);
    expect(r#"node_cpu_seconds_total{cpu="0",mode="idle"}"#, 18003.09);
    expect(r#"node_cpu_seconds_total{cpu="0",mode="iowait"}"#, 28.97);
    expect(r#"node_cpu_seconds_total{cpu="0",mode="softirq"}"#, 11.87);
    expect(r#"node_cpu_seconds_total{cpu="3",mode="idle"}"#, 18061.58);
    expect(r#"node_cpu_seconds_total{cpu="3",mode="steal"}"#, 0.0);
    assert_eq!(
        m.keys()
            .filter(|k| k.starts_with("node_cpu_seconds_total{"))
            .count(),
        4 * 8
    );
    // meminfo kB * 1024 (expected.json memory.total / available, swap.total)
    expect("node_memory_MemTotal_bytes", 3_975_475_200.0);
    expect("node_memory_MemAvailable_bytes", 3_520_733_184.0);
    expect("node_memory_SwapTotal_bytes", 104_853_504.0);
    expect("node_memory_Active_anon_bytes", 3200.0 * 1024.0);
    expect("node_load1", 0.42);
    expect("node_load5", 0.31);
    expect("node_load15", 0.27);
    expect("node_boot_time_seconds", 1_718_609_416.0);
    // diskstats sectors * 512; loop devices excluded, mmc partitions kept
    expect(
        r#"node_disk_read_bytes_total{device="mmcblk0"}"#,
        969_446_400.0,
    );
    expect(
        r#"node_disk_written_bytes_total{device="mmcblk0"}"#,
        250_687_488.0,
    );
    expect(
        r#"node_disk_read_bytes_total{device="mmcblk0p2"}"#,
        955_817_984.0,
    );
    expect(
        r#"node_disk_io_time_seconds_total{device="mmcblk0"}"#,
        41.236,
    );
    assert!(
        !m.keys().any(|k| k.contains(r#"device="loop"#)),
        "loop devices excluded"
    );
    // net/dev, every device including lo
    expect(
        r#"node_network_receive_bytes_total{device="wlan0"}"#,
        187_452_903.0,
    );
    expect(
        r#"node_network_transmit_bytes_total{device="wlan0"}"#,
        12_783_641.0,
    );
    expect(r#"node_network_receive_bytes_total{device="lo"}"#, 48213.0);
    expect(r#"node_network_receive_bytes_total{device="eth0"}"#, 0.0);
    expect(r#"node_network_receive_drop_total{device="wlan0"}"#, 27.0);
    // thermal_zone0 temp 48686, hwmon0 temp1_input 48686
    expect(
        r#"node_thermal_zone_temp{type="cpu-thermal",zone="0"}"#,
        48.686,
    );
    expect(
        r#"node_hwmon_temp_celsius{chip="cpu_thermal",sensor="temp1"}"#,
        48.686,
    );
    expect(
        r#"node_os_info{build_id="",id="debian",id_like="",image_id="",image_version="",name="Debian GNU/Linux",pretty_name="Debian GNU/Linux 12 (bookworm)",variant="",variant_id="",version="12 (bookworm)",version_codename="bookworm",version_id="12"}"#,
        1.0,
    );
    let uname = m
        .keys()
        .find(|k| k.starts_with("node_uname_info{"))
        .expect("node_uname_info");
    assert!(uname.contains(r#"nodename="raspberrypi""#), "{uname}");
    assert!(uname.contains(r#"release="6.6.31+rpt-rpi-v8""#), "{uname}");
    assert!(uname.contains(r#"sysname="Linux""#), "{uname}");
    // "/" of the tree is the fixture directory: size = f_blocks * f_bsize
    let st = rustix::fs::statvfs(fixture("pi4")).expect("statvfs");
    expect(
        r#"node_filesystem_size_bytes{device="/dev/mmcblk0p2",fstype="ext4",mountpoint="/"}"#,
        (st.f_blocks * st.f_bsize) as f64,
    );
    expect(
        r#"node_filesystem_device_error{device="/dev/mmcblk0p1",fstype="vfat",mountpoint="/boot/firmware"}"#,
        1.0,
    );
}

#[test]
fn raspberry_pi_health_metrics() {
    let m = samples(&scrape());
    let expect = |series: &str, value: f64| {
        assert_eq!(m.get(series).copied(), Some(value), "{series}");
    };
    // get_throttled 50005: bits 0, 2, 16, 18
    expect(r#"system_stats_rpi_under_voltage{when="now"}"#, 1.0);
    expect(r#"system_stats_rpi_under_voltage{when="since_boot"}"#, 1.0);
    expect(r#"system_stats_rpi_throttled{when="now"}"#, 1.0);
    expect(r#"system_stats_rpi_throttled{when="since_boot"}"#, 1.0);
    expect(r#"system_stats_rpi_arm_frequency_capped{when="now"}"#, 0.0);
    expect(
        r#"system_stats_rpi_soft_temperature_limit{when="since_boot"}"#,
        0.0,
    );
    expect("system_stats_rpi_throttled_raw", 327_685.0);
    expect("system_stats_rpi_voltage_alarm", 1.0);
    expect("system_stats_cpu_temperature_celsius", 48.686);
    expect(
        r#"system_stats_rpi_info{model="Raspberry Pi 4 Model B Rev 1.4",revision="c03114"}"#,
        1.0,
    );
}

#[test]
fn every_family_has_help_and_type_once() {
    let text = scrape();
    let mut help = BTreeMap::new();
    let mut kind = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().expect("name");
            assert!(
                help.insert(name.to_string(), ()).is_none(),
                "HELP twice: {name}"
            );
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, t) = rest.split_once(' ').expect("name and type");
            // untyped: node_exporter's raw vmstat/netstat fields
            assert!(["counter", "gauge", "untyped"].contains(&t), "{line}");
            assert!(name.ends_with("_total") == (t == "counter"), "{line}");
            assert!(
                kind.insert(name.to_string(), ()).is_none(),
                "TYPE twice: {name}"
            );
            assert!(help.contains_key(name), "TYPE before HELP: {name}");
        } else if !line.is_empty() {
            let name = line.split(['{', ' ']).next().expect("name");
            assert!(kind.contains_key(name), "sample without TYPE: {line}");
        }
    }
    assert!(kind.len() > 40, "{} families", kind.len());
}

/// promtool's lint findings on node_exporter's own names, which the issue
/// requires: camelCase meminfo and netstat fields (`node_memory_MemTotal_bytes`,
/// `node_netstat_Tcp_InSegs`) and the entropy families' `bits` unit.
fn node_exporters_own(name: &str) -> bool {
    ((name.starts_with("node_memory_") || name.starts_with("node_netstat_"))
        && name.chars().any(|c| c.is_ascii_uppercase()))
        || name.starts_with("node_entropy_")
}

/// Those findings are the only ones allowed, and everything else must pass
/// with no output at all; on the Pi tree and on the host tree (which has
/// the netstat, sockstat and entropy sources).
#[test]
fn promtool_check_metrics_is_clean() {
    let Some(tool) = require_tool(&["promtool"], "SYSTEM_STATS_SKIP_PROMTOOL", "prometheus") else {
        return;
    };
    for tree in ["pi4", "host-x86_64"] {
        let text = Agent::on_fixture(tree).get("/metrics").body;
        let (code, report) = support::promtool(&tool, &text);
        let others: Vec<&str> = report
            .lines()
            .filter(|l| {
                let name = l.split(' ').next().unwrap_or("");
                !(node_exporters_own(name)
                    && (l.ends_with(
                        "metric names should be written in 'snake_case' not 'camelCase'",
                    ) || l.ends_with("use base unit \"bytes\" instead of \"bits\"")))
            })
            .collect();
        assert!(others.is_empty(), "{tree}: promtool: {report}");
        assert!(
            code == Some(0) || code == Some(3),
            "{tree}: promtool exit {code:?}: {report}"
        );

        let without_own: String = text
            .lines()
            .filter(|l| {
                let name = l
                    .trim_start_matches("# HELP ")
                    .trim_start_matches("# TYPE ")
                    .split(['{', ' '])
                    .next()
                    .unwrap_or("");
                !node_exporters_own(name)
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let (code, report) = support::promtool(&tool, &without_own);
        assert_eq!((code, report.as_str()), (Some(0), ""), "{tree}");
    }
}

#[test]
fn other_routes_still_behave() {
    let agent = Agent::on_fixture("pi4");
    let post = support::request(agent.addr, "POST", "/metrics");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("content-type"), Some("application/json"));
    let page = agent.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("fetch(\"/system\""));
    let system = agent.get("/system");
    let json: serde_json::Value = serde_json::from_str(&system.body).expect("json");
    assert_eq!(json["raspberry_pi"]["throttled"]["raw"], "50005");
    assert_eq!(json["cpu"]["temperature_c"], 48.686);
    assert_eq!(json["load_avg"]["load1"], 0.42);
}

#[test]
fn cpu_series_carry_the_kernels_cpu_number_when_one_is_offline() {
    // cpu1 unplugged: /proc/stat lists cpu0 and cpu2 only
    let tree = tempfile::tempdir().expect("tempdir");
    let proc = tree.path().join("proc");
    std::fs::create_dir_all(&proc).expect("mkdir");
    std::fs::write(
        proc.join("stat"),
        "cpu  300 0 300 3000 100 0 0 0 0 0\ncpu0 100 0 100 1000 50 0 0 0 0 0\n\
cpu2 200 0 200 2000 50 0 0 0 0 0\nintr 0\nctxt 1\nbtime 1700000000\nprocesses 1\n\
procs_running 1\nprocs_blocked 0\n",
    )
    .expect("write stat");
    std::fs::create_dir_all(tree.path().join("sys")).expect("mkdir");
    let agent = Agent::start(&[
        ("SYSTEM_STATS_PROCFS", proc.to_str().expect("utf8")),
        (
            "SYSTEM_STATS_SYSFS",
            tree.path().join("sys").to_str().expect("utf8"),
        ),
    ]);
    let m = samples(&agent.get("/metrics").body);
    assert_eq!(
        m.get(r#"node_cpu_seconds_total{cpu="2",mode="user"}"#),
        Some(&2.0)
    );
    assert!(
        !m.keys()
            .any(|k| k.starts_with("node_cpu") && k.contains(r#"cpu="1""#)),
        "{m:?}"
    );
}
