//! End-to-end: the real binary serving `/system` from captured /proc + /sys
//! trees (values must equal the independent psutil oracle in each fixture's
//! expected.json and hand-checked numbers), and from the live machine
//! (invariants), plus `/health` and the JSON 404/405 bodies.
#![cfg(target_os = "linux")]

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{expected, Agent};

/// Poll until the first CPU window over the (static) tree has closed.
fn settled_snapshot(agent: &Agent) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let s = agent.get_json("/system");
        if s["cpu"]["percent"] == json!(0.0) || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_keys_equal(section: &str, got: &Value, want: &Value, keys: &[&str]) {
    for key in keys {
        assert_eq!(got[key], want[key], "{section}.{key}");
    }
}

fn boot_time_utc(epoch: f64) -> String {
    chrono::DateTime::from_timestamp(epoch as i64, 0)
        .expect("valid epoch")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Compare every seed key the oracle computes for this fixture.
fn check_against_oracle(name: &str) -> Value {
    let agent = Agent::on_fixture(name);
    let s = settled_snapshot(&agent);
    let e = expected(name);

    assert_eq!(s["cpu"]["percent"], json!(0.0), "unchanged counters → 0 %");
    assert_eq!(s["cpu"]["logical_cores"], e["cpu"]["logical_count"]);
    assert_eq!(s["cpu"]["physical_cores"], e["cpu"]["physical_count"]);
    assert_eq!(s["cpu"]["processor"], e["cpu"]["model"]);
    assert_eq!(s["cpu"]["frequency_mhz"], e["cpu"]["freq"]["current_mhz"]);
    assert_eq!(s["cpu"]["min_frequency_mhz"], e["cpu"]["freq"]["min_mhz"]);
    assert_eq!(s["cpu"]["max_frequency_mhz"], e["cpu"]["freq"]["max_mhz"]);

    let mem = &e["memory"];
    assert_keys_equal(
        "memory",
        &s["memory"],
        mem,
        &[
            "total",
            "available",
            "percent",
            "free",
            "active",
            "inactive",
            "buffers",
            "cached",
            "shared",
            "slab",
        ],
    );
    // the seed's definition: total - free - buffers - cached
    assert_eq!(s["memory"]["used"], mem["used_legacy"], "memory.used");

    assert_keys_equal(
        "swap",
        &s["swap"],
        &e["swap"],
        &["total", "used", "free", "percent", "sin", "sout"],
    );

    if e["disk_io"].is_null() {
        assert!(s["disk_io"].is_null(), "disk_io without diskstats");
    } else {
        assert_keys_equal(
            "disk_io",
            &s["disk_io"],
            &e["disk_io"],
            &[
                "read_count",
                "write_count",
                "read_bytes",
                "write_bytes",
                "read_time",
                "write_time",
                "read_merged_count",
                "write_merged_count",
                "busy_time",
            ],
        );
    }

    let net = &e["network"];
    if net["io_counters"].is_null() {
        assert!(s["network"]["io_counters"].is_null());
    } else {
        assert_keys_equal(
            "network.io_counters",
            &s["network"]["io_counters"],
            &net["io_counters"],
            &[
                "bytes_sent",
                "bytes_recv",
                "packets_sent",
                "packets_recv",
                "errin",
                "errout",
                "dropin",
                "dropout",
            ],
        );
    }
    if net["primary_interface"].is_null() {
        assert!(s["network"]["primary_interface"].is_null());
    } else {
        assert_keys_equal(
            "network.primary_interface",
            &s["network"]["primary_interface"],
            &net["primary_interface"],
            &[
                "name",
                "mtu",
                "speed_mbps",
                "duplex",
                "ipv4",
                "netmask",
                "broadcast",
            ],
        );
    }

    let boot = e["uptime"]["boot_time_epoch"].as_f64().expect("boot time");
    assert_eq!(s["uptime"]["boot_time"], json!(boot_time_utc(boot)));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    let up = s["uptime"]["seconds"].as_f64().expect("uptime seconds");
    assert!((up - (now - boot)).abs() <= 2.0, "uptime = now - btime");

    assert_eq!(s["system"]["hostname"], e["system"]["hostname"]);
    assert_eq!(s["system"]["os_release"], e["system"]["os_release"]);
    assert_eq!(s["system"]["os_version"], e["system"]["os_version"]);
    assert_eq!(s["system"]["os"], json!("Linux"));
    if e["load_avg"].is_null() {
        assert!(s["load_avg"].is_null());
    } else {
        let l = &e["load_avg"];
        assert_eq!(
            s["load_avg"],
            json!({"load1": l[0], "load5": l[1], "load15": l[2]})
        );
    }
    s
}

#[test]
fn pi4_tree_matches_oracle_and_hand_checked_values() {
    let s = check_against_oracle("pi4");
    // hand-checked from pi4/proc/meminfo: MemTotal 3882300 kB, MemAvailable 3438216 kB
    assert_eq!(s["memory"]["total"], json!(3_882_300u64 * 1024));
    assert_eq!(s["memory"]["percent"], json!(11.4));
    // cpuinfo on arm64 has no "model name": the board Model line is used
    assert_eq!(
        s["cpu"]["processor"],
        json!("Raspberry Pi 4 Model B Rev 1.4")
    );
    // device-tree model without its trailing NUL
    assert_eq!(
        s["system"]["model"],
        json!("Raspberry Pi 4 Model B Rev 1.4")
    );
    assert_eq!(s["network"]["primary_interface"]["name"], json!("wlan0"));
    // the tree's own address (its ip-addr file), never this machine's
    assert_eq!(
        s["network"]["primary_interface"]["ipv4"],
        json!("192.168.1.23")
    );
    assert!(s["system"]["platform"]
        .as_str()
        .expect("platform")
        .starts_with("Linux-6.6.31+rpt-rpi-v8-"));
}

#[test]
fn pi3b_armv7_tree_matches_oracle() {
    let s = check_against_oracle("pi3b-armv7");
    assert_eq!(s["cpu"]["processor"], json!("ARMv7 Processor rev 4 (v7l)"));
    assert_eq!(
        s["system"]["model"],
        json!("Raspberry Pi 3 Model B Plus Rev 1.3")
    );
}

#[test]
fn captured_x86_host_tree_matches_oracle() {
    check_against_oracle("host-x86_64");
}

#[test]
fn minimal_tree_degrades_to_nulls_not_errors() {
    let s = check_against_oracle("minimal");
    for path in [
        &s["disk_io"],
        &s["network"]["io_counters"],
        &s["network"]["primary_interface"],
        &s["system"]["hostname"],
        &s["system"]["model"],
        &s["cpu"]["processor"],
        &s["cpu"]["frequency_mhz"],
        &s["load_avg"],
    ] {
        assert!(path.is_null(), "expected null, got {path}");
    }
    // no MemAvailable: estimated as MemFree + Cached, like psutil
    assert_eq!(s["memory"]["available"], json!(1_468_006_400u64));
}

fn nproc() -> u64 {
    let out = std::process::Command::new("nproc")
        .arg("--all")
        .output()
        .expect("nproc");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("nproc prints a number")
}

fn live_btime() -> u64 {
    std::fs::read_to_string("/proc/stat")
        .expect("/proc/stat")
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
        .expect("btime")
}

#[test]
fn live_machine_invariants() {
    let agent = Agent::start(&[]);
    let s = agent.get_json("/system");
    let n = |v: &Value| {
        v.as_f64()
            .unwrap_or_else(|| panic!("number expected, got {v}"))
    };

    let collected =
        chrono::DateTime::parse_from_rfc3339(s["collected_at"].as_str().expect("collected_at"))
            .expect("RFC 3339");
    let skew = (chrono::Utc::now() - collected.to_utc())
        .num_milliseconds()
        .abs();
    assert!(skew <= 2000, "collected_at within 2 s of now ({skew} ms)");
    assert!(s["collected_at"].as_str().expect("str").ends_with("+00:00"));

    let pct = n(&s["cpu"]["percent"]);
    assert!((0.0..=100.0).contains(&pct));
    assert_eq!(s["cpu"]["logical_cores"].as_u64(), Some(nproc()));
    for section in ["memory", "swap", "disk"] {
        let sec = &s[section];
        assert!(
            n(&sec["used"]) <= n(&sec["total"]),
            "{section}.used <= total"
        );
        assert!(
            (0.0..=100.0).contains(&n(&sec["percent"])),
            "{section}.percent"
        );
    }
    assert!(n(&s["memory"]["available"]) <= n(&s["memory"]["total"]));
    assert_eq!(s["disk"]["mount"], json!("/"));

    let boot =
        chrono::DateTime::parse_from_rfc3339(s["uptime"]["boot_time"].as_str().expect("boot_time"))
            .expect("RFC 3339");
    assert_eq!(boot.timestamp() as u64, live_btime(), "boot_time = btime");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("hostname");
    assert_eq!(s["system"]["hostname"], json!(host.trim()));
    assert!(n(&s["network"]["io_counters"]["bytes_recv"]) > 0.0);
}

#[test]
fn cpu_percent_follows_real_load() {
    let agent = Agent::start(&[]);
    // keep one core busy for a while: the window must show non-zero use
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let spinner = std::thread::spawn(move || {
        let mut x = 0u64;
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        x
    });
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut best = 0.0;
    while Instant::now() < deadline && best < 20.0 {
        std::thread::sleep(Duration::from_millis(300));
        best = agent.get_json("/system")["cpu"]["percent"]
            .as_f64()
            .unwrap_or(0.0);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = spinner.join();
    assert!(
        best >= 20.0,
        "a spinning core shows up in cpu.percent (saw {best})"
    );
}

#[test]
fn health_and_json_errors() {
    let agent = Agent::start(&[]);
    let h = agent.request("GET", "/health");
    assert_eq!((h.status, h.body.as_str()), (200, r#"{"status":"ok"}"#));
    assert_eq!(h.header("content-type"), Some("application/json"));

    let nf = agent.request("GET", "/nope");
    assert_eq!(nf.status, 404);
    assert_eq!(nf.header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(&nf.body).expect("json")["error"],
        json!("not found")
    );

    for (method, path) in [("POST", "/system"), ("DELETE", "/health")] {
        let r = agent.request(method, path);
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(
            serde_json::from_str::<Value>(&r.body).expect("json")["error"],
            json!("method not allowed")
        );
    }
}
