//! The snapshot additions (per-core CPU, temperatures, Raspberry Pi health,
//! interfaces, filesystems, os-release) read from the captured fixture
//! trees, with exact values worked out from the fixture files.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use system_stats_agent::collect::{Collector, Want};
use system_stats_agent::cpu_usage::{CpuReading, CpuState, CpuWindow};
use system_stats_agent::platform::{HostCollector, Sources};
use system_stats_agent::snapshot::{SensorOrigin, Snapshot};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A snapshot of a fixture whose CPU window runs from boot to the captured `/proc/stat`.
fn snapshot(name: &str) -> Snapshot {
    snapshot_at(&fixture(name))
}

fn snapshot_at(root: &Path) -> Snapshot {
    let c = HostCollector::new(&Sources {
        procfs: root.join("proc"),
        sysfs: root.join("sys"),
        disk_path: PathBuf::from("/"),
        textfile_dir: None,
    });
    let cpu = match c.read_cpu() {
        Some((reading, btime)) => CpuState {
            window: Some(CpuWindow::between(
                &CpuReading {
                    total: Default::default(),
                    per_core: vec![Default::default(); reading.per_core.len()],
                },
                &reading,
            )),
            logical_cores: Some(reading.per_core.len() as u32),
            boot_time: Some(btime),
        },
        None => CpuState::default(),
    };
    c.collect(&cpu, chrono::Utc::now(), Want::SNAPSHOT).snapshot
}

#[test]
fn pi4_cpu_per_core_modes_and_temperature() {
    let s = snapshot("pi4");
    // busy = total - idle - iowait per cpuN line of proc/stat, e.g. cpu0:
    // (1834190 - 1800309 - 2897) / 1834190 = 1.69 %
    assert_eq!(s.cpu.per_core, Some(vec![1.7, 1.4, 1.3, 1.4]));
    let t = s.cpu.times_percent.expect("modes");
    // aggregate line: user 73793, system 28990, idle 7222169, iowait 8670 of 7336853
    assert_eq!((t.user, t.system, t.idle, t.iowait), (1.0, 0.4, 98.4, 0.1));
    // thermal_zone0 (type cpu-thermal) temp 48686, expected.json cpu_temperature_c
    assert_eq!(s.cpu.temperature_c, Some(48.686));
}

#[test]
fn pi4_sensors_from_thermal_zone_and_hwmon() {
    let s = snapshot("pi4");
    assert_eq!(s.sensors.len(), 2);
    let zone = &s.sensors[0];
    assert_eq!(
        (
            zone.name.as_str(),
            zone.source.as_str(),
            zone.label.as_deref()
        ),
        ("cpu-thermal", "thermal_zone0", None)
    );
    assert_eq!(
        (zone.current_c, zone.high_c, zone.critical_c),
        (Some(48.686), None, Some(110.0))
    );
    assert_eq!(zone.origin, SensorOrigin::ThermalZone { zone: "0".into() });
    let hw = &s.sensors[1];
    assert_eq!(
        (hw.name.as_str(), hw.source.as_str(), hw.current_c),
        ("cpu_thermal", "hwmon0/temp1", Some(48.686))
    );
    assert_eq!(
        hw.origin,
        SensorOrigin::Hwmon {
            chip: "cpu_thermal".into(),
            sensor: "temp1".into()
        }
    );
}

#[test]
fn pi4_raspberry_pi_health() {
    let s = snapshot("pi4");
    let pi = s.raspberry_pi.expect("a Pi");
    assert_eq!(pi.model.as_deref(), Some("Raspberry Pi 4 Model B Rev 1.4"));
    assert_eq!(pi.revision.as_deref(), Some("c03114"));
    assert_eq!(pi.serial.as_deref(), Some("10000000abcdef12"));
    let t = pi.throttled.expect("get_throttled");
    assert_eq!((t.raw.as_str(), t.value), ("50005", 327_685));
    assert!(
        t.under_voltage_now
            && t.throttled_now
            && t.under_voltage_since_boot
            && t.throttled_since_boot
    );
    assert!(!t.arm_frequency_capped_now && !t.soft_temperature_limit_now);
    assert!(!t.arm_frequency_capped_since_boot && !t.soft_temperature_limit_since_boot);
    assert_eq!(pi.under_voltage_alarm, Some(true));
    assert_eq!(pi.storage.len(), 1);
    let sd = &pi.storage[0];
    assert_eq!(
        (sd.device.as_str(), sd.name.as_deref(), sd.kind.as_deref()),
        ("mmc0:aaaa", Some("SC32G"), Some("SD"))
    );
    assert_eq!((sd.pre_eol_info, sd.life_time), (None, None));
}

