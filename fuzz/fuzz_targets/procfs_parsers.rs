//! Fuzz every procfs/sysfs parser with the same input: `cargo +nightly fuzz run procfs_parsers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    system_stats_agent::platform::linux::parse_every_source(data);
});
