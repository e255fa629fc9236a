//! The history end to end: the real agent on the Pi fixture tree records
//! points every 5 s, serves them as columnar JSON and CSV, saves them on
//! SIGTERM and restores them on the next start; a corrupt history file is
//! set aside with a warning; SYSTEM_STATS_HISTORY=off turns it all off.

mod support;

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use support::{fixture, Agent};

fn on_pi(dir: &Path, extra: &[(&str, &str)]) -> Agent {
    let root = fixture("pi4");
    let mut env = vec![
        (
            "SYSTEM_STATS_PROCFS",
            root.join("proc").to_str().expect("utf8").to_string(),
        ),
        (
            "SYSTEM_STATS_SYSFS",
            root.join("sys").to_str().expect("utf8").to_string(),
        ),
        (
            "SYSTEM_STATS_HISTORY_DIR",
            dir.to_str().expect("utf8").to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Agent::start(&env)
}

/// The (t, value) pairs of `series` that are not null.
fn points(h: &Value, series: &str) -> Vec<(i64, f64)> {
    let t = h["t"].as_array().expect("t");
    let v = h[series].as_array().expect(series);
    assert_eq!(t.len(), v.len(), "{series}: one value per time");
    t.iter()
        .zip(v)
        .filter_map(|(t, v)| Some((t.as_i64()?, v.as_f64()?)))
        .collect()
}

/// Waits until /history holds at least `n` CPU points.
fn wait_points(agent: &Agent, n: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let h = agent.get_json("/history");
        if points(&h, "cpu_percent").len() >= n || Instant::now() > deadline {
            return h;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn sigterm_and_wait(agent: &mut Agent) {
    agent.sigterm();
    let code = agent.exit_code_within(Duration::from_secs(10));
    assert_eq!(
        code,
        Some(Some(0)),
        "agent did not stop with 0 after SIGTERM"
    );
}

#[test]
fn history_json_and_csv_on_the_pi_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let agent = on_pi(dir.path(), &[]);
    let h = wait_points(&agent, 2);
    assert_eq!(h["range"], "1h");
    assert_eq!(h["step"], 5);
    let t = h["t"].as_array().expect("t");
    assert_eq!(t.len(), 720, "one hour at 5 s");
    let now = chrono::Utc::now().timestamp();
    let last = t[719].as_i64().expect("t");
    assert!(last % 5 == 0 && (now - last).abs() <= 10, "{last} vs {now}");
    let cpu = points(&h, "cpu_percent");
    assert!(cpu.len() >= 2, "{cpu:?}");
    assert!(cpu.iter().all(|(_, v)| (0.0..=100.0).contains(v)));
    // the Pi tree's figures: memory % as /system says, 0x50005 flags
    let system = agent.get_json("/system");
    let mem = points(&h, "memory_percent");
    let want = system["memory"]["percent"].as_f64().expect("memory");
    assert!(
        mem.iter().all(|(_, v)| (v - want).abs() < 0.01),
        "{mem:?} vs {want}"
    );
    let temp = points(&h, "cpu_temperature_c");
    let want = system["cpu"]["temperature_c"].as_f64().expect("temp");
    assert!(
        temp.iter().all(|(_, v)| (v - want).abs() < 0.01),
        "{temp:?} vs {want}"
    );
    assert!(points(&h, "under_voltage").iter().all(|(_, v)| *v == 1.0));
    assert!(points(&h, "throttled").iter().all(|(_, v)| *v == 1.0));
    assert!(points(&h, "arm_frequency_capped")
        .iter()
        .all(|(_, v)| *v == 0.0));
    // a static tree: rates are zero once two readings exist
    let rx = points(&h, "net_recv_bytes_per_s");
    assert!(
        !rx.is_empty() && rx.iter().all(|(_, v)| *v == 0.0),
        "{rx:?}"
    );
    // gaps before the agent started are null, not zero
    assert!(h["cpu_percent"][0].is_null());

    let day = agent.get_json("/history?range=24h");
    assert_eq!(day["step"], 60);
    assert_eq!(day["t"].as_array().map(Vec::len), Some(1440));
    let avg = points(&day, "cpu_percent");
    let max = points(&day, "cpu_percent_max");
    assert!(!avg.is_empty() && avg.len() == max.len());
    assert!(avg.iter().zip(&max).all(|(a, m)| a.1 <= m.1 + 1e-9));

    let csv = agent.get("/history.csv?range=1h");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 721);
    assert!(lines[0].starts_with("t,time,cpu_percent,memory_percent,swap_percent,load1,"));
    let row = lines
        .iter()
        .find(|l| l.starts_with(&cpu[0].0.to_string()))
        .expect("the first CPU point's row");
    let cells: Vec<&str> = row.split(',').collect();
    assert!(cells[1].ends_with('Z'));
    assert_eq!(cells[2].parse::<f64>().ok(), Some(cpu[0].1));

    for bad in [
        "/history?range=7d",
        "/history.csv?range=",
        "/history?range=1H",
    ] {
        let r = agent.get(bad);
        assert_eq!(r.status, 400, "{bad}");
        let v: Value = serde_json::from_str(&r.body).expect("JSON error");
        let msg = v["error"].as_str().expect("message");
        assert!(msg.contains("1h or 24h") && !msg.contains('\n'), "{msg}");
    }
}

#[test]
fn a_restart_keeps_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut first = on_pi(dir.path(), &[]);
    let before = points(&wait_points(&first, 2), "cpu_percent");
    sigterm_and_wait(&mut first);
    let file = dir.path().join("history.bin");
    assert!(file.is_file(), "saved on SIGTERM");
    assert!(!dir.path().join("history.bin.tmp").exists());

    let second = on_pi(dir.path(), &[]);
    let after = points(&second.get_json("/history"), "cpu_percent");
    for p in &before {
        assert!(
            after.contains(p),
            "{p:?} kept across the restart: {after:?}"
        );
    }
    let day = points(&second.get_json("/history?range=24h"), "cpu_percent");
    assert!(!day.is_empty(), "the coarse tier is kept too");
    assert_eq!(second.log_lines(&["history restored"]).len(), 1);
}

#[test]
fn a_corrupt_history_file_is_set_aside_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("history.bin"),
        b"ssHIST\r\n\x01\0\0\0garbage that is not a history",
    )
    .expect("write");
    let agent = on_pi(dir.path(), &[]);
    let h = wait_points(&agent, 1);
    assert!(!points(&h, "cpu_percent").is_empty());
    let warned = agent.log_lines(&[" WARN ", "history file", "renamed to history.bin.corrupt"]);
    assert_eq!(warned.len(), 1, "{:?}", agent.log_lines(&["history"]));
    assert!(dir.path().join("history.bin.corrupt").is_file());
}

