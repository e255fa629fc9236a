//! statvfs with a deadline for network filesystems. When an NFS/CIFS server
//! goes away, statvfs on its mount blocks in the kernel, possibly for ever;
//! such a call runs on a helper thread, and a mount whose call has not
//! returned by the deadline is reported as unreadable (and not asked again)
//! until that call finally returns — node_exporter's "stuck mount" rule.

use super::files::statvfs;
use crate::snapshot::FsStat;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Filesystem types whose statvfs asks a remote server.
const NETWORK_FSTYPES: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ncpfs",
    "9p",
    "ceph",
    "glusterfs",
    "afs",
];

pub fn is_network(fstype: &str) -> bool {
    NETWORK_FSTYPES.contains(&fstype) || fstype.starts_with("fuse.")
}

#[derive(Debug)]
pub struct StatvfsGuard {
    stuck: Arc<Mutex<HashSet<PathBuf>>>,
    deadline: Duration,
}

fn lock(set: &Mutex<HashSet<PathBuf>>) -> MutexGuard<'_, HashSet<PathBuf>> {
    match set.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl StatvfsGuard {
    pub fn new(deadline: Duration) -> StatvfsGuard {
        StatvfsGuard {
            stuck: Arc::default(),
            deadline,
        }
    }

    /// statvfs of `path`: directly for local filesystems, bounded by the
    /// deadline for network ones.
    pub fn stat(&self, path: &Path, fstype: &str) -> Option<FsStat> {
        if !is_network(fstype) {
            return statvfs(path);
        }
        self.stat_bounded(path, statvfs)
    }

    /// `call(path)` on a helper thread, waiting at most the deadline.
    pub fn stat_bounded(&self, path: &Path, call: fn(&Path) -> Option<FsStat>) -> Option<FsStat> {
        if lock(&self.stuck).contains(path) {
            return None;
        }
        let (tx, rx) = mpsc::channel();
        let owned = path.to_path_buf();
        let stuck = self.stuck.clone();
        let spawned = std::thread::Builder::new()
            .name("statvfs".into())
            .spawn(move || {
                let _ = tx.send(call(&owned));
                // if the caller gave up, this mount is usable again now
                lock(&stuck).remove(&owned);
            });
        if spawned.is_err() {
            return None;
        }
        match rx.recv_timeout(self.deadline) {
            Ok(result) => result,
            Err(_) => {
                let mut stuck = lock(&self.stuck);
                // the answer may have arrived while we took the lock
                match rx.try_recv() {
                    Ok(result) => result,
                    Err(_) => {
                        tracing::warn!(mount = %path.display(), "statvfs is not answering; mount skipped until it does");
                        stuck.insert(path.to_path_buf());
                        None
                    }
                }
            }
        }
    }

    pub fn is_stuck(&self, path: &Path) -> bool {
        lock(&self.stuck).contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    static RELEASE: AtomicBool = AtomicBool::new(false);

    fn hangs_until_released(_: &Path) -> Option<FsStat> {
        while !RELEASE.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }

    #[test]
    fn a_hanging_mount_is_skipped_until_its_call_returns() {
        let guard = StatvfsGuard::new(Duration::from_millis(50));
        let mount = Path::new("/mnt/dead-nfs");
        let started = std::time::Instant::now();
        assert_eq!(guard.stat_bounded(mount, hangs_until_released), None);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(guard.is_stuck(mount));
        // while stuck, no new thread and no wait
        let again = std::time::Instant::now();
        assert_eq!(guard.stat_bounded(mount, hangs_until_released), None);
        assert!(again.elapsed() < Duration::from_millis(40));
        RELEASE.store(true, Ordering::SeqCst);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while guard.is_stuck(mount) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(
            !guard.is_stuck(mount),
            "usable again once the call returned"
        );
    }

    #[test]
    fn local_and_network_types() {
        assert!(is_network("nfs4") && is_network("cifs") && is_network("fuse.sshfs"));
        assert!(!is_network("ext4") && !is_network("vfat"));
        let guard = StatvfsGuard::new(Duration::from_secs(1));
        assert!(guard.stat(Path::new("/"), "ext4").is_some());
        assert!(
            guard.stat(Path::new("/"), "nfs").is_some(),
            "a healthy network mount answers"
        );
    }
}
