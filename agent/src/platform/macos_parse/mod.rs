//! Pure parsing for the macOS collector. Compiled on every platform so the
//! arithmetic and byte layouts are unit-tested on Linux; the macOS shim
//! (`platform::macos`) only fetches raw values and hands them here.
//!
//! Semantics follow psutil on macOS (virtual_memory, swap_memory,
//! net_io_counters, boot_time) and Python's `platform.platform()`.

pub mod clock;
pub mod identity;
pub mod memory;
pub mod network;

pub use clock::{boot_time_from_text, boot_time_from_timeval, load_avg};
pub use identity::{
    cpu_reading, hz_to_mhz, non_empty, platform_string, uname_processor, CoreTicks,
};
pub use memory::{
    memory, swap, swap_usage_from_struct, swap_usage_from_text, SwapUsage, VmPages, XSW_USAGE_LEN,
};
pub use network::{ifmsg, interfaces, io_counters, parse_iflist2, primary_interface, IfInfo};
