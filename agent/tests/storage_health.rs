//! Storage health from the real binary: on the `cm4-failing-storage` tree
//! (a root the kernel remounted read-only, ext4 errors, a worn eMMC) the
//! `/system` fields, the metrics and a clean promtool; and on a real ext4
//! (loop-mounted from a tmpfs) remounted read-only, then hit by kernel
//! errors while the agent watches the live /proc: the fields, the metrics
//! and exactly one log record per transition.
#![cfg(target_os = "linux")]

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{require_tool, Agent};

#[allow(dead_code)]
#[path = "../../forwarder/tests/support/tmpfs.rs"]
mod tmpfs;

/// `name{labels} value` of a scrape.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

fn filesystem<'a>(system: &'a Value, mount: &str) -> &'a Value {
    system["filesystems"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["mount"] == mount))
        .unwrap_or_else(|| panic!("no {mount} in {}", system["filesystems"]))
}

#[test]
fn a_read_only_root_with_ext4_errors_in_system_and_metrics() {
    let agent = Agent::on_fixture("cm4-failing-storage");
    let s = agent.get_json("/system");
    let root = filesystem(&s, "/");
    assert_eq!(root["device"], "/dev/mmcblk0p2");
    assert_eq!(root["readonly"], true, "superblock ro: {root}");
    assert_eq!(root["errors_count"], 3);
    assert_eq!(root["first_error_time"], "2025-11-20T08:15:02+00:00");
    assert_eq!(root["last_error_time"], "2025-11-21T08:20:00+00:00");
    let usb = filesystem(&s, "/media/usb");
    assert_eq!(
        (&usb["readonly"], &usb["errors_count"]),
        (&Value::Bool(false), &Value::from(0))
    );
    assert!(usb["first_error_time"].is_null() && usb["last_error_time"].is_null());
    let boot = filesystem(&s, "/boot/firmware");
    assert!(
        boot["errors_count"].is_null(),
        "vfat has no counters: {boot}"
    );
    let emmc = &s["raspberry_pi"]["storage"][0];
    assert_eq!(
        (&emmc["pre_eol_info"], &emmc["life_time"]),
        (&Value::from(2), &serde_json::json!([5, 10]))
    );

    let m = agent.get("/metrics").body;
    let ro = |dev: &str, fstype: &str, mount: &str| {
        sample(
            &m,
            &format!(
                r#"node_filesystem_readonly{{device="{dev}",fstype="{fstype}",mountpoint="{mount}"}}"#
            ),
        )
    };
    assert_eq!(ro("/dev/mmcblk0p2", "ext4", "/"), Some(1.0), "{m}");
    assert_eq!(ro("/dev/sda1", "ext4", "/media/usb"), Some(0.0));
    // statfs fails there (not in the tree): node_exporter still says ro
    assert_eq!(ro("/dev/mmcblk0p1", "vfat", "/boot/firmware"), Some(0.0));
    let errors = |dev: &str, mount: &str| {
        sample(
            &m,
            &format!(
                r#"system_stats_filesystem_errors_total{{device="{dev}",mountpoint="{mount}"}}"#
            ),
        )
    };
    assert_eq!(errors("/dev/mmcblk0p2", "/"), Some(3.0));
    assert_eq!(errors("/dev/sda1", "/media/usb"), Some(0.0));
    assert_eq!(errors("/dev/mmcblk0p1", "/boot/firmware"), None);
    assert!(m.contains("# TYPE system_stats_filesystem_errors_total counter\n"));
    assert_eq!(
        sample(&m, r#"system_stats_mmc_pre_eol_info{device="mmc0:0001"}"#),
        Some(2.0)
    );
    for (kind, level) in [("A", 5.0), ("B", 10.0)] {
        let series =
            format!(r#"system_stats_mmc_life_time_level{{device="mmc0:0001",type="{kind}"}}"#);
        assert_eq!(sample(&m, &series), Some(level), "{series}");
    }

    if let Some(tool) = require_tool(&["promtool"], "SYSTEM_STATS_SKIP_PROMTOOL", "prometheus") {
        assert_eq!(support::promtool(&tool, &m), (Some(0), String::new()));
    }
}

/// Run a command, true when it succeeded (its stderr printed otherwise).
fn run(cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!("{cmd:?}: {}", String::from_utf8_lossy(&out.stderr).trim());
            false
        }
        Err(e) => {
            eprintln!("{cmd:?}: {e}");
            false
        }
    }
}

/// A small ext4 image (on a tmpfs) loop-mounted on a directory; unmounted
/// on drop. None, after saying why, where this machine cannot.
struct Ext4Mount {
    dir: tempfile::TempDir,
    _image_fs: tmpfs::Tmpfs,
}

