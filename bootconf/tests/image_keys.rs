//! The real `system-stats-bootconf --image-keys` (what the image's first boot
//! applies) and `--check` on a temporary root: one parser for both, so a
//! value the first boot would ignore is refused by the check, with its key
//! and reason; `export`, quotes, CRLF and a BOM are read once, here.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn run(root: &Path, conf: &str, mode: &str) -> Output {
    let file = root.join("system-stats.conf");
    fs::write(&file, conf).expect("write card");
    Command::new(env!("CARGO_BIN_EXE_system-stats-bootconf"))
        .arg(mode)
        .arg("--root")
        .arg(root)
        .arg("--conf")
        .arg(&file)
        .output()
        .expect("run bootconf")
}

fn root_with_zoneinfo() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tempdir");
    let zi = root.path().join("usr/share/zoneinfo/Europe");
    fs::create_dir_all(&zi).expect("mkdir");
    fs::write(zi.join("Berlin"), "TZif2").expect("zone");
    root
}

#[test]
fn the_first_boot_gets_only_valid_image_keys_and_check_names_the_others() {
    let root = root_with_zoneinfo();
    let card = "\u{feff}export hostname=my_pi\r\ntimezone=\"Europe/Berlin\"\r\nwifi_ssid='Lab'\r\nwifi_country=de\r\napt_repo_url=ftp://x/\r\n";
    let out = run(root.path(), card, "--image-keys");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout, "timezone=Europe/Berlin\nwifi_country=de\n",
        "{stderr}"
    );
    for why in [
        "line 1: hostname: \"my_pi\" is not a host name",
        "line 3: wifi_ssid: no wifi_psk",
        "line 5: apt_repo_url: \"ftp://x/\" is not valid",
    ] {
        assert!(stderr.contains(why), "{why} missing from: {stderr}");
    }
    let check = run(root.path(), card, "--check");
    assert_eq!(check.status.code(), Some(1));
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(
        said.contains("hostname") && said.contains("wifi_ssid") && said.contains("apt_repo_url")
    );
}

#[test]
fn an_open_network_needs_wifi_open_and_zones_must_exist_under_the_root() {
    let root = root_with_zoneinfo();
    let out = run(
        root.path(),
        "wifi_ssid=Cafe\nwifi_open=yes\ntimezone=Europe/Atlantis\nhostname=pi-lab\n",
        "--image-keys",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout, "wifi_ssid=Cafe\nwifi_open=yes\nhostname=pi-lab\n");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("timezone: \"Europe/Atlantis\" is not a time zone"));
    let ok = run(
        root.path(),
        "wifi_ssid=Lab\nwifi_psk=correct horse\ntimezone=Europe/Berlin\n",
        "--check",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn write_avahi_advertises_the_port_and_scheme_in_use() {
    let root = tempfile::tempdir().expect("tempdir");
    let services = root.path().join("etc/avahi/services");
    fs::create_dir_all(&services).expect("mkdir");
    let conffile = root.path().join("default");
    fs::write(
        &conffile,
        "SYSTEM_STATS_PORT=8443\nSYSTEM_STATS_TLS_CERT_FILE=/etc/system-stats/tls/cert.pem\n",
    )
    .expect("conffile");
    let out = Command::new(env!("CARGO_BIN_EXE_system-stats-bootconf"))
        .arg("--write-avahi")
        .arg("--root")
        .arg(root.path())
        .arg("--default-file")
        .arg(&conffile)
        .output()
        .expect("run bootconf");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = fs::read_to_string(services.join("system-stats.service")).expect("service file");
    assert!(
        xml.contains("<type>_https._tcp</type>") && xml.contains("<port>8443</port>"),
        "{xml}"
    );
}
