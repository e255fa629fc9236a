//! Pure parser for `/proc/cpuinfo`, keeping the trailing board block that ARM
//! kernels print after the processors (Hardware, Revision, Serial, Model),
//! which the procfs crate's parser skips.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuInfo {
    /// One map per "processor" block.
    pub processors: Vec<BTreeMap<String, String>>,
    /// Keys outside any processor block (ARM board info).
    pub board: BTreeMap<String, String>,
}

impl CpuInfo {
    pub fn parse(text: &str) -> CpuInfo {
        let mut info = CpuInfo::default();
        let mut current: Option<BTreeMap<String, String>> = None;
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                if line.trim().is_empty() {
                    if let Some(block) = current.take() {
                        info.processors.push(block);
                    }
                }
                continue;
            };
            let key = key.trim().to_string();
            let value = value.trim().to_string();
            if key == "processor" {
                if let Some(block) = current.take() {
                    info.processors.push(block);
                }
                current = Some(BTreeMap::new());
            }
            match current.as_mut() {
                Some(block) => {
                    block.insert(key, value);
                }
                None => {
                    info.board.insert(key, value);
                }
            }
        }
        if let Some(block) = current.take() {
            info.processors.push(block);
        }
        info
    }

    /// The first non-empty value of `key` in any processor block.
    pub fn processor_field(&self, key: &str) -> Option<&str> {
        self.processors
            .iter()
            .filter_map(|p| p.get(key))
            .map(|v| v.as_str())
            .find(|v| !v.is_empty())
    }

    pub fn board_field(&self, key: &str) -> Option<&str> {
        self.board
            .get(key)
            .map(|v| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// CPU model: "model name" (x86, 32-bit ARM), else the board's "Model"
    /// or "Hardware" (64-bit ARM kernels print no model name), else the
    /// device-tree model (what Raspberry Pi kernels print as "Model", and
    /// all Debian's mainline arm64 kernel has), else the core decoded from
    /// "CPU implementer"/"CPU part" (an arm64 server without a device tree).
    pub fn processor_name(&self, device_tree_model: Option<&str>) -> Option<String> {
        self.processor_field("model name")
            .or_else(|| self.board_field("Model"))
            .or_else(|| self.board_field("Hardware"))
            .or_else(|| self.processor_field("cpu model"))
            .or(device_tree_model.filter(|m| !m.is_empty()))
            .or_else(|| {
                super::midr::core_name(
                    self.processor_field("CPU implementer")?,
                    self.processor_field("CPU part")?,
                )
            })
            .map(str::to_string)
    }

    /// Distinct (physical id, core id) pairs, when the kernel prints them.
    pub fn physical_cores(&self) -> Option<u32> {
        let mut pairs = std::collections::BTreeSet::new();
        for p in &self.processors {
            if let (Some(pkg), Some(core)) = (p.get("physical id"), p.get("core id")) {
                pairs.insert((pkg.clone(), core.clone()));
            }
        }
        (!pairs.is_empty()).then_some(pairs.len() as u32)
    }

    /// Average "cpu MHz" over processors that report it.
    pub fn average_mhz(&self) -> Option<f64> {
        let values: Vec<f64> = self
            .processors
            .iter()
            .filter_map(|p| p.get("cpu MHz")?.parse::<f64>().ok())
            .collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PI4: &str = "processor\t: 0\nBogoMIPS\t: 108.00\nCPU part\t: 0xd08\n\n\
processor\t: 1\nBogoMIPS\t: 108.00\n\n\
Revision\t: c03114\nSerial\t\t: 10000000abcdef12\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n";

    const X86: &str = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU\nphysical id\t: 0\ncore id\t\t: 0\ncpu MHz\t\t: 2000.000\n\n\
processor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU\nphysical id\t: 0\ncore id\t\t: 0\ncpu MHz\t\t: 3000.000\n\n";

    #[test]
    fn arm64_board_block_is_kept() {
        let info = CpuInfo::parse(PI4);
        assert_eq!(info.processors.len(), 2);
        assert_eq!(info.board_field("Revision"), Some("c03114"));
        assert_eq!(info.board_field("Serial"), Some("10000000abcdef12"));
        assert_eq!(
            info.processor_name(None).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        assert_eq!(info.physical_cores(), None);
    }

    #[test]
    fn x86_model_cores_and_mhz() {
        let info = CpuInfo::parse(X86);
        assert_eq!(
            info.processor_name(None).as_deref(),
            Some("Intel(R) Xeon(R) CPU")
        );
        assert_eq!(info.physical_cores(), Some(1));
        assert_eq!(info.average_mhz(), Some(2500.0));
    }

    /// Debian's mainline arm64 kernel on a Pi 4: no "model name", no board block.
    const MAINLINE_ARM64: &str = "processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n\
CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n\
processor\t: 1\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n\n";

    #[test]
    fn mainline_arm64_uses_the_device_tree_model_else_the_core() {
        let info = CpuInfo::parse(MAINLINE_ARM64);
        assert_eq!(
            info.processor_name(Some("Raspberry Pi 4 Model B Rev 1.4"))
                .as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        assert_eq!(info.processor_name(None).as_deref(), Some("Cortex-A72"));
        assert_eq!(info.processor_name(Some("")).as_deref(), Some("Cortex-A72"));
        // a board line or a model name still wins over both
        assert_eq!(
            CpuInfo::parse(PI4).processor_name(Some("other")).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        assert_eq!(
            CpuInfo::parse(X86).processor_name(Some("other")).as_deref(),
            Some("Intel(R) Xeon(R) CPU")
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in ["", ":", "\n\n::\n", "processor", "x:y\n\nprocessor:1"] {
            let _ = CpuInfo::parse(input);
        }
    }
}