impl Ext4Mount {
    fn mount() -> Option<Ext4Mount> {
        let image_fs = tmpfs::Tmpfs::mount("24m")?;
        let image = image_fs.path().join("ext4.img");
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(16 << 20))
            .expect("image file");
        if !run(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(&image)) {
            eprintln!("SKIPPED: mkfs.ext4 (e2fsprogs) failed");
            return None;
        }
        let dir = tempfile::tempdir().expect("mount point");
        let mut mount = Command::new("mount");
        mount
            .args(["-t", "ext4", "-o", "loop,errors=continue"])
            .arg(&image)
            .arg(dir.path());
        if !run(&mut mount) {
            eprintln!("SKIPPED: cannot loop-mount an ext4 image here");
            return None;
        }
        let mounted = Ext4Mount {
            dir,
            _image_fs: image_fs,
        };
        // the agent reads pid 1's table (the host's) when it can
        if let Ok(table) = std::fs::read_to_string("/proc/1/mountinfo") {
            if !table.contains(&format!(" {} ", mounted.path())) {
                eprintln!(
                    "SKIPPED: the mount is not in pid 1's mount table (another mount namespace)"
                );
                return None;
            }
        }
        Some(mounted)
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().expect("utf8")
    }

    fn remount(&self, options: &str) {
        let ok = run(Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.dir.path()));
        assert!(ok, "remount,{options}");
    }
}

impl Drop for Ext4Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Poll `/system` until this mount's entry satisfies `done` (20 s at most).
fn wait_for(agent: &Agent, mount: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = agent.get_json("/system");
        let found = s["filesystems"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["mount"] == mount).cloned());
        if let Some(f) = found.filter(|f| done(f)) {
            return f;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {mount} in {}",
            s["filesystems"]
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn readonly_metric(agent: &Agent, device: &str, mount: &str) -> Option<f64> {
    let m = agent.get("/metrics").body;
    sample(
        &m,
        &format!(
            r#"node_filesystem_readonly{{device="{device}",fstype="ext4",mountpoint="{mount}"}}"#
        ),
    )
}

/// Wait until the agent has logged `count` lines with all of `needles`.
fn wait_for_log(agent: &Agent, needles: &[&str], count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while agent.log_lines(needles).len() < count && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let found = agent.log_lines(needles);
    assert_eq!(found.len(), count, "{needles:?}: {found:#?}");
}

#[test]
fn a_real_ext4_remounted_read_only_then_failing_is_reported_once_per_change() {
    let Some(fs) = Ext4Mount::mount() else {
        return;
    };
    let agent = Agent::start(&[]);
    let mount = fs.path();
    let f = wait_for(&agent, mount, "listed, writable", |f| {
        f["readonly"] == false
    });
    assert_eq!(f["errors_count"], 0, "{f}");
    let device = f["device"].as_str().expect("device").to_string();
    assert!(device.starts_with("/dev/loop"), "{f}");
    assert_eq!(readonly_metric(&agent, &device, mount), Some(0.0));

    // the administrator (or a failing card's kernel) makes it read-only
    fs.remount("ro");
    wait_for(&agent, mount, "read-only", |f| f["readonly"] == true);
    assert_eq!(readonly_metric(&agent, &device, mount), Some(1.0));
    let read_only = [" WARN ", "filesystem_read_only", mount];
    wait_for_log(&agent, &read_only, 1);
    // still read-only a few checks later: still one record
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(agent.log_lines(&read_only).len(), 1);

    fs.remount("rw");
    wait_for(&agent, mount, "writable again", |f| f["readonly"] == false);
    wait_for_log(&agent, &[" INFO ", "filesystem_read_write", mount], 1);

    // the kernel records an ext4 error (errors=continue: it stays writable)
    let name = device.trim_start_matches("/dev/");
    std::fs::write(
        format!("/sys/fs/ext4/{name}/trigger_fs_error"),
        "system-stats test error",
    )
    .expect("trigger an ext4 error");
    let f = wait_for(&agent, mount, "one error", |f| f["errors_count"] == 1);
    assert!(f["first_error_time"].is_string(), "{f}");
    let m = agent.get("/metrics").body;
    assert_eq!(
        sample(
            &m,
            &format!(
                r#"system_stats_filesystem_errors_total{{device="{device}",mountpoint="{mount}"}}"#
            )
        ),
        Some(1.0)
    );
    wait_for_log(&agent, &[" WARN ", "filesystem_errors", mount], 1);

    // errors=remount-ro: the kernel takes it read-only itself (superblock
    // `ro` before Linux 6.12, `emergency_ro` since 6.15; the mount stays `rw`)
    fs.remount("errors=remount-ro");
    std::fs::write(
        format!("/sys/fs/ext4/{name}/trigger_fs_error"),
        "system-stats test error",
    )
    .expect("trigger an ext4 error");
    wait_for(&agent, mount, "a second error", |f| f["errors_count"] == 2);
    wait_for_log(&agent, &[" WARN ", "filesystem_errors", mount], 2);
    let table = std::fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
    let line = table
        .lines()
        .find(|l| l.contains(&format!(" {mount} ")))
        .expect("our mount");
    let superblock = line.rsplit(' ').next().unwrap_or_default();
    if superblock
        .split(',')
        .any(|o| o == "ro" || o == "emergency_ro")
    {
        let f = wait_for(&agent, mount, "read-only by the kernel", |f| {
            f["readonly"] == true
        });
        assert_eq!(f["device"], device.as_str());
        assert_eq!(readonly_metric(&agent, &device, mount), Some(1.0));
        wait_for_log(&agent, &read_only, 2);
    } else {
        // Linux 6.12-6.14 show the kernel's read-only state nowhere
        eprintln!("this kernel shows no read-only flag after errors=remount-ro ({line}); that check skipped");
    }
    assert!(Path::new(mount).exists());
    eprintln!("{:#?}", agent.log_lines(&["filesystem_"]));
}
