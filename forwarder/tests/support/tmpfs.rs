//! A small tmpfs mounted for one test (a full or read-only disk on
//! demand), unmounted when dropped. Mounting needs root: where it is
//! impossible the test says so and is skipped.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mount a tmpfs of `size` (e.g. "64k"); `None` (after printing why)
    /// when this machine does not allow it.
    pub fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs { dir }),
            Ok(out) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs (needs root): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount: {e}");
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `mount -o remount,<how>`, retried while the kernel says busy (a
    /// file open for writing at that instant blocks going read-only).
    pub fn remount(&self, how: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = Command::new("mount")
                .args(["-o", &format!("remount,{how}")])
                .arg(self.path())
                .output()
                .expect("run mount");
            if out.status.success() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "remount,{how}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Bytes used by the files under `dir` (recursively).
    pub fn usage(dir: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .filter_map(Result::ok)
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => Tmpfs::usage(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a forwarder still holding its lock must not keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}
