//! Performance check (ignored by default; run it with
//! `cargo test --release -p system-stats-forwarder --test bench -- --ignored --nocapture`):
//! spool 1,000 samples while the receiver is down, bring it up and time the
//! replay; report the forwarder's RSS and its CPU time per poll cycle. Then,
//! with every spool fsync made 500 ms slower (a worn SD card), report the
//! cadence of polls and deliveries.

mod support;

use std::time::{Duration, Instant};
use support::*;

const SAMPLES: usize = 1000;
const RSS_LIMIT_KB: u64 = 8 * 1024;

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// utime + stime of `pid`, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) as f64 / clock_ticks()
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn bench_replay_1000() {
    // 1. Spool 1,000 samples while the receiver is down.
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_FORWARD_INTERVAL", "0.005".into()));
    env.push(("SYSTEM_STATS_FORWARD_LOG_LEVEL", "warning".into()));
    let fwd = Forwarder::spawn(&env);
    let pid = fwd.pid();
    let spool_started = Instant::now();
    let cpu_before = cpu_seconds(pid);
    assert!(
        wait_until(Duration::from_secs(120), || source.served().len()
            >= SAMPLES),
        "{}",
        fwd.log()
    );
    let spool_cpu = cpu_seconds(pid) - cpu_before;
    let spool_time = spool_started.elapsed();
    let expected: Vec<u64> = source
        .pause(Duration::from_millis(5))
        .iter()
        .map(|(id, _)| *id)
        .collect();
    let spooled = expected.len();

    // 2. Receiver up: time the replay.
    let cpu_before = cpu_seconds(pid);
    let up_at = Instant::now();
    receiver.up();
    let done = wait_until(Duration::from_secs(60), || {
        receiver.accepted_ids().last() == expected.last()
    });
    let replay = up_at.elapsed();
    let replay_cpu = cpu_seconds(pid) - cpu_before;
    assert!(
        done,
        "replay incomplete: {} of {spooled}",
        receiver.accepted().len()
    );
    let accepted = receiver.accepted();
    let first_to_last = accepted.last().unwrap().at - accepted.first().unwrap().at;
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    let (hwm_replay, rss_replay) = (status_kb(pid, "VmHWM:"), status_kb(pid, "VmRSS:"));
    drop(fwd);

    // 3. Steady state: CPU per cycle with the receiver up, info logging.
    let spool = tempfile::tempdir().unwrap();
    source.set_mode(SourceMode::Json);
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_FORWARD_INTERVAL", "0.05".into()));
    let fwd = Forwarder::spawn(&env);
    let pid = fwd.pid();
    let served_before = source.served().len();
    std::thread::sleep(Duration::from_millis(500));
    let cpu_before = cpu_seconds(pid);
    let served_start = source.served().len();
    std::thread::sleep(Duration::from_secs(5));
    let cycles = (source.served().len() - served_start).max(1);
    let per_cycle_ms = (cpu_seconds(pid) - cpu_before) * 1000.0 / cycles as f64;
    let (hwm_steady, rss_steady) = (status_kb(pid, "VmHWM:"), status_kb(pid, "VmRSS:"));
    let _ = served_before;
    drop(fwd);

    println!();
    println!("| measure                                   | value        |");
    println!("|-------------------------------------------|--------------|");
    println!("| samples spooled (receiver down)           | {spooled:>12} |");
    println!(
        "| time to spool them (0.005 s interval)     | {:>10.2} s |",
        spool_time.as_secs_f64()
    );
    println!(
        "| CPU per spooled cycle (poll+fsync)        | {:>9.3} ms |",
        spool_cpu * 1000.0 / spooled as f64
    );
    println!(
        "| replay: receiver up -> last delivered     | {:>10.2} s |",
        replay.as_secs_f64()
    );
    println!(
        "| replay: first -> last post                | {:>10.2} s |",
        first_to_last.as_secs_f64()
    );
    println!(
        "| replay rate                               | {:>8.0} /s |",
        spooled as f64 / first_to_last.as_secs_f64().max(1e-3)
    );
    println!(
        "| CPU per replayed sample                   | {:>9.3} ms |",
        replay_cpu * 1000.0 / spooled as f64
    );
    println!("| RSS peak (VmHWM) spool+replay             | {hwm_replay:>9} kB |");
    println!("| RSS now (VmRSS) after replay              | {rss_replay:>9} kB |");
    println!("| steady state cycles measured (0.05 s)     | {cycles:>12} |");
    println!("| CPU per steady cycle (poll+spool+post)    | {per_cycle_ms:>9.3} ms |");
    println!("| RSS peak (VmHWM) steady                   | {hwm_steady:>9} kB |");
    println!("| RSS now (VmRSS) steady                    | {rss_steady:>9} kB |");

    assert!(replay < Duration::from_secs(5), "replay took {replay:?}");
    if !cfg!(debug_assertions) {
        assert!(
            hwm_replay <= RSS_LIMIT_KB,
            "RSS peak {hwm_replay} kB > {RSS_LIMIT_KB} kB"
        );
        assert!(
            hwm_steady <= RSS_LIMIT_KB,
            "RSS peak {hwm_steady} kB > {RSS_LIMIT_KB} kB"
        );
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn bench_slow_fsync_cadence() {
    const FSYNC_MS: &str = "500";
    const SECONDS: u64 = 10;
    let source = Source::start();
    let receiver = Receiver::start();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, &receiver.url(), spool.path());
    env.push(("SYSTEM_STATS_SPOOL_SLOW_FSYNC_MS", FSYNC_MS.into()));
    env.push(("SYSTEM_STATS_FORWARD_LOG_LEVEL", "warning".into()));
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || receiver.accepted().len() >= 2),
        "{}",
        fwd.log()
    );
    let first = source.served_at().len();
    std::thread::sleep(Duration::from_secs(SECONDS));
    let served_at = source.served_at();
    let window = &served_at[first..];
    let mut gaps: Vec<f64> = window
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * 1000.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    // Poll -> receipt of each sample polled in the window and delivered.
    let mut latency: Vec<f64> = receiver
        .accepted()
        .iter()
        .filter(|p| p.id() as usize > first && (p.id() as usize) <= served_at.len())
        .map(|p| (p.at - served_at[p.id() as usize - 1]).as_secs_f64() * 1000.0)
        .collect();
    latency.sort_by(f64::total_cmp);
    let delivered = latency.len();
    drop(fwd);

    println!();
    println!("| slow fsync (+{FSYNC_MS} ms each), 0.2 s interval, {SECONDS} s | value        |");
    println!("|-------------------------------------------|--------------|");
    println!(
        "| polls (ideal {:>3})                         | {:>12} |",
        SECONDS * 5,
        window.len()
    );
    println!(
        "| poll gap p50                              | {:>9.0} ms |",
        percentile(&gaps, 0.5)
    );
    println!(
        "| poll gap max                              | {:>9.0} ms |",
        percentile(&gaps, 1.0)
    );
    println!("| samples of the window delivered           | {delivered:>12} |");
    println!(
        "| poll -> delivered p50                     | {:>9.0} ms |",
        percentile(&latency, 0.5)
    );
    println!(
        "| poll -> delivered max                     | {:>9.0} ms |",
        percentile(&latency, 1.0)
    );
    assert!(
        window.len() as u64 >= SECONDS * 4,
        "polls lost their cadence"
    );
}
