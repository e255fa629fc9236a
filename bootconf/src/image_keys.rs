//! The appliance image's keys of `system-stats.conf` (host name, time zone,
//! SSH key, Wi-Fi, apt repository, and the web password bootconf applies) and how each value is judged: the same
//! verdict for `--check` and for the first boot, which applies only what
//! passed here. Pure, except the time zone, which must exist under the root.

use std::path::Path;
use system_stats_common::settings::validators;

/// The image keys and whether each is a secret.
pub const IMAGE_KEYS: &[(&str, bool)] = &[
    ("hostname", false),
    ("ssh_authorized_key", false),
    ("wifi_ssid", false),
    ("wifi_psk", true),
    ("wifi_country", false),
    ("wifi_open", false),
    ("timezone", false),
    ("apt_repo_url", false),
    ("web_password", true),
];

/// The verdict on one value, alone (the Wi-Fi keys are also judged together:
/// [`wifi_problems`]).
pub fn check(key: &str, value: &str) -> Result<(), String> {
    match key {
        "hostname" => hostname(value),
        "timezone" => timezone_name(value),
        "ssh_authorized_key" => ssh_key(value),
        "wifi_ssid" => match value.len() {
            1..=32 => Ok(()),
            _ => Err("a network name has 1 to 32 bytes".into()),
        },
        "wifi_psk" => psk(value),
        "wifi_country" => {
            if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
                Ok(())
            } else {
                Err(format!(
                    "{value:?} is not a two-letter country code (e.g. DE, GB, US)"
                ))
            }
        }
        "wifi_open" => match value.to_ascii_lowercase().as_str() {
            "yes" | "no" => Ok(()),
            _ => Err(format!("{value:?} is not yes or no")),
        },
        "web_password" => match value.len() {
            8..=72 => Ok(()),
            _ => Err("a web password has 8 to 72 characters".into()),
        },
        "apt_repo_url" => validators::http_url(value)
            .map(drop)
            .map_err(|why| format!("{value:?} is not valid: expected {why}")),
        _ => Ok(()),
    }
}

/// A host name: one RFC 1123 label.
fn hostname(v: &str) -> Result<(), String> {
    let chars_ok = v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if (1..=63).contains(&v.len()) && chars_ok && !v.starts_with('-') && !v.ends_with('-') {
        return Ok(());
    }
    Err(format!(
        "{v:?} is not a host name: use 1 to 63 letters, digits and '-' (no '_', '.' or spaces), not starting or ending with '-'"
    ))
}

fn timezone_name(v: &str) -> Result<(), String> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
    };
    if v.split('/').all(part_ok) {
        Ok(())
    } else {
        Err(format!(
            "{v:?} is not a time zone name (e.g. Europe/Berlin)"
        ))
    }
}

/// The time zone must exist in the system's database under `root`.
pub fn timezone_exists(v: &str, root: &Path) -> Result<(), String> {
    timezone_name(v)?;
    if root.join("usr/share/zoneinfo").join(v).is_file() {
        Ok(())
    } else {
        Err(format!(
            "{v:?} is not a time zone of /usr/share/zoneinfo (e.g. Europe/Berlin)"
        ))
    }
}

const SSH_KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

fn ssh_key(v: &str) -> Result<(), String> {
    let mut parts = v.split_whitespace();
    let kind = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let base64 = body.len() >= 16
        && body.starts_with("AAAA")
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
    if SSH_KEY_TYPES.contains(&kind) && base64 {
        Ok(())
    } else {
        Err("not an SSH public key line (ssh-ed25519 AAAA... comment)".into())
    }
}

/// A WPA passphrase (8 to 63 printable ASCII characters) or a 64-digit hex key.
fn psk(v: &str) -> Result<(), String> {
    let printable = v.chars().all(|c| c.is_ascii() && !c.is_ascii_control());
    let hex = v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit());
    if hex || (printable && (8..=63).contains(&v.len())) {
        Ok(())
    } else {
        Err("a WPA passphrase has 8 to 63 ASCII characters".into())
    }
}

