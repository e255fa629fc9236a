//! Clock values: boot time from `kern.boottime` (raw `timeval` or sysctl
//! text) and getloadavg(3) load averages (uptime is `shared::uptime`).

use crate::snapshot::LoadAvg;

/// `kern.boottime` as the sysctl crate 0.6 returns it on macOS: the raw
/// `struct timeval` (`CtlValue::Struct`): 16 bytes (i64 tv_sec, i32 tv_usec,
/// padding) on 64-bit, 8 bytes (i32, i32) on 32-bit. Unix seconds.
pub fn boot_time_from_timeval(bytes: &[u8]) -> Option<u64> {
    let sec = match bytes.len() {
        n if n >= 16 => i64::from_le_bytes(bytes[..8].try_into().ok()?),
        n if n >= 8 => i32::from_le_bytes(bytes[..4].try_into().ok()?) as i64,
        _ => return None,
    };
    u64::try_from(sec).ok().filter(|s| *s > 0)
}

/// The text form `sysctl kern.boottime` prints:
/// "{ sec = 1695471234, usec = 123456 } Sat Sep 23 14:13:54 2023".
pub fn boot_time_from_text(text: &str) -> Option<u64> {
    let rest = &text[text.find("sec")? + 3..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok().filter(|s| *s > 0)
}

/// getloadavg(3) values rounded to two decimals.
pub fn load_avg(values: [f64; 3]) -> Option<LoadAvg> {
    if values.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let r2 = |v: f64| (v * 100.0).round() / 100.0;
    Some(LoadAvg {
        load1: r2(values[0]),
        load5: r2(values[1]),
        load15: r2(values[2]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boottime_forms() {
        let mut tv = Vec::new();
        tv.extend_from_slice(&1_695_471_234i64.to_le_bytes());
        tv.extend_from_slice(&123_456i32.to_le_bytes());
        tv.extend_from_slice(&[0; 4]);
        assert_eq!(boot_time_from_timeval(&tv), Some(1_695_471_234));
        let mut tv32 = Vec::new();
        tv32.extend_from_slice(&1_695_471_234i32.to_le_bytes());
        tv32.extend_from_slice(&5i32.to_le_bytes());
        assert_eq!(boot_time_from_timeval(&tv32), Some(1_695_471_234));
        assert_eq!(boot_time_from_timeval(&[1, 2, 3]), None);
        assert_eq!(boot_time_from_timeval(&[0; 16]), None);
        assert_eq!(
            boot_time_from_timeval(&(-5i64).to_le_bytes().repeat(2)),
            None
        );

        assert_eq!(
            boot_time_from_text("{ sec = 1695471234, usec = 123456 } Sat Sep 23 14:13:54 2023"),
            Some(1_695_471_234)
        );
        assert_eq!(boot_time_from_text("{ sec=42, usec=0 }"), Some(42));
        assert_eq!(boot_time_from_text("nonsense"), None);
        assert_eq!(boot_time_from_text("{ sec = , usec = 1 }"), None);
    }

    #[test]
    fn load_averages_round_to_two_decimals() {
        let l = load_avg([1.234, 0.5, 0.005]).unwrap();
        assert_eq!((l.load1, l.load5, l.load15), (1.23, 0.5, 0.01));
        assert!(load_avg([f64::NAN, 0.0, 0.0]).is_none());
    }
}
