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

#[path = "support/cdp.rs"]
mod cdp;

/// What the page drew, read in the page itself.
const DRAWN: &str = r##"(() => {
  const path = (s) => { const p = document.querySelector(`svg.chart path[data-series="${s}"]`);
    return p ? { d: p.getAttribute("d"), points: +p.dataset.points } : null; };
  const svgs = [...document.querySelectorAll("svg.chart")];
  return {
    inner: innerWidth,
    scroll: document.documentElement.scrollWidth,
    svgs: svgs.map((s) => ({ w: +s.getAttribute("width"), left: Math.round(s.getBoundingClientRect().left),
      right: s.getBoundingClientRect().right, range: s.dataset.range })),
    cpu: path("cpu_percent"), cpu_max: path("cpu_percent_max"), mem: path("memory_percent"),
    markers: [...document.querySelectorAll("svg.chart .event-marker")].map((m) => m.dataset.kind),
    events: [...document.querySelectorAll("#events li")].map((l) => l.textContent),
    axis: [...document.querySelectorAll("svg.chart text[data-t]")].length,
  };
})()"##;

/// The (x, y) of each point of an SVG path made of M/L commands.
fn coords(d: &str) -> Vec<(f64, f64)> {
    d.split(['M', 'L'])
        .filter(|s| !s.is_empty())
        .map(|p| {
            let (x, y) = p.split_once(',').expect("x,y");
            (x.parse().expect("x"), y.parse().expect("y"))
        })
        .collect()
}

fn cpu_points(agent: &Agent) -> usize {
    let h: serde_json::Value = serde_json::from_str(&agent.get("/history").body).expect("json");
    h["cpu_percent"]
        .as_array()
        .expect("cpu")
        .iter()
        .filter(|v| !v.is_null())
        .count()
}

/// Evaluates `DRAWN` until `ready` holds (the page fetches on its own clock).
fn drawn(b: &mut cdp::Browser, ready: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = b.eval(DRAWN);
        if ready(&v) || Instant::now() > deadline {
            return v;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A strip at the top of a screenshot saying what it shows: the test
/// fixture, not a live Raspberry Pi.
const FIXTURE_LABEL: &str = r#"(() => {
    const d = document.createElement("div");
    d.textContent = "Test fixture: the agent on agent/tests/fixtures/pi4 (a Raspberry Pi 4 /proc + /sys tree), not a live Pi; the architecture and the disk sizes are those of the machine that took the screenshot";
    d.style.cssText = "background:#fde68a;color:#111;font:600 14px/1.4 sans-serif;padding:8px 12px;text-align:center";
    document.body.prepend(d);
    return true;
})()"#;

