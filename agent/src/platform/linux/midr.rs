//! CPU core names from the ARM Main ID Register fields that every ARM
//! kernel prints in `/proc/cpuinfo` ("CPU implementer", "CPU part"), as
//! lscpu decodes them: Debian's mainline arm64 kernel prints neither
//! "model name" nor the board's "Model", so this is what names the core.

/// ARM Ltd's (implementer 0x41) parts, from util-linux's lscpu-arm table.
const ARM_PARTS: &[(u32, &str)] = &[
    (0xb02, "ARM11 MPCore"),
    (0xb36, "ARM1136"),
    (0xb56, "ARM1156"),
    (0xb76, "ARM1176"),
    (0xc05, "Cortex-A5"),
    (0xc07, "Cortex-A7"),
    (0xc08, "Cortex-A8"),
    (0xc09, "Cortex-A9"),
    (0xc0d, "Cortex-A17"),
    (0xc0e, "Cortex-A17"),
    (0xc0f, "Cortex-A15"),
    (0xc14, "Cortex-R4"),
    (0xc15, "Cortex-R5"),
    (0xc17, "Cortex-R7"),
    (0xc18, "Cortex-R8"),
    (0xd01, "Cortex-A32"),
    (0xd02, "Cortex-A34"),
    (0xd03, "Cortex-A53"),
    (0xd04, "Cortex-A35"),
    (0xd05, "Cortex-A55"),
    (0xd06, "Cortex-A65"),
    (0xd07, "Cortex-A57"),
    (0xd08, "Cortex-A72"),
    (0xd09, "Cortex-A73"),
    (0xd0a, "Cortex-A75"),
    (0xd0b, "Cortex-A76"),
    (0xd0c, "Neoverse-N1"),
    (0xd0d, "Cortex-A77"),
    (0xd0e, "Cortex-A76AE"),
    (0xd40, "Neoverse-V1"),
    (0xd41, "Cortex-A78"),
    (0xd42, "Cortex-A78AE"),
    (0xd43, "Cortex-A65AE"),
    (0xd44, "Cortex-X1"),
    (0xd46, "Cortex-A510"),
    (0xd47, "Cortex-A710"),
    (0xd48, "Cortex-X2"),
    (0xd49, "Neoverse-N2"),
    (0xd4a, "Neoverse-E1"),
    (0xd4b, "Cortex-A78C"),
    (0xd4c, "Cortex-X1C"),
    (0xd4d, "Cortex-A715"),
    (0xd4e, "Cortex-X3"),
    (0xd4f, "Neoverse-V2"),
    (0xd80, "Cortex-A520"),
    (0xd81, "Cortex-A720"),
    (0xd82, "Cortex-X4"),
];

fn hex(value: &str) -> Option<u32> {
    let v = value.trim();
    u32::from_str_radix(v.strip_prefix("0x").unwrap_or(v), 16).ok()
}

/// The core's name for a "CPU implementer" / "CPU part" pair; None for
/// parts and implementers the table does not know.
pub fn core_name(implementer: &str, part: &str) -> Option<&'static str> {
    if hex(implementer)? != 0x41 {
        return None;
    }
    let part = hex(part)?;
    ARM_PARTS
        .iter()
        .find(|(p, _)| *p == part)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_parts_decode_as_lscpu_does() {
        assert_eq!(core_name("0x41", "0xd08"), Some("Cortex-A72"));
        assert_eq!(core_name("0x41", "0xd03"), Some("Cortex-A53"));
        assert_eq!(core_name("0x41", "0xd0b"), Some("Cortex-A76"));
        assert_eq!(core_name("0x41", "0xc07"), Some("Cortex-A7"));
        assert_eq!(core_name(" 0x41 ", "0xD08"), Some("Cortex-A72"));
    }

    #[test]
    fn unknown_or_garbage_is_none() {
        assert_eq!(core_name("0x41", "0xfff"), None);
        assert_eq!(core_name("0x51", "0xd08"), None); // Qualcomm: not ARM's table
        assert_eq!(core_name("x", "0xd08"), None);
        assert_eq!(core_name("0x41", ""), None);
    }
}
