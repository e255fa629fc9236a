//! Raspberry Pi power/heat events end to end: the real agent on a writable
//! copy of the Pi 4 tree whose `get_throttled` and `rpi_volt` alarm the
//! test flips. Each change becomes a started/ended event in `/events` with
//! its duration, a log record with `event=`/`state=` fields (the journal's
//! `EVENT=`/`STATE=`), and a count in `system_stats_rpi_events_total`;
//! the events survive a restart in the history file.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{fixture, Agent};

struct PiTree {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl PiTree {
    fn copy() -> PiTree {
        let dir = tempfile::tempdir().expect("tempdir");
        let ok = std::process::Command::new("cp")
            .arg("-a")
            .arg(fixture("pi4"))
            .arg(dir.path().join("pi4"))
            .status()
            .expect("cp")
            .success();
        assert!(ok, "copy the pi4 tree");
        let root = dir.path().join("pi4");
        PiTree { _dir: dir, root }
    }

    fn throttled(&self, value: &str) {
        let p = self
            .root
            .join("sys/devices/platform/soc/soc:firmware/get_throttled");
        std::fs::write(p, format!("{value}\n")).expect("write get_throttled");
    }

    fn alarm(&self, on: bool) {
        let p = self.root.join("sys/class/hwmon/hwmon1/in0_lcrit_alarm");
        std::fs::write(p, if on { "1\n" } else { "0\n" }).expect("write alarm");
    }

    fn start(&self, history: &Path) -> Agent {
        Agent::start(&[
            (
                "SYSTEM_STATS_PROCFS",
                self.root.join("proc").to_str().expect("utf8"),
            ),
            (
                "SYSTEM_STATS_SYSFS",
                self.root.join("sys").to_str().expect("utf8"),
            ),
            ("SYSTEM_STATS_HISTORY_DIR", history.to_str().expect("utf8")),
        ])
    }
}

fn events(agent: &Agent) -> Vec<Value> {
    agent.get_json("/events")["events"]
        .as_array()
        .cloned()
        .expect("events array")
}

fn find<'a>(events: &'a [Value], kind: &str) -> Option<&'a Value> {
    events.iter().find(|e| e["kind"] == kind)
}

