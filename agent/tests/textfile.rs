//! The textfile collector on the real binary: `*.prom` files of
//! `SYSTEM_STATS_TEXTFILE_DIR` merged into `/metrics` with their mtimes; a
//! file with a syntax error sets `node_textfile_scrape_error 1` and the rest
//! is still served; a file redefining one of our families is rejected with a
//! log line naming file and family, the power/heat events' family included.
#![cfg(target_os = "linux")]

mod support;

use std::time::{Duration, UNIX_EPOCH};
use support::{fixture, require_tool, Agent};

fn start(dir: &std::path::Path) -> Agent {
    let root = fixture("pi4");
    Agent::start(&[
        (
            "SYSTEM_STATS_PROCFS",
            root.join("proc").to_str().expect("utf8"),
        ),
        (
            "SYSTEM_STATS_SYSFS",
            root.join("sys").to_str().expect("utf8"),
        ),
        ("SYSTEM_STATS_TEXTFILE_DIR", dir.to_str().expect("utf8")),
    ])
}

fn lines_of(body: &str, prefix: &str) -> Vec<String> {
    body.lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

#[test]
fn valid_files_merge_bad_ones_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("backup.prom");
    std::fs::write(
        &good,
        "# HELP backup_age_seconds Age of the last backup.\n# TYPE backup_age_seconds gauge\n\
backup_age_seconds{job=\"nightly\"} 3600\nbackup_age_seconds{job=\"weekly\"} 86400\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not_prom 1\n").expect("write");
    let mtime = std::fs::metadata(&good)
        .and_then(|m| m.modified())
        .expect("mtime")
        .duration_since(UNIX_EPOCH)
        .expect("after epoch")
        .as_secs();
    let agent = start(dir.path());

    let body = agent.get("/metrics").body;
    assert!(body.contains("# TYPE backup_age_seconds gauge\n"), "{body}");
    assert!(body.contains("backup_age_seconds{job=\"nightly\"} 3600\n"));
    assert!(body.contains("backup_age_seconds{job=\"weekly\"} 86400\n"));
    assert!(!body.contains("not_prom"));
    assert_eq!(
        lines_of(&body, "node_textfile_mtime_seconds{"),
        vec![format!(
            "node_textfile_mtime_seconds{{file=\"{}\"}} {mtime}",
            good.display()
        )]
    );
    assert!(body.contains("\nnode_textfile_scrape_error 0\n"));
    assert!(body.contains("\nnode_scrape_collector_success{collector=\"textfile\"} 1\n"));

    // a syntax error: that file is left out, the rest is served
    std::fs::write(
        dir.path().join("broken.prom"),
        "sensor_temp{room=\"attic\" 21.5\n",
    )
    .expect("write");
    // a redefinition of one of our families: the whole file is rejected
    let clash = dir.path().join("clash.prom");
    std::fs::write(&clash, "node_load1 99\nmine_too 1\n").expect("write");
    std::thread::sleep(Duration::from_millis(300)); // past the coalescer's reuse window
    let r = agent.get("/metrics");
    assert_eq!(r.status, 200);
    let body = r.body;
    assert!(body.contains("\nnode_textfile_scrape_error 1\n"), "{body}");
    assert!(body.contains("backup_age_seconds{job=\"nightly\"} 3600\n"));
    assert!(body.contains("\nnode_load1 0.42\n"), "our node_load1 kept");
    assert!(
        !body.contains("node_load1 99")
            && !body.contains("mine_too")
            && !body.contains("sensor_temp")
    );
    assert_eq!(lines_of(&body, "node_textfile_mtime_seconds{").len(), 1);
    assert!(body.contains("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 210.34\n"));

    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let logged =
        |needle: &dyn Fn(&str) -> bool| agent.log.lock().expect("log").iter().any(|l| needle(l));
    while !(logged(&|l| l.contains("clash.prom") && l.contains("node_load1"))
        && logged(&|l| l.contains("broken.prom")))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "log: {:?}",
            agent.log.lock().expect("log")
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // fixed: the error clears on the next scrape
    std::fs::remove_file(dir.path().join("broken.prom")).expect("rm");
    std::fs::remove_file(&clash).expect("rm");
    std::thread::sleep(Duration::from_millis(300)); // past the coalescer's reuse window
    let body = agent.get("/metrics").body;
    assert!(body.contains("\nnode_textfile_scrape_error 0\n"), "{body}");
}

/// The events family is one of ours too: a file defining it is rejected,
/// the scrape has that family once and stays valid for promtool.
#[test]
fn a_file_defining_the_events_family_is_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let history = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("events.prom"),
        "# TYPE system_stats_rpi_events_total counter
system_stats_rpi_events_total{kind=\"throttled\"} 7
",
    )
    .expect("write");
    let root = fixture("pi4");
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
            "SYSTEM_STATS_TEXTFILE_DIR",
            dir.path().to_str().expect("utf8"),
        ),
        (
            "SYSTEM_STATS_HISTORY_DIR",
            history.path().to_str().expect("utf8"),
        ),
    ]);
    // our family comes with the history's first look at the Pi's flags
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let body = loop {
        let body = agent.get("/metrics").body;
        if body.contains("# HELP system_stats_rpi_events_total Raspberry Pi") {
            break body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no events family: {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        lines_of(&body, "# TYPE system_stats_rpi_events_total ").len(),
        1,
        "{body}"
    );
    // ours, not the file's 7
    let throttled = lines_of(&body, "system_stats_rpi_events_total{kind=\"throttled\"} ");
    assert_eq!(throttled.len(), 1, "{body}");
    assert!(!throttled[0].ends_with(" 7"), "{body}");
    assert!(body.contains("\nnode_textfile_scrape_error 1\n"), "{body}");
    agent.wait_log_line(&["events.prom", "system_stats_rpi_events_total"]);
    let Some(tool) = require_tool(&["promtool"], "SYSTEM_STATS_SKIP_PROMTOOL", "prometheus") else {
        return;
    };
    // 0 clean, 3 lint findings (node_exporter's own names); 1 is a parse error
    let (code, report) = support::promtool(&tool, &body);
    assert!(
        code == Some(0) || code == Some(3),
        "promtool exit {code:?}: {report}"
    );
}
