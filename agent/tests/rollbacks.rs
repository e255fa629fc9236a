//! Upgrades rolled back by the image's guard, end to end: the real agent
//! reads SYSTEM_STATS_ROLLBACK_FILE (rollbacks.jsonl) and shows each record
//! as an `upgrade_rolled_back` event in `/events` (newest first) and counts
//! them in `system_stats_rpi_events_total`; a garbage line is skipped with
//! one warning; an appended record appears without a restart; a missing
//! file means none.

mod support;

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use support::Agent;

const GOOD: &str = r#"{"at":"2026-12-01T10:00:00Z","from":"1.2","to":"1.1","reason":"system-stats.service did not reach READY within 120 s"}"#;
const NEWER: &str = r#"{"at":"2026-12-02T10:00:00Z","from":"1.3","to":"1.1","reason":"the package's maintainer scripts failed"}"#;

fn start(history: &Path, file: &Path) -> Agent {
    Agent::start(&[
        ("SYSTEM_STATS_HISTORY_DIR", history.to_str().expect("utf8")),
        ("SYSTEM_STATS_ROLLBACK_FILE", file.to_str().expect("utf8")),
    ])
}

fn rollbacks(agent: &Agent) -> Vec<Value> {
    agent.get_json("/events")["events"]
        .as_array()
        .expect("events array")
        .iter()
        .filter(|e| e["kind"] == "upgrade_rolled_back")
        .cloned()
        .collect()
}

fn metric(agent: &Agent) -> Option<String> {
    let r = agent.get("/metrics");
    assert_eq!(r.status, 200);
    r.body
        .lines()
        .find(|l| l.starts_with("system_stats_rpi_events_total{kind=\"upgrade_rolled_back\"}"))
        .map(|l| l.rsplit(' ').next().unwrap_or("").to_string())
}

#[test]
fn rollbacks_become_events_and_a_count_and_garbage_is_skipped_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rollbacks.jsonl");
    std::fs::write(&file, format!("{GOOD}\nthis is not json\n")).expect("write");
    let agent = start(dir.path(), &file);

    let events = rollbacks(&agent);
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(
        (e["from"].as_str(), e["to"].as_str()),
        (Some("1.2"), Some("1.1"))
    );
    assert_eq!(e["started_at"], 1_796_119_200);
    assert_eq!(e["ongoing"], false);
    let message = e["message"].as_str().expect("message");
    assert!(
        message.contains("1.2 → 1.1") && message.contains("READY"),
        "{message}"
    );
    assert_eq!(metric(&agent).as_deref(), Some("1"));
    // asked again: the file is not read (nor warned about) again
    let _ = rollbacks(&agent);
    let _ = metric(&agent);
    let warned = agent.log_lines(&[" WARN ", "SYSTEM_STATS_ROLLBACK_FILE", "line 2"]);
    assert_eq!(warned.len(), 1, "{:?}", agent.log_lines(&["ROLLBACK"]));

    // the guard appends a record: seen without a restart, newest first
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .expect("open");
    writeln!(f, "{NEWER}").expect("append");
    drop(f);
    let deadline = Instant::now() + Duration::from_secs(20);
    let events = loop {
        let events = rollbacks(&agent);
        if events.len() == 2 || Instant::now() > deadline {
            break events;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["from"], "1.3");
    assert_eq!(events[1]["from"], "1.2");
    // /metrics shares a body between requests of one collection: the next one counts it
    let deadline = Instant::now() + Duration::from_secs(20);
    while metric(&agent).as_deref() != Some("2") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(metric(&agent).as_deref(), Some("2"));
    // the changed file still holds the garbage line: one more warning, not one per request
    let warned = agent.log_lines(&[" WARN ", "SYSTEM_STATS_ROLLBACK_FILE"]);
    assert_eq!(warned.len(), 2, "{warned:?}");
}

#[test]
fn a_missing_rollback_file_means_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let agent = start(dir.path(), &dir.path().join("no-such.jsonl"));
    assert!(rollbacks(&agent).is_empty());
    // not a Pi (no power kinds to count) and nothing rolled back: no sample
    assert_eq!(metric(&agent), None);
    assert!(agent.log_lines(&["ROLLBACK_FILE"]).is_empty());
}