/// Waits (up to 3 s: the flags are read every second) until the newest
/// event of `kind` satisfies `done`; how long it took.
fn wait_event(agent: &Agent, kind: &str, done: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let start = Instant::now();
    loop {
        let all = events(agent);
        if let Some(e) = find(&all, kind).filter(|e| done(e)) {
            return (e.clone(), start.elapsed());
        }
        assert!(start.elapsed() < Duration::from_secs(3), "{kind}: {all:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn counter(agent: &Agent, kind: &str) -> Option<f64> {
    let text = agent.get("/metrics").body;
    let prefix = format!("system_stats_rpi_events_total{{kind=\"{kind}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.parse().ok())
}

#[test]
fn flipped_throttling_bits_become_events_log_records_and_counts() {
    let tree = PiTree::copy();
    tree.throttled("0x50005"); // under-voltage and throttled, now and since boot
    tree.alarm(false);
    let history = tempfile::tempdir().expect("tempdir");
    let mut agent = tree.start(history.path());

    // already set at start: one event each, "before the agent started"
    let (uv, _) = wait_event(&agent, "under_voltage", |e| e["ongoing"] == true);
    assert_eq!(uv["before_agent_start"], true, "{uv}");
    assert!(uv["started_at"].is_null() && uv["ended_at"].is_null());
    let (th, _) = wait_event(&agent, "throttled", |e| e["before_agent_start"] == true);
    assert_eq!(th["ongoing"], true);
    assert!(find(&events(&agent), "arm_frequency_capped").is_none());
    assert_eq!(
        agent
            .log_lines(&[
                " WARN ",
                "under_voltage",
                "started",
                "before the agent started"
            ])
            .len(),
        1
    );

    // the supply recovers: both end (the since-boot bits stay, as on a Pi)
    tree.throttled("0x50000");
    let (uv, took) = wait_event(&agent, "under_voltage", |e| e["ongoing"] == false);
    assert!(
        took < Duration::from_millis(2500),
        "seen within ~1 s: {took:?}"
    );
    assert!(
        uv["ended_at"].is_i64() && uv["duration_s"].is_null(),
        "{uv}"
    );
    wait_event(&agent, "throttled", |e| e["ongoing"] == false);

    // the ARM clock is capped for ~2 s
    tree.throttled("0x50002");
    let (cap, _) = wait_event(&agent, "arm_frequency_capped", |e| e["ongoing"] == true);
    assert_eq!(cap["before_agent_start"], false);
    let started = cap["started_at"].as_i64().expect("start time");
    let now = chrono::Utc::now().timestamp();
    assert!((now - started).abs() <= 2, "{started} vs {now}");
    std::thread::sleep(Duration::from_millis(2200));
    tree.throttled("0x50000");
    let (cap, _) = wait_event(&agent, "arm_frequency_capped", |e| e["ongoing"] == false);
    let duration = cap["duration_s"].as_i64().expect("duration");
    assert!((2..=4).contains(&duration), "{cap}");
    assert_eq!(
        cap["ended_at"].as_i64(),
        Some(started + duration),
        "end - start = duration"
    );
    assert!(cap["message"]
        .as_str()
        .is_some_and(|m| m.contains("lasted")));

    // the rpi_volt alarm
    tree.alarm(true);
    wait_event(&agent, "under_voltage_alarm", |e| e["ongoing"] == true);

    // journal-format records: a warning per start, info per end
    let started = agent.log_lines(&[
        " WARN ",
        "event=\"arm_frequency_capped\"",
        "state=\"started\"",
    ]);
    assert_eq!(started.len(), 1, "{:?}", agent.log_lines(&["event="]));
    let ended = agent.log_lines(&[
        " INFO ",
        "event=\"arm_frequency_capped\"",
        "state=\"ended\"",
    ]);
    assert_eq!(ended.len(), 1, "{:?}", agent.log_lines(&["event="]));
    assert!(
        ended[0].contains(&format!("duration_s={duration}")),
        "{}",
        ended[0]
    );

    // the counter: one per event since the agent started, zeros included
    assert_eq!(counter(&agent, "under_voltage"), Some(1.0));
    assert_eq!(counter(&agent, "throttled"), Some(1.0));
    assert_eq!(counter(&agent, "arm_frequency_capped"), Some(1.0));
    assert_eq!(counter(&agent, "under_voltage_alarm"), Some(1.0));
    assert_eq!(counter(&agent, "soft_temperature_limit"), Some(0.0));
    let metrics = agent.get("/metrics").body;
    assert!(metrics.contains("# TYPE system_stats_rpi_events_total counter"));
    let before: Vec<Value> = events(&agent);
    assert_eq!(before.len(), 4, "{before:#?}");

    // stop and start again: the events are kept (no longer "ongoing")
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &agent.child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    let _ = agent.child.wait();
    tree.alarm(false);
    tree.throttled("0x50000"); // off now, still set since boot
    let again = tree.start(history.path());
    std::thread::sleep(Duration::from_millis(2500)); // a few flag readings
    let after = events(&again);
    assert_eq!(
        after.len(),
        4,
        "the same boot's since-boot flags are not recorded twice: {after:#?}"
    );
    assert!(again.log_lines(&["before the agent started"]).is_empty());
    let kept = after
        .iter()
        .find(|e| e["kind"] == "arm_frequency_capped")
        .expect("kept");
    assert_eq!(kept["duration_s"].as_i64(), Some(duration));
    let alarm = after
        .iter()
        .find(|e| e["kind"] == "under_voltage_alarm")
        .expect("kept");
    assert_eq!(alarm["ongoing"], false, "closed at the restart: {alarm}");
}