/// The Wi-Fi configuration the first boot writes (`wifi-config`).
pub const WPA_CONFIG: &str = "etc/wpa_supplicant/wpa_supplicant-wlan0.conf";

/// Whether the Wi-Fi configuration under `root` is for network `ssid` (it
/// holds the name in hex, as `wifi-config` writes it).
pub fn wifi_in_use(ssid: &str, root: &Path) -> bool {
    let hex: String = ssid.bytes().map(|b| format!("{b:02x}")).collect();
    std::fs::read_to_string(root.join(WPA_CONFIG))
        .is_ok_and(|c| c.lines().any(|l| l.trim() == format!("ssid={hex}")))
}

/// The Wi-Fi keys judged together (each value already valid alone): a
/// network needs a passphrase, or `wifi_open=yes` to be an open network.
/// Returns the keys refused and why.
pub fn wifi_problems(
    ssid: Option<&str>,
    psk: Option<&str>,
    open: Option<&str>,
) -> Vec<(&'static str, String)> {
    let open = open.is_some_and(|o| o.eq_ignore_ascii_case("yes"));
    let psk = psk.filter(|p| !p.is_empty());
    match (ssid.filter(|s| !s.is_empty()), psk, open) {
        (Some(_), None, false) => vec![(
            "wifi_ssid",
            "no wifi_psk: set the network's passphrase, or wifi_open=yes for an open network (the Wi-Fi settings in use are kept)".into(),
        )],
        (Some(_), Some(_), true) => vec![(
            "wifi_open",
            "wifi_open=yes with a wifi_psk: remove one of them (the Wi-Fi settings in use are kept)".into(),
        )],
        (None, Some(_), _) => vec![("wifi_psk", "no wifi_ssid to use it with".into())],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert!(check("hostname", "pi-lab1").is_ok());
        let e = check("hostname", "my_pi").unwrap_err();
        assert!(
            e.contains("\"my_pi\" is not a host name") && e.contains("'_'"),
            "{e}"
        );
        assert!(check("hostname", "-pi").is_err() && check("hostname", &"a".repeat(64)).is_err());
    }

    #[test]
    fn time_zones_must_exist_under_the_root() {
        let root = tempfile::tempdir().unwrap();
        let zi = root.path().join("usr/share/zoneinfo/Europe");
        std::fs::create_dir_all(&zi).unwrap();
        std::fs::write(zi.join("Berlin"), "TZif").unwrap();
        assert!(timezone_exists("Europe/Berlin", root.path()).is_ok());
        assert!(timezone_exists("Europe/Atlantis", root.path()).is_err());
        assert!(timezone_exists("../../etc/passwd", root.path()).is_err());
    }

    #[test]
    fn wifi_values_and_combinations() {
        assert!(check("wifi_psk", "short").is_err());
        assert!(check("wifi_psk", "correct horse").is_ok());
        assert!(check("wifi_country", "DEU").is_err());
        assert!(check("wifi_ssid", &"x".repeat(33)).is_err());
        assert!(wifi_problems(Some("net"), Some("correct horse"), None).is_empty());
        assert!(wifi_problems(Some("cafe"), None, Some("yes")).is_empty());
        assert_eq!(wifi_problems(Some("net"), None, None)[0].0, "wifi_ssid");
        assert_eq!(
            wifi_problems(Some("net"), Some("pw123456"), Some("yes"))[0].0,
            "wifi_open"
        );
    }

    #[test]
    fn ssh_keys_and_apt_urls() {
        assert!(check(
            "ssh_authorized_key",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB me@laptop"
        )
        .is_ok());
        assert!(check("ssh_authorized_key", "hello").is_err());
        assert!(check("apt_repo_url", "https://apt.example/debian").is_ok());
        assert!(check("apt_repo_url", "ftp://x").is_err());
    }
}
