//! The operating system: `uptime`, `system` (host, kernel, platform,
//! model) and `os_release`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Uptime {
    pub seconds: u64,
    pub boot_time: String,
    pub human: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct System {
    pub hostname: Option<String>,
    pub os: String,
    pub os_release: Option<String>,
    pub os_version: Option<String>,
    pub architecture: Option<String>,
    pub platform: Option<String>,
    pub model: Option<String>,
    /// The kernel's clock is synchronized to a time source (`adjtimex`: no
    /// `TIME_ERROR`, no `STA_UNSYNC`); null where that is unknown (macOS).
    pub clock_synchronized: Option<bool>,
}

/// `/etc/os-release` (else `/usr/lib/os-release`); absent keys are null.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct OsRelease {
    pub pretty_name: Option<String>,
    pub name: Option<String>,
    pub id: Option<String>,
    pub id_like: Option<String>,
    pub version: Option<String>,
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    pub build_id: Option<String>,
    pub variant: Option<String>,
    pub variant_id: Option<String>,
    pub image_id: Option<String>,
    pub image_version: Option<String>,
}
