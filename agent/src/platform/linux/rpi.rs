//! Raspberry Pi board health: the firmware's `get_throttled` bitfield, the
//! `rpi_volt` under-voltage alarm, and SD/eMMC wear. Decoders are pure;
//! file locations are discovered on the slow cadence.

use super::files::{list_dir, Roots};
use crate::snapshot::{MmcWear, RaspberryPi, Throttled};

/// Board identity read once (device tree and cpuinfo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    pub model: Option<String>,
    pub revision: Option<String>,
    pub serial: Option<String>,
}

/// Where the health files are, when this is a Pi.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PiFiles {
    pub throttled: Option<String>,
    pub volt_alarm: Option<String>,
    pub storage: Vec<MmcWear>,
}

/// Decode `get_throttled` (hex, with or without `0x`): bits 0-3 are the
/// conditions now, bits 16-19 whether each happened since boot.
pub fn decode_throttled(text: &str) -> Option<Throttled> {
    let raw = text.trim().trim_end_matches('\0').trim();
    let hex = raw
        .strip_prefix("0x")
        .or_else(|| raw.strip_prefix("0X"))
        .unwrap_or(raw);
    let value = u32::from_str_radix(hex, 16).ok()?;
    let bit = |n: u32| value & (1 << n) != 0;
    Some(Throttled {
        raw: raw.to_string(),
        value,
        under_voltage_now: bit(0),
        arm_frequency_capped_now: bit(1),
        throttled_now: bit(2),
        soft_temperature_limit_now: bit(3),
        under_voltage_since_boot: bit(16),
        arm_frequency_capped_since_boot: bit(17),
        throttled_since_boot: bit(18),
        soft_temperature_limit_since_boot: bit(19),
    })
}

/// `0x01` → 1.
pub fn parse_hex_u8(text: &str) -> Option<u8> {
    let t = text.trim();
    u8::from_str_radix(t.strip_prefix("0x").unwrap_or(t), 16).ok()
}

/// eMMC `life_time`: `0x01 0x02` → [1, 2] (types A and B).
pub fn parse_life_time(text: &str) -> Option<[u8; 2]> {
    let mut it = text.split_whitespace().map(parse_hex_u8);
    match (it.next(), it.next()) {
        (Some(Some(a)), Some(Some(b))) => Some([a, b]),
        _ => None,
    }
}

/// A Pi when the model says so or the firmware exposes `get_throttled`.
pub fn is_raspberry_pi(board: &Board, files: &PiFiles) -> bool {
    board
        .model
        .as_deref()
        .is_some_and(|m| m.starts_with("Raspberry Pi"))
        || files.throttled.is_some()
}

/// `get_throttled` under any `soc*/soc*:firmware` platform device (Pi 0-4
/// use `soc/soc:firmware`, Pi 5 `soc@107c000000/...`).
fn find_throttled(roots: &Roots) -> Option<String> {
    let fixed = "devices/platform/soc/soc:firmware/get_throttled";
    if roots.sys_exists(fixed) {
        return Some(fixed.into());
    }
    for soc in list_dir(&roots.sys_path("devices/platform"))
        .into_iter()
        .filter(|n| n.starts_with("soc"))
    {
        for fw in list_dir(&roots.sys_path(&format!("devices/platform/{soc}")))
            .into_iter()
            .filter(|n| n.ends_with(":firmware"))
        {
            let rel = format!("devices/platform/{soc}/{fw}/get_throttled");
            if roots.sys_exists(&rel) {
                return Some(rel);
            }
        }
    }
    None
}

/// The `rpi_volt` hwmon chip's `in0_lcrit_alarm`.
fn find_volt_alarm(roots: &Roots) -> Option<String> {
    list_dir(&roots.sys_path("class/hwmon"))
        .into_iter()
        .map(|d| format!("class/hwmon/{d}"))
        .find(|base| roots.sys_value(&format!("{base}/name")).as_deref() == Some("rpi_volt"))
        .map(|base| format!("{base}/in0_lcrit_alarm"))
        .filter(|rel| roots.sys_exists(rel))
}

