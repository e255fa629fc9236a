//! Renaming `system-stats.conf.applied` back and booting again changes
//! nothing: the real `system-stats-bootconf` applies a card, the first boot's
//! Wi-Fi file is written as `wifi-config` writes it, then the redacted
//! `.applied` is applied again: the conffile and credentials are identical
//! byte for byte, the token is kept, and the first boot gets no Wi-Fi keys, so
//! the Wi-Fi configuration (with its passphrase) stays as it is.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;

mod support;
use support::DEFAULTS;

const CARD: &str = "wifi_ssid=Lab Net\nwifi_psk=correct horse\nwifi_country=DE\nSYSTEM_STATS_FORWARD_TOKEN=tok-secret-1\nMONITORING_SERVER_METRICS_URL=http://10.0.2.2:5050/m\nSYSTEM_STATS_PORT=8080\n";

fn bootconf(dir: &Path, args: &[&str]) -> Output {
    support::bootconf(dir)
        .args(["--no-systemctl", "--root"])
        .arg(dir)
        .args(args)
        .output()
        .expect("run system-stats-bootconf")
}

/// Every file under `dir` but the card and the report of what was applied, by path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if !p.to_string_lossy().contains("system-stats.conf")
                && !p.ends_with("result/result.json")
            {
                files.insert(p.display().to_string(), fs::read(&p).expect("read"));
            }
        }
    }
    files
}

/// What the first boot does with `--image-keys`' Wi-Fi lines: the file
/// `wifi-config` writes (the name in hex, a derived key).
fn first_boot_wifi(dir: &Path, image_keys: &str) {
    let get = |k: &str| {
        image_keys
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(str::to_string)
    };
    let Some(ssid) = get("wifi_ssid") else {
        return;
    };
    let hex: String = ssid.bytes().map(|b| format!("{b:02x}")).collect();
    let psk =
        get("wifi_psk").map(|p| format!("\tkey_mgmt=WPA-PSK\n\tpsk=derived-from-{}\n", p.len()));
    let wpa = dir.join("etc/wpa_supplicant");
    fs::create_dir_all(&wpa).expect("mkdir");
    fs::write(
        wpa.join("wpa_supplicant-wlan0.conf"),
        format!(
            "network={{\n\tssid={hex}\n{}}}\n",
            psk.unwrap_or("\tkey_mgmt=NONE\n".into())
        ),
    )
    .expect("write wpa config");
}

#[test]
fn applying_the_renamed_back_applied_file_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::write(d.join("default"), DEFAULTS).expect("defaults");
    fs::write(d.join("system-stats.conf"), CARD).expect("card");

    let keys = bootconf(d, &["--image-keys"]);
    let keys = String::from_utf8_lossy(&keys.stdout).into_owned();
    assert!(keys.contains("wifi_psk=correct horse"), "{keys}");
    first_boot_wifi(d, &keys);
    let out = bootconf(d, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let applied = fs::read_to_string(d.join("system-stats.conf.applied")).expect(".applied");
    assert!(!applied.contains("correct horse") && !applied.contains("tok-secret-1"));
    let before = snapshot(d);
    assert!(before
        .keys()
        .any(|k| k.ends_with("credstore/SYSTEM_STATS_FORWARD_TOKEN")));

    fs::rename(
        d.join("system-stats.conf.applied"),
        d.join("system-stats.conf"),
    )
    .expect("rename back");
    let again = bootconf(d, &["--image-keys"]);
    let again_keys = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        !again_keys.contains("wifi_"),
        "the first boot must leave the Wi-Fi alone: {again_keys}"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("unchanged, its passphrase is kept"));
    first_boot_wifi(d, &again_keys);
    let out = bootconf(d, &[]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("SYSTEM_STATS_FORWARD_TOKEN: kept as it is")
    );

    let applied_again = fs::read_to_string(d.join("system-stats.conf.applied")).expect(".applied");
    assert!(applied.contains("# wifi_psk=<removed after applying>\n#> applied\n"));
    for kept in ["wifi_psk", "SYSTEM_STATS_FORWARD_TOKEN"] {
        let line = format!("# {kept}=<removed after applying>\n#> kept as it is\n");
        assert!(applied_again.contains(&line), "{applied_again}");
    }
    assert_eq!(
        applied_again.matches("#> ").count(),
        applied.matches("#> ").count()
    );
    let after = snapshot(d);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{path} changed on re-applying");
    }
    let wpa =
        fs::read_to_string(d.join("etc/wpa_supplicant/wpa_supplicant-wlan0.conf")).expect("wpa");
    assert!(wpa.contains("psk=") && !wpa.contains("key_mgmt=NONE"));
}

#[test]
fn another_network_without_its_passphrase_is_refused_not_made_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    first_boot_wifi(d, "wifi_ssid=Lab Net\nwifi_psk=correct horse\n");
    fs::write(
        d.join("system-stats.conf"),
        "wifi_ssid=Other\n# wifi_psk=<removed after applying>\n",
    )
    .expect("card");
    let out = bootconf(d, &["--image-keys"]);
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("write wifi_psk again"));
}
