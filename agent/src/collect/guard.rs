//! The one bounded guard for kernel calls that can hang: statvfs of a mount
//! whose server went away (NFS, CIFS, a FUSE daemon that stopped answering)
//! blocks in the kernel, possibly for ever. Such a call runs on a helper
//! thread; a path whose call has not returned by the deadline is reported
//! as unreadable (and not asked again) until that call finally returns —
//! node_exporter's "stuck mount" rule. At most one helper thread per path
//! is ever stuck.

use crate::snapshot::FsStat;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a guarded call may take before its path counts as stuck.
pub const DEADLINE: Duration = Duration::from_secs(1);

/// Filesystem types whose statvfs asks a remote server or a user-space daemon.
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
    "fuse",
    "fuseblk",
];

pub fn is_network(fstype: &str) -> bool {
    NETWORK_FSTYPES.contains(&fstype) || fstype.starts_with("fuse.")
}

/// statvfs(2) of `path`, unguarded; None when it fails.
pub fn statvfs(path: &Path) -> Option<FsStat> {
    let s = rustix::fs::statvfs(path).ok()?;
    Some(FsStat {
        blocks: s.f_blocks,
        bfree: s.f_bfree,
        bavail: s.f_bavail,
        bsize: s.f_bsize,
        frsize: s.f_frsize,
        files: s.f_files,
        ffree: s.f_ffree,
        readonly: s.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY),
    })
}

#[derive(Debug)]
pub struct KernelGuard {
    stuck: Arc<Mutex<HashSet<PathBuf>>>,
    deadline: Duration,
}

impl Default for KernelGuard {
    fn default() -> KernelGuard {
        KernelGuard::new(DEADLINE)
    }
}

fn lock(set: &Mutex<HashSet<PathBuf>>) -> MutexGuard<'_, HashSet<PathBuf>> {
    match set.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl KernelGuard {
    pub fn new(deadline: Duration) -> KernelGuard {
        KernelGuard {
            stuck: Arc::default(),
            deadline,
        }
    }

    /// statvfs of a path whose filesystem is not known (the disk path):
    /// always bounded.
    pub fn statvfs(&self, path: &Path) -> Option<FsStat> {
        self.bounded(path, statvfs)
    }

    /// statvfs of a mount of type `fstype`: directly for local
    /// filesystems, bounded for network and FUSE ones.
    pub fn statvfs_mount(&self, path: &Path, fstype: &str) -> Option<FsStat> {
        if is_network(fstype) {
            self.bounded(path, statvfs)
        } else {
            statvfs(path)
        }
    }

    /// `call(path)` on a helper thread, waiting at most the deadline; None
    /// at once while an earlier call on `path` has not returned.
    pub fn bounded<T: Send + 'static>(
        &self,
        path: &Path,
        call: fn(&Path) -> Option<T>,
    ) -> Option<T> {
        if lock(&self.stuck).contains(path) {
            return None;
        }
        let (tx, rx) = mpsc::channel();
        let owned = path.to_path_buf();
        let stuck = self.stuck.clone();
        let spawned = std::thread::Builder::new()
            .name("kernel-call".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                let _ = tx.send(call(&owned));
                // if the caller gave up, this path is usable again now
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
                        tracing::warn!(path = %path.display(), "statvfs is not answering; skipped until it does");
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
        let guard = KernelGuard::new(Duration::from_millis(50));
        let mount = Path::new("/mnt/dead-nfs");
        let started = std::time::Instant::now();
        assert_eq!(guard.bounded(mount, hangs_until_released), None);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(guard.is_stuck(mount));
        // while stuck, no new thread and no wait
        let again = std::time::Instant::now();
        assert_eq!(guard.bounded(mount, hangs_until_released), None);
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
        assert!(is_network("fuse"));
        assert!(!is_network("ext4") && !is_network("vfat"));
        let guard = KernelGuard::new(Duration::from_secs(1));
        assert!(guard.statvfs_mount(Path::new("/"), "ext4").is_some());
        assert!(
            guard.statvfs_mount(Path::new("/"), "nfs").is_some(),
            "a healthy network mount answers"
        );
        assert!(guard.statvfs(Path::new("/")).is_some());
        assert!(guard.statvfs(Path::new("/definitely/not/here")).is_none());
    }
}
