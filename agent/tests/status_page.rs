//! The status page at `GET /` in a real browser: headless Chromium loads it
//! from the agent running on the pi4 fixture, runs its scripts (which poll
//! /system), and the dumped DOM shows the live hostname and numbers.
#![cfg(target_os = "linux")]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{require_tool, Agent};

/// Headless Chromium; None when absent and SYSTEM_STATS_SKIP_BROWSER=1 (otherwise a failure).
fn browser() -> Option<std::path::PathBuf> {
    require_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "SYSTEM_STATS_SKIP_BROWSER",
        "chromium",
    )
}

/// `chromium --headless --dump-dom` of `url` after 5 s of virtual time.
fn dump_dom(browser: &std::path::Path, url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=5000", "--dump-dom", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait chromium") {
            Some(_) => break,
            None if start.elapsed() > Duration::from_secs(90) => {
                let _ = child.kill();
                panic!("chromium did not finish in 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let out = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn status_page_renders_live_values_in_chromium() {
    let Some(browser) = browser() else {
        return;
    };
    let agent = Agent::on_fixture("pi4");
    let system: serde_json::Value =
        serde_json::from_str(&agent.get("/system").body).expect("/system json");
    let hostname = system["system"]["hostname"].as_str().expect("hostname");
    assert_eq!(hostname, "raspberrypi");

    let dom = dump_dom(&browser, &agent.url("/"));
    assert!(
        dom.contains(&format!(r#"<h1 id="host">{hostname}</h1>"#)),
        "{dom}"
    );
    // memory: (3975475200 - 3520733184) B used of 3975475200 B
    assert!(
        dom.contains(r#"<span id="mem">433.7 MiB / 3.7 GiB</span>"#),
        "{dom}"
    );
    assert!(
        dom.contains(r#"<div class="big" id="mem-percent">11.4 %</div>"#),
        "{dom}"
    );
    assert!(
        dom.contains(r#"<span id="cpu-cores">4 logical / 4 physical</span>"#),
        "{dom}"
    );
    assert!(
        dom.contains(r#"<div class="big" id="temp">48.7 °C</div>"#),
        "{dom}"
    );
    assert!(
        dom.contains(r#"<span id="load">0.42 / 0.31 / 0.27</span>"#),
        "{dom}"
    );
    assert!(dom.contains("Debian GNU/Linux 12 (bookworm)"), "{dom}");
    assert!(dom.contains("Raspberry Pi 4 Model B Rev 1.4"), "{dom}");
    // one bar per core from cpu.per_core
    for core in 0..4 {
        assert!(dom.contains(&format!("<span>cpu{core}</span>")), "{dom}");
    }
    assert!(!dom.contains("<span>cpu4</span>"), "{dom}");
    // get_throttled 50005: under-voltage and throttling now → red banner
    assert!(
        dom.contains(r#"class="banner bad" role="alert">⚠ Now: under-voltage, throttled"#),
        "{dom}"
    );
    // the up interface with its address; rates need two distinct collections
    // (virtual time runs faster than the server's clock, so "–" or "0 B/s")
    assert!(dom.contains("<span>wlan0</span><span>↓ "), "{dom}");
    assert!(dom.contains("fe80::5c1e:7f2a:9b3d:4e61"), "{dom}");
}

#[test]
fn healthy_pi_has_no_red_banner() {
    let Some(browser) = browser() else {
        return;
    };
    let agent = Agent::on_fixture("pi3b-armv7");
    let dom = dump_dom(&browser, &agent.url("/"));
    assert!(
        dom.contains(r#"<div id="banner" class="banner" role="alert"></div>"#),
        "{dom}"
    );
    assert!(dom.contains("Raspbian GNU/Linux 12 (bookworm)"), "{dom}");
}

#[test]
fn read_only_root_raises_the_red_banner_and_ext4_errors_show() {
    let Some(browser) = browser() else {
        return;
    };
    let agent = Agent::on_fixture("cm4-failing-storage");
    let dom = dump_dom(&browser, &agent.url("/"));
    // no get_throttled on this board: the storage alarm alone
    assert!(
        dom.contains(
            r#"class="banner bad" role="alert">⚠ The root filesystem is read-only (/dev/mmcblk0p2) — the SD card or disk may be failing: nothing can be saved</div>"#
        ),
        "{dom}"
    );
    assert!(dom.contains("<span>/ (ext4) · read-only</span>"), "{dom}");
    assert!(
        dom.contains(
            r#"<div class="row fs-errors"><span>⚠ 3 filesystem errors since the last fsck</span><span>last 2025-11-21 08:20:00 UTC</span></div>"#
        ),
        "{dom}"
    );
    // the writable USB disk: no read-only mark, no error row (its count is 0)
    assert!(dom.contains("<span>/media/usb (ext4)</span>"), "{dom}");
    assert_eq!(dom.matches(r#"class="row fs-errors""#).count(), 1, "{dom}");
}
