//! Every procfs/sysfs parser fed hostile input: random bytes, truncated and
//! mutated real files. None may panic; each must return a value or None.
//! (The same entry point is a cargo-fuzz target in `fuzz/` for longer runs.)
#![cfg(target_os = "linux")]

use system_stats_agent::platform::linux::parse_every_source;

/// A small deterministic PRNG (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn fixture_files() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for tree in ["pi4", "pi3b-armv7", "host-x86_64"] {
        for rel in [
            "proc/stat",
            "proc/meminfo",
            "proc/cpuinfo",
            "proc/diskstats",
            "proc/net/dev",
            "proc/net/route",
            "proc/loadavg",
            "proc/vmstat",
        ] {
            if let Ok(bytes) = std::fs::read(root.join(tree).join(rel)) {
                out.push(bytes);
            }
        }
    }
    assert!(out.len() >= 20, "fixtures present");
    out
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    for _ in 0..3000 {
        let len = (rng.next() % 512) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        parse_every_source(&bytes);
    }
}

#[test]
fn truncated_and_mutated_real_files_never_panic() {
    let mut rng = Rng(0xfeed_beef_0bad_f00d);
    for original in fixture_files() {
        for cut in (0..original.len()).step_by(7) {
            parse_every_source(&original[..cut]);
        }
        for _ in 0..200 {
            let mut m = original.clone();
            for _ in 0..1 + rng.next() % 8 {
                let i = (rng.next() as usize) % m.len().max(1);
                if let Some(b) = m.get_mut(i) {
                    *b = match rng.next() % 4 {
                        0 => b':',
                        1 => b'\n',
                        2 => b'9',
                        _ => rng.next() as u8,
                    };
                }
            }
            parse_every_source(&m);
        }
    }
}