#[test]
fn history_charts_draw_the_live_points_on_a_phone_and_a_desktop() {
    let Some(chromium) = browser() else {
        return;
    };
    let root = support::fixture("pi4");
    let history = tempfile::tempdir().expect("tempdir");
    let agent = Agent::start(&[
        (
            "SYSTEM_STATS_PROCFS",
            root.join("proc").to_str().expect("utf8"),
        ),
        (
            "SYSTEM_STATS_SYSFS",
            root.join("sys").to_str().expect("utf8"),
        ),
        (
            "SYSTEM_STATS_HISTORY_DIR",
            history.path().to_str().expect("utf8"),
        ),
    ]);
    // `make screenshots` (SYSTEM_STATS_SCREENSHOT_DIR set) waits for a few
    // more points so that the charts show lines, not dots.
    let shots = std::env::var_os("SYSTEM_STATS_SCREENSHOT_DIR");
    let (points, wait) = if shots.is_some() { (6, 90) } else { (2, 20) };
    let deadline = Instant::now() + Duration::from_secs(wait);
    while cpu_points(&agent) < points && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(300));
    }
    let mem = 100.0 - 100.0 * 3_520_733_184.0 / 3_975_475_200.0; // 11.44 %
    for (name, width, height, mobile) in [("phone", 390, 844, true), ("desktop", 1280, 900, false)]
    {
        let mut b = cdp::Browser::start(&chromium);
        let before = cpu_points(&agent);
        b.open(&agent.url("/"), width, height, mobile);
        let v = drawn(&mut b, |v| {
            v["svgs"].as_array().is_some_and(|s| s.len() == 7) && !v["events"][0].is_null()
        });
        let after = cpu_points(&agent);
        assert_eq!(v["inner"], width, "{name}: the emulated viewport");
        assert!(
            v["scroll"].as_u64() <= Some(u64::from(width)),
            "{name}: no sideways scrolling: {v}"
        );
        let svgs = v["svgs"].as_array().expect("svgs");
        assert_eq!(svgs.len(), 7, "{name}: seven charts: {v}");
        for s in svgs {
            assert!(
                s["right"].as_f64() <= Some(f64::from(width)),
                "{name}: chart inside the page: {s}"
            );
            assert_eq!(s["range"], "1h");
        }
        let columns: std::collections::BTreeSet<i64> =
            svgs.iter().filter_map(|s| s["left"].as_i64()).collect();
        if mobile {
            assert_eq!(columns.len(), 1, "phone: one chart per row: {v}");
        } else {
            assert!(columns.len() >= 3, "desktop: charts side by side: {v}");
        }
        // the CPU line has exactly the points /history holds
        let cpu = &v["cpu"];
        let n = cpu["points"].as_u64().expect("points") as usize;
        assert!(
            n >= 2 && (before..=after).contains(&n),
            "{name}: {n} drawn, /history {before}..{after}"
        );
        let xy = coords(cpu["d"].as_str().expect("d"));
        assert_eq!(xy.len(), n);
        let w = svgs[0]["w"].as_f64().expect("width");
        assert!(
            xy.iter().all(|(x, _)| (60.0..=w - 8.0).contains(x)),
            "{xy:?}"
        );
        assert!(
            xy.windows(2).all(|p| p[0].0 < p[1].0),
            "time runs left to right"
        );
        // memory at 11.44 % of a 0..100 % axis 92 px tall, 8 px from the top
        let want_y = 8.0 + 92.0 * (1.0 - mem / 100.0);
        let mem_xy = coords(v["mem"]["d"].as_str().expect("memory line"));
        assert!(
            mem_xy.iter().all(|(_, y)| (y - want_y).abs() < 0.11),
            "{mem_xy:?} vs {want_y}"
        );
        assert!(v["axis"].as_u64() >= Some(7 * 5), "time labels: {v}");
        // 0x50005 at start: event markers and the list
        let markers = v["markers"].as_array().expect("markers");
        assert!(markers.iter().any(|m| m == "under_voltage"), "{v}");
        assert!(markers.iter().any(|m| m == "throttled"), "{v}");
        let events = v["events"].to_string();
        assert!(
            events.contains("under-voltage: began before the agent started"),
            "{events}"
        );
        // hover readout at the right end of the CPU chart
        let readout = b.eval(
            r#"(() => { const s = document.querySelector("svg.chart"), r = s.getBoundingClientRect();
                s.dispatchEvent(new MouseEvent("mousemove", { clientX: r.right - 9, clientY: r.top + 50 }));
                return s.querySelector(".readout").textContent; })()"#,
        );
        let readout = readout.as_str().unwrap_or_default().to_string();
        assert!(
            readout.contains("CPU ") && readout.contains(" %"),
            "{name}: {readout:?}"
        );
        if let Some(dir) = &shots {
            b.eval(FIXTURE_LABEL);
            let png = b.screenshot();
            assert!(png.starts_with(b"\x89PNG"), "a PNG");
            let file = std::path::Path::new(dir).join(format!("status-page-{name}.png"));
            std::fs::write(file, png).expect("write screenshot");
        }
        // the 24 h toggle: the coarse tier with its maximum line
        b.eval(r##"document.querySelector('#range button[data-range="24h"]').click()"##);
        let day = drawn(&mut b, |v| v["svgs"][0]["range"] == "24h");
        assert_eq!(day["svgs"][0]["range"], "24h", "{name}: {day}");
        assert!(day["cpu_max"]["points"].as_u64() >= Some(1), "{day}");
    }
}