#[test]
fn history_off_answers_404_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut agent = on_pi(dir.path(), &[("SYSTEM_STATS_HISTORY", "off")]);
    for path in ["/history", "/history.csv", "/events"] {
        let r = agent.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("SYSTEM_STATS_HISTORY=off"), "{}", r.body);
    }
    let metrics = agent.get("/metrics").body;
    assert!(!metrics.contains("system_stats_rpi_events_total"));
    sigterm_and_wait(&mut agent);
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none());
}

/// A read-only tmpfs mounted over a temporary directory (root only).
struct ReadOnlyMount(tempfile::TempDir);

impl ReadOnlyMount {
    fn new() -> Option<ReadOnlyMount> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(ReadOnlyMount(dir))
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn a_read_only_history_dir_is_a_warning_not_a_failure() {
    let Some(ro) = ReadOnlyMount::new() else {
        eprintln!("skipped: cannot mount a tmpfs (needs root)");
        return;
    };
    let mut agent = on_pi(ro.0.path(), &[]);
    assert!(!points(&wait_points(&agent, 1), "cpu_percent").is_empty());
    sigterm_and_wait(&mut agent); // exit code 0 asserted there
    let warned = agent.log_lines(&[" WARN ", "cannot save history"]);
    assert_eq!(warned.len(), 1, "{:?}", agent.log_lines(&["history"]));
    assert!(warned[0].contains("Read-only file system"), "{}", warned[0]);
}
