//! End-to-end remote write: the real forwarder binary scraping a test
//! agent's `/metrics` and pushing to a remote-write receiver in this
//! process, which decodes snappy+protobuf and checks headers, names,
//! labels, timestamps, batching of a backlog, and rejections.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;
use support::*;

fn rw_env(
    source: &Source,
    json: &str,
    rw: &str,
    spool: &std::path::Path,
) -> Vec<(&'static str, String)> {
    let mut env = base_env(&source.url, json, spool);
    env.push(("SYSTEM_STATS_REMOTE_WRITE_URL", rw.to_string()));
    env
}

fn names_in_fixture() -> BTreeSet<String> {
    EXPOSITION
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap_or_default().to_string())
        .collect()
}

/// The scrape ids received, in timestamp order, with their timestamps.
fn scrape_ids(writes: &[Write]) -> Vec<(i64, u64)> {
    let mut points: Vec<(i64, u64)> = writes
        .iter()
        .flat_map(|w| w.points("test_scrape_id"))
        .map(|(t, v)| (t, v as u64))
        .collect();
    points.sort();
    points
}

#[test]
fn headers_names_labels_and_timestamps() {
    let source = Source::start();
    let remote = RemoteReceiver::start();
    let json = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let mut env = rw_env(&source, &json.url(), &remote.url(), spool.path());
    env.push(("SYSTEM_STATS_REMOTE_WRITE_LABELS", "site=lab".into()));
    env.push(("SYSTEM_STATS_REMOTE_WRITE_BEARER_TOKEN", "rw-token".into()));
    env.push(("SYSTEM_STATS_FORWARD_TOKEN", "json-token".into()));
    let before = unix_now() * 1000;
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || remote.accepted().len() >= 3
            && json.accepted().len() >= 3),
        "{}",
        fwd.log()
    );
    let writes = remote.accepted();
    let w = &writes[0];
    assert_eq!(w.header("Content-Encoding"), Some("snappy"));
    assert_eq!(w.header("Content-Type"), Some("application/x-protobuf"));
    assert_eq!(w.header("X-Prometheus-Remote-Write-Version"), Some("0.1.0"));
    assert_eq!(w.header("Authorization"), Some("Bearer rw-token"));
    // The JSON destination keeps its own token and payload.
    assert_eq!(
        json.accepted()[0].authorization.as_deref(),
        Some("Bearer json-token")
    );
    assert_eq!(json.accepted()[0].body["hostname"], "test-pi");

    // Every name of the agent's /metrics, and nothing else.
    let mut names: BTreeSet<String> = w
        .request
        .timeseries
        .iter()
        .flat_map(|t| t.labels.iter().filter(|l| l.name == "__name__"))
        .map(|l| l.value.clone())
        .collect();
    assert!(names.remove("test_scrape_id"));
    assert_eq!(names, names_in_fixture());
    for ts in &w.request.timeseries {
        let l: Vec<(&str, &str)> = ts
            .labels
            .iter()
            .map(|l| (l.name.as_str(), l.value.as_str()))
            .collect();
        assert!(l.windows(2).all(|p| p[0].0 < p[1].0), "unsorted {l:?}");
        assert!(l.contains(&("instance", "test-pi")), "{l:?}");
        assert!(l.contains(&("job", "system-stats")) && l.contains(&("site", "lab")));
    }
    assert_eq!(
        w.points("node_memory_MemTotal_bytes")[0].1,
        3_975_475_200.0,
        "value as in the fixture"
    );
    let idle = w
        .request
        .timeseries
        .iter()
        .find(|t| {
            t.labels.iter().any(|l| l.value == "node_cpu_seconds_total")
                && t.labels
                    .iter()
                    .any(|l| l.name == "mode" && l.value == "idle")
                && t.labels.iter().any(|l| l.name == "cpu" && l.value == "0")
        })
        .expect("node_cpu_seconds_total{cpu=0,mode=idle}");
    assert_eq!(idle.samples.len(), 1);
    // Millisecond poll times, increasing, close to now.
    let ids = scrape_ids(&writes);
    assert!(ids.windows(2).all(|p| p[0].0 < p[1].0), "{ids:?}");
    assert!(ids[0].0 >= before - 1000 && ids[0].0 <= unix_now() * 1000 + 1000);
    assert!(
        ids.iter().any(|(t, _)| t % 1000 != 0),
        "ms precision: {ids:?}"
    );
}

#[test]
fn backlog_after_an_outage_is_batched_in_order_with_no_hole() {
    let source = Source::start();
    let mut remote = RemoteReceiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let env = rw_env(&source, "", &remote.url(), spool.path());
    let mut fwd = Forwarder::spawn(&env);
    // ~15 polls at 0.2 s while the receiver is down.
    std::thread::sleep(Duration::from_secs(3));
    remote.up();
    assert!(
        wait_until(LONG, || scrape_ids(&remote.accepted()).len() >= 25),
        "{}",
        fwd.log()
    );
    let writes = remote.accepted();
    let biggest = writes
        .iter()
        .map(|w| w.points("test_scrape_id").len())
        .max()
        .unwrap_or(0);
    assert!(biggest >= 5, "backlog not batched: largest {biggest}");
    // One TimeSeries per series per request, samples in time order.
    for w in &writes {
        let mut seen = BTreeSet::new();
        for ts in &w.request.timeseries {
            assert!(seen.insert(format!("{:?}", ts.labels)), "series repeated");
            assert!(ts
                .samples
                .windows(2)
                .all(|p| p[0].timestamp < p[1].timestamp));
        }
    }
    // Requests arrive in time order and no scrape is missing.
    let firsts: Vec<i64> = writes
        .iter()
        .filter_map(|w| w.points("test_scrape_id").first().map(|p| p.0))
        .collect();
    assert!(firsts.windows(2).all(|p| p[0] < p[1]), "{firsts:?}");
    let ids: Vec<u64> = scrape_ids(&writes).iter().map(|p| p.1).collect();
    let first = ids[0];
    let expected: Vec<u64> = (first..first + ids.len() as u64).collect();
    assert_eq!(ids, expected, "a scrape is missing or repeated");
    assert_eq!(first, 1, "the scrapes made during the outage come first");
    assert_eq!(
        fwd.terminate(Duration::from_secs(5)).and_then(|s| s.code()),
        Some(0)
    );
}

#[test]
fn out_of_order_rejection_never_blocks_and_url_credentials_are_basic_auth() {
    let source = Source::start();
    let remote = RemoteReceiver::start();
    remote.script(400, "out of order sample");
    let spool = tempfile::tempdir().unwrap();
    let url = remote.url().replace("http://", "http://user:p%40ss@");
    let env = rw_env(&source, "", &url, spool.path());
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || remote.accepted().len() >= 3),
        "{}",
        fwd.log()
    );
    let writes = remote.writes();
    assert_eq!(writes[0].status, 400);
    // base64("user:p@ss")
    assert_eq!(
        writes[0].header("Authorization"),
        Some("Basic dXNlcjpwQHNz")
    );
    let rejected = writes[0].points("test_scrape_id");
    let next = writes[1].points("test_scrape_id");
    assert!(
        next[0].0 > rejected[rejected.len() - 1].0,
        "moved on past the batch"
    );
    assert!(
        wait_until(LONG, || fwd.log().contains("out_of_order_time_window")),
        "{}",
        fwd.log()
    );
    assert!(!fwd.log().contains("p@ss") && !fwd.log().contains("p%40ss"));
}
