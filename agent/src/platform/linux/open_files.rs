//! Kernel files kept open between collections: a procfs or sysfs file is
//! opened once and read again with `pread` from offset 0 (the kernel
//! regenerates its text on every read from 0), which spares the path
//! lookup, open, stat and close of each read. A sysfs attribute is made
//! whole by one call of its driver, so one `pread` that leaves room in the
//! buffer has all of it; procfs files may come a record at a time and are
//! read until `pread` returns 0. Only files on procfs and sysfs are kept; a
//! file of a regular filesystem (a captured tree) can be replaced, so it is
//! read afresh every time. The cache is bounded: past `capacity` paths the
//! least recently read is closed. A kept file whose value is unavailable in
//! the device's present state (EINVAL, ENODATA, EOPNOTSUPP: the speed of a
//! link that is down) stays open and reads as None; one whose read fails
//! otherwise (its device went away: ENODEV) is closed and opened again once.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// How many files are kept open by default: more than one `/metrics`
/// collection reads on a host with a dozen network interfaces.
pub const CAPACITY: usize = 256;

/// `statfs` magic numbers of the filesystems whose files are kept open.
const PROC_SUPER_MAGIC: i64 = 0x9fa0;
const SYSFS_MAGIC: i64 = 0x6265_6572;

/// The first read's size; most procfs/sysfs files fit.
const FIRST_READ: usize = 4096;

/// Which kernel filesystem a kept file is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Procfs,
    Sysfs,
}

#[derive(Debug)]
struct Entry {
    file: Arc<File>,
    kind: Kind,
    used: u64,
}

#[derive(Debug, Default)]
struct Kept {
    files: HashMap<PathBuf, Entry>,
    clock: u64,
}

/// Open kernel files by path; shared by every reader of one set of roots.
#[derive(Debug)]
pub struct OpenFiles {
    kept: Mutex<Kept>,
    capacity: usize,
}

impl Default for OpenFiles {
    fn default() -> OpenFiles {
        OpenFiles::with_capacity(CAPACITY)
    }
}

/// Every byte of `file` from offset 0, by `pread` until it returns 0 (or,
/// for a sysfs attribute, until one read leaves room in the buffer).
fn read_from_start(file: &File, kind: Option<Kind>) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; FIRST_READ];
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read_at(&mut buf[len..], len as u64) {
            Ok(0) => break,
            Ok(n) => {
                len += n;
                if kind == Some(Kind::Sysfs) && len < buf.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(len);
    Ok(buf)
}

/// The kernel filesystem of a `statfs` answer; None for any other.
fn kind_of(s: &rustix::fs::StatFs) -> Option<Kind> {
    #[allow(clippy::useless_conversion)] // f_type is 32 bits on 32-bit ARM
    match i64::from(s.f_type) {
        PROC_SUPER_MAGIC => Some(Kind::Procfs),
        SYSFS_MAGIC => Some(Kind::Sysfs),
        _ => None,
    }
}

/// The kernel filesystem a file lives on (its text is the kernel's, made
/// afresh on each read from offset 0); None for any other filesystem.
fn kernel_kind(file: &File) -> Option<Kind> {
    kind_of(&rustix::fs::fstatfs(file).ok()?)
}

/// Whether `path` is on the running kernel's sysfs (not a captured tree).
pub fn is_on_sysfs(path: &Path) -> bool {
    rustix::fs::statfs(path).is_ok_and(|s| kind_of(&s) == Some(Kind::Sysfs))
}

/// Whether a failed read means the value is unavailable in the device's
/// present state (the file itself is fine and may read again later).
fn is_unavailable(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENODATA | libc::EOPNOTSUPP)
    )
}