#[test]
fn pi4_interfaces_filesystems_and_os_release() {
    let s = snapshot("pi4");
    // eth0 is down (flags 0x1002), lo is loopback: only wlan0
    let names: Vec<&str> = s
        .network
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["wlan0"]);
    let w = &s.network.interfaces[0];
    assert!(!w.is_virtual);
    assert_eq!(w.mac.as_deref(), Some("dc:a6:32:12:34:57"));
    assert_eq!(w.ipv6.as_deref(), Some("fe80::5c1e:7f2a:9b3d:4e61"));
    // from the tree's ip-addr file, whatever this machine's interfaces are
    assert_eq!(w.ipv4.as_deref(), Some("192.168.1.23"));
    assert_eq!(
        (w.mtu, w.speed_mbps, w.duplex.as_str()),
        (Some(1500), None, "unknown")
    );
    assert_eq!((w.bytes_recv, w.bytes_sent), (187_452_903, 12_783_641));
    assert_eq!(
        (w.packets_recv, w.packets_sent, w.dropin),
        (163_218, 61_742, 27)
    );

    let fs: Vec<(&str, &str, &str)> = s
        .filesystems
        .iter()
        .map(|f| (f.device.as_str(), f.mount.as_str(), f.fstype.as_str()))
        .collect();
    assert_eq!(
        fs,
        [
            ("/dev/mmcblk0p2", "/", "ext4"),
            ("/dev/mmcblk0p1", "/boot/firmware", "vfat")
        ]
    );
    // "/" of the tree is the fixture directory itself; /boot/firmware is not captured
    let root = rustix::fs::statvfs(fixture("pi4")).expect("statvfs fixture");
    assert_eq!(s.filesystems[0].total, Some(root.f_blocks * root.f_frsize));
    assert_eq!(s.filesystems[1].total, None);
    assert_eq!(s.filesystems[1].percent, None);

    let os = s.os_release.expect("etc/os-release");
    assert_eq!(
        os.pretty_name.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
}

#[test]
fn pi3b_is_a_healthy_pi() {
    let s = snapshot("pi3b-armv7");
    assert_eq!(s.cpu.temperature_c, Some(51.54));
    let pi = s.raspberry_pi.expect("a Pi");
    assert_eq!(
        pi.model.as_deref(),
        Some("Raspberry Pi 3 Model B Plus Rev 1.3")
    );
    assert_eq!(pi.revision.as_deref(), Some("a020d3"));
    let t = pi.throttled.expect("get_throttled");
    assert_eq!(t.value, 0);
    assert!(!t.under_voltage_now && !t.throttled_now && !t.under_voltage_since_boot);
    assert_eq!(pi.under_voltage_alarm, Some(false));
    assert_eq!(
        s.os_release.and_then(|o| o.pretty_name).as_deref(),
        Some("Raspbian GNU/Linux 12 (bookworm)")
    );
}

#[test]
fn x86_vm_has_no_pi_section_and_no_sensors() {
    let s = snapshot("host-x86_64");
    assert_eq!(s.raspberry_pi, None);
    assert!(s.sensors.is_empty());
    assert_eq!(s.cpu.temperature_c, None);
    // eth0 up; ifb0/ifb1 down; the global fd00::2 wins over the link-local address
    let names: Vec<&str> = s
        .network
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["eth0"]);
    assert_eq!(s.network.interfaces[0].ipv6.as_deref(), Some("fd00::2"));
    let fs: Vec<&str> = s.filesystems.iter().map(|f| f.device.as_str()).collect();
    assert_eq!(fs, ["/dev/vda"]);
}

#[test]
fn minimal_tree_gives_nulls_not_errors() {
    let s = snapshot("minimal");
    assert_eq!(s.raspberry_pi, None);
    assert_eq!(s.os_release, None);
    assert!(s.sensors.is_empty() && s.filesystems.is_empty());
    assert!(s.network.interfaces.is_empty());
    assert_eq!(s.cpu.temperature_c, None);
    assert_eq!(s.cpu.per_core.as_ref().map(Vec::len), Some(2));
    let json = serde_json::to_value(&s).expect("serializes");
    for key in ["sensors", "raspberry_pi", "filesystems", "os_release"] {
        assert!(json.get(key).is_some(), "{key} present");
    }
    assert!(json["cpu"]["temperature_c"].is_null());
}

