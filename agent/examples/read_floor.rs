//! The floor under a collection, for `make bench` (scripts/bench-lone.sh):
//! opens, reads (4 KiB at a time) and closes every file of a list, the list
//! a traced lone `/system` or `/metrics` collection opened, PASSES times
//! 0.4 s apart, and prints the process CPU time per pass in ms. Directories
//! in the list are listed instead; `statfs:PATH` lines are statvfs calls.
//!
//! Usage: read_floor LIST PASSES

use std::io::Read;
use std::time::Duration;

/// CPU time of this process (user + system), ns.
fn cpu_ns() -> u128 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the one we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as u128 * 1_000_000_000 + t.tv_nsec as u128
}

fn pass(paths: &[String], buf: &mut [u8]) -> usize {
    let mut bytes = 0;
    for p in paths {
        if let Some(fs) = p.strip_prefix("statfs:") {
            let _ = rustix::fs::statvfs(fs);
        } else if let Ok(mut f) = std::fs::File::open(p) {
            while let Ok(n) = f.read(buf) {
                if n == 0 {
                    break;
                }
                bytes += n;
            }
        } else if let Ok(entries) = std::fs::read_dir(p) {
            bytes += entries.count();
        }
    }
    bytes
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(list), Some(passes)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: read_floor LIST PASSES");
        return std::process::ExitCode::from(2);
    };
    let Ok(passes) = passes.parse::<u32>() else {
        eprintln!("read_floor: PASSES must be a whole number, not {passes:?}");
        return std::process::ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(list) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("read_floor: cannot read {list}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let paths: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let mut buf = vec![0u8; 4096];
    let mut total = 0;
    for _ in 0..passes.max(1) {
        let t0 = cpu_ns();
        std::hint::black_box(pass(&paths, &mut buf));
        total += cpu_ns() - t0;
        std::thread::sleep(Duration::from_millis(400));
    }
    println!("{:.3}", total as f64 / passes.max(1) as f64 / 1e6);
    std::process::ExitCode::SUCCESS
}