impl OpenFiles {
    pub fn with_capacity(capacity: usize) -> OpenFiles {
        OpenFiles {
            kept: Mutex::default(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        match self.kept.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn kept_file(&self, path: &Path) -> Option<(Arc<File>, Kind)> {
        let mut kept = self.lock();
        kept.clock += 1;
        let now = kept.clock;
        let entry = kept.files.get_mut(path)?;
        entry.used = now;
        Some((entry.file.clone(), entry.kind))
    }

    fn keep(&self, path: &Path, file: File, kind: Kind) {
        let mut kept = self.lock();
        if kept.files.len() >= self.capacity && !kept.files.contains_key(path) {
            let oldest = kept
                .files
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(p, _)| p.clone());
            if let Some(oldest) = oldest {
                kept.files.remove(&oldest);
            }
        }
        kept.clock += 1;
        let used = kept.clock;
        kept.files.insert(
            path.to_path_buf(),
            Entry {
                file: Arc::new(file),
                kind,
                used,
            },
        );
    }

    fn forget(&self, path: &Path) {
        self.lock().files.remove(path);
    }

    /// How many files are open now.
    pub fn len(&self) -> usize {
        self.lock().files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole file at `path`; None when it cannot be opened or read.
    pub fn read(&self, path: &Path) -> Option<Vec<u8>> {
        if let Some((file, kind)) = self.kept_file(path) {
            match read_from_start(&file, Some(kind)) {
                Ok(bytes) => return Some(bytes),
                Err(e) if is_unavailable(&e) => return None,
                Err(_) => self.forget(path),
            }
        }
        let file = File::open(path).ok()?;
        let kind = kernel_kind(&file);
        let read = read_from_start(&file, kind);
        if let Some(kind) = kind {
            if read.as_ref().map_or_else(is_unavailable, |_| true) {
                self.keep(path, file, kind);
            }
        }
        read.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_procfs_file_reads_its_current_text() {
        let files = OpenFiles::default();
        let path = Path::new("/proc/thread-self/schedstat");
        let first = files.read(path).expect("schedstat");
        assert_eq!(files.len(), 1, "kept open");
        // burn some CPU: the run time in schedstat moves
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        let second = files.read(path).expect("schedstat again");
        assert_eq!(files.len(), 1);
        assert_ne!(first, second, "read afresh from offset 0");
    }

    #[test]
    fn a_large_kernel_file_is_read_whole() {
        let files = OpenFiles::default();
        let path = Path::new("/proc/self/smaps");
        let kept = files.read(path).expect("smaps");
        assert!(kept.len() > FIRST_READ, "{} bytes", kept.len());
        // the same lines as a plain read (sizes may move; the first line is fixed)
        let plain = std::fs::read(path).expect("plain read");
        let first_line = |b: &[u8]| b.split(|c| *c == b'\n').next().map(<[u8]>::to_vec);
        assert_eq!(first_line(&kept), first_line(&plain));
        let again = files.read(path).expect("smaps again");
        assert!(again.len() > FIRST_READ);
    }

    #[test]
    fn regular_files_are_read_afresh_and_not_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("meminfo");
        std::fs::write(&path, "old\n").expect("write");
        let files = OpenFiles::default();
        assert_eq!(files.read(&path).as_deref(), Some(&b"old\n"[..]));
        // replaced by rename, as a capture tool would
        let next = dir.path().join("meminfo.new");
        std::fs::write(&next, "new\n").expect("write");
        std::fs::rename(&next, &path).expect("rename");
        assert_eq!(files.read(&path).as_deref(), Some(&b"new\n"[..]));
        assert!(files.is_empty());
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(files.read(&path), None, "missing is None");
    }

    #[test]
    fn missing_files_are_none_and_not_kept() {
        let files = OpenFiles::default();
        assert_eq!(files.read(Path::new("/proc/definitely-not-here")), None);
        assert!(files.is_empty());
    }

    #[test]
    fn at_most_capacity_files_stay_open_least_recent_first_out() {
        let files = OpenFiles::with_capacity(2);
        let (a, b, c) = (
            Path::new("/proc/self/stat"),
            Path::new("/proc/self/statm"),
            Path::new("/proc/uptime"),
        );
        for p in [a, b, a, c] {
            assert!(files.read(p).is_some(), "{}", p.display());
        }
        assert_eq!(files.len(), 2);
        // b was the least recently read: closed; a and c stay
        assert!(files.kept_file(a).is_some() && files.kept_file(c).is_some());
        assert!(files.kept_file(b).is_none());
    }

    #[test]
    fn a_file_whose_read_fails_is_opened_again() {
        let files = OpenFiles::default();
        let path = Path::new("/proc/uptime");
        assert!(files.read(path).is_some());
        // swap the kept file for one that cannot be read (a directory)
        let dir = File::open("/proc").expect("open /proc");
        files.forget(path);
        files.keep(path, dir, Kind::Procfs);
        let text = files.read(path).expect("opened again");
        assert!(String::from_utf8_lossy(&text).contains('.'));
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn an_unavailable_sysfs_value_stays_open_and_reads_none() {
        // the loopback device has no link speed: its attribute fails with EINVAL
        let path = Path::new("/sys/class/net/lo/speed");
        let Err(e) = std::fs::read(path) else {
            return; // a kernel that gives lo a speed: nothing to test here
        };
        assert!(is_unavailable(&e), "{e}");
        let files = OpenFiles::default();
        assert_eq!(files.read(path), None);
        let (first, kind) = files.kept_file(path).expect("kept open");
        assert_eq!(kind, Kind::Sysfs);
        assert_eq!(files.read(path), None);
        let (second, _) = files.kept_file(path).expect("still kept");
        assert!(Arc::ptr_eq(&first, &second), "not opened again");
    }

    #[test]
    fn a_sysfs_attribute_is_read_whole_in_one_call() {
        let path = Path::new("/sys/class/net/lo/address");
        let files = OpenFiles::default();
        let kept = files.read(path).expect("lo address");
        assert_eq!(kept, std::fs::read(path).expect("plain read"));
        assert_eq!(files.kept_file(path).map(|(_, k)| k), Some(Kind::Sysfs));
        assert_eq!(
            files.read(path),
            Some(kept),
            "read again from the kept file"
        );
    }
}