/// An eMMC (Compute Module) reports wear; the tree is built here because no
/// fixture has one.
#[test]
fn emmc_wear_and_dev_root_resolution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    w(
        "proc/stat",
        "cpu  1 0 1 8 0 0 0 0 0 0\ncpu0 1 0 1 8 0 0 0 0 0 0\nbtime 1700000000\n",
    );
    w(
        "proc/device-tree/model",
        "Raspberry Pi Compute Module 4 Rev 1.0\0",
    );
    w(
        "proc/1/mountinfo",
        "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/root rw\n\
         25 22 0:23 / /run rw shared:5 - tmpfs tmpfs rw\n",
    );
    w("sys/block/mmcblk0/dev", "179:0\n");
    w("sys/block/mmcblk0/mmcblk0p2/dev", "179:2\n");
    w("sys/class/mmc_host/mmc0/mmc0:0001/name", "BJTD4R\n");
    w("sys/class/mmc_host/mmc0/mmc0:0001/type", "MMC\n");
    w("sys/class/mmc_host/mmc0/mmc0:0001/pre_eol_info", "0x01\n");
    w("sys/class/mmc_host/mmc0/mmc0:0001/life_time", "0x02 0x01\n");
    let s = snapshot_at(root);
    let pi = s.raspberry_pi.expect("a Pi by model");
    assert_eq!(pi.throttled, None);
    assert_eq!(pi.under_voltage_alarm, None);
    let e = &pi.storage[0];
    assert_eq!(
        (e.kind.as_deref(), e.pre_eol_info, e.life_time),
        (Some("MMC"), Some(1), Some([2, 1]))
    );
    let fs: Vec<(&str, &str)> = s
        .filesystems
        .iter()
        .map(|f| (f.device.as_str(), f.mount.as_str()))
        .collect();
    assert_eq!(fs, [("/dev/mmcblk0p2", "/")]);
}

#[test]
fn a_tree_from_another_namespace_without_addresses_reports_none() {
    // the pi4 tree without its ip-addr file, as a container sees a host's
    // /proc from its own network namespace: no address is borrowed from
    // the machine running the test
    let dir = tempfile::tempdir().expect("tempdir");
    let pi4 = fixture("pi4");
    std::os::unix::fs::symlink(pi4.join("proc"), dir.path().join("proc")).expect("symlink");
    std::os::unix::fs::symlink(pi4.join("sys"), dir.path().join("sys")).expect("symlink");
    let s = snapshot_at(dir.path());
    let primary = s.network.primary_interface.expect("primary interface");
    assert_eq!(primary.name, "wlan0");
    assert_eq!(
        (primary.ipv4, primary.netmask, primary.broadcast),
        (None, None, None)
    );
    assert!(s.network.interfaces.iter().all(|i| i.ipv4.is_none()));
}

/// The pi4 tree as Debian's mainline arm64 kernel shows it: /proc/cpuinfo
/// without the board block (no "Model"), optionally without a device tree.
fn mainline_pi4(keep_device_tree: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let pi4 = fixture("pi4");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(pi4.join("proc"))
        .arg(dir.path())
        .status()
        .expect("cp");
    assert!(status.success());
    std::os::unix::fs::symlink(pi4.join("sys"), dir.path().join("sys")).expect("symlink");
    let cpuinfo = dir.path().join("proc/cpuinfo");
    let text = std::fs::read_to_string(&cpuinfo).expect("cpuinfo");
    let mainline: String = text
        .lines()
        .filter(|l| {
            !["Hardware", "Revision", "Serial", "Model"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(mainline.contains("CPU part\t: 0xd08"), "{mainline}");
    std::fs::write(&cpuinfo, mainline).expect("write cpuinfo");
    if !keep_device_tree {
        std::fs::remove_dir_all(dir.path().join("proc/device-tree")).expect("rm device-tree");
    }
    dir
}

#[test]
fn mainline_arm64_kernel_names_the_processor() {
    let with_dt = mainline_pi4(true);
    assert_eq!(
        snapshot_at(with_dt.path()).cpu.processor.as_deref(),
        Some("Raspberry Pi 4 Model B Rev 1.4"),
        "the device-tree model, as the Raspberry Pi kernel prints it"
    );
    let without_dt = mainline_pi4(false);
    assert_eq!(
        snapshot_at(without_dt.path()).cpu.processor.as_deref(),
        Some("Cortex-A72"),
        "CPU implementer 0x41, part 0xd08"
    );
}