/// SD cards and eMMC under `/sys/class/mmc_host/mmcN/mmcN:RCA`.
pub fn mmc_cards(roots: &Roots) -> Vec<MmcWear> {
    let mut out = Vec::new();
    for host in list_dir(&roots.sys_path("class/mmc_host")) {
        let prefix = format!("{host}:");
        for card in list_dir(&roots.sys_path(&format!("class/mmc_host/{host}")))
            .into_iter()
            .filter(|c| c.starts_with(&prefix))
        {
            let value = |f: &str| {
                roots
                    .sys_value(&format!("class/mmc_host/{host}/{card}/{f}"))
                    .filter(|v| !v.is_empty())
            };
            out.push(MmcWear {
                name: value("name"),
                kind: value("type"),
                pre_eol_info: value("pre_eol_info").and_then(|v| parse_hex_u8(&v)),
                life_time: value("life_time").and_then(|v| parse_life_time(&v)),
                device: card,
            });
        }
    }
    out
}

pub fn discover(roots: &Roots) -> PiFiles {
    PiFiles {
        throttled: find_throttled(roots),
        volt_alarm: find_volt_alarm(roots),
        storage: mmc_cards(roots),
    }
}

/// The `raspberry_pi` section; None on other hardware.
pub fn read(roots: &Roots, board: &Board, files: &PiFiles) -> Option<RaspberryPi> {
    if !is_raspberry_pi(board, files) {
        return None;
    }
    Some(RaspberryPi {
        model: board.model.clone(),
        revision: board.revision.clone(),
        serial: board.serial.clone(),
        throttled: files
            .throttled
            .as_deref()
            .and_then(|rel| roots.sys(rel))
            .and_then(|t| decode_throttled(&t)),
        under_voltage_alarm: files
            .volt_alarm
            .as_deref()
            .and_then(|rel| roots.sys_value(rel))
            .and_then(|v| match v.as_str() {
                "0" => Some(false),
                "1" => Some(true),
                _ => None,
            }),
        storage: files.storage.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_50005_is_under_voltage_and_throttled_now_and_since_boot() {
        let t = decode_throttled("50005\n").expect("hex");
        assert_eq!(t.raw, "50005");
        assert_eq!(t.value, 0x50005);
        assert_eq!(t.value, 327_685);
        assert!(t.under_voltage_now && t.throttled_now);
        assert!(!t.arm_frequency_capped_now && !t.soft_temperature_limit_now);
        assert!(t.under_voltage_since_boot && t.throttled_since_boot);
        assert!(!t.arm_frequency_capped_since_boot && !t.soft_temperature_limit_since_boot);
    }

    #[test]
    fn throttled_every_bit_and_prefix() {
        let t = decode_throttled("0xf000a").expect("hex");
        assert_eq!(t.value, 0xf000a);
        assert!(!t.under_voltage_now && t.arm_frequency_capped_now);
        assert!(!t.throttled_now && t.soft_temperature_limit_now);
        assert!(t.under_voltage_since_boot && t.arm_frequency_capped_since_boot);
        assert!(t.throttled_since_boot && t.soft_temperature_limit_since_boot);
        assert_eq!(decode_throttled("0").map(|t| t.value), Some(0));
        assert_eq!(decode_throttled(""), None);
        assert_eq!(decode_throttled("zz"), None);
    }

    #[test]
    fn emmc_wear_fields() {
        assert_eq!(parse_hex_u8("0x01\n"), Some(1));
        assert_eq!(parse_life_time("0x01 0x0b\n"), Some([1, 11]));
        assert_eq!(parse_life_time("0x01"), None);
        assert_eq!(parse_life_time("junk junk"), None);
    }

    #[test]
    fn pi_detection() {
        let pi = Board {
            model: Some("Raspberry Pi 4 Model B Rev 1.4".into()),
            ..Default::default()
        };
        assert!(is_raspberry_pi(&pi, &PiFiles::default()));
        let other = Board {
            model: Some("Standard PC (Q35 + ICH9, 2009)".into()),
            ..Default::default()
        };
        assert!(!is_raspberry_pi(&other, &PiFiles::default()));
        let firmware = PiFiles {
            throttled: Some("x".into()),
            ..Default::default()
        };
        assert!(is_raspberry_pi(&Board::default(), &firmware));
    }
}
