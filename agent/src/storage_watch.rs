//! The storage watcher: every few seconds it reads each real filesystem's
//! health (read-only flag, ext4 error count) and turns every change since
//! the previous reading into an [`Event`], logged once as a journal record
//! with structured fields (`EVENT=filesystem_read_only`, `MOUNTPOINT=/`…).
//! The comparison is pure; the events are plain values that an events list
//! can keep. The first reading is the baseline: what was already so at
//! start-up is in `/system`, not an event.

use crate::collect::Collector;
use crate::snapshot::Filesystem;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// How often filesystems are checked (and the mount table reread).
pub const CHECK_INTERVAL: Duration = Duration::from_secs(5);

/// One filesystem's health at one reading.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FsHealth {
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
    pub read_only: bool,
    pub errors_count: Option<u64>,
}

impl FsHealth {
    pub fn of(fs: &Filesystem) -> FsHealth {
        FsHealth {
            device: fs.device.clone(),
            mountpoint: fs.mount.clone(),
            fstype: fs.fstype.clone(),
            read_only: fs.readonly,
            errors_count: fs.errors_count,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A filesystem became read-only (remounted, or the kernel gave up on it).
    FilesystemReadOnly,
    /// A read-only filesystem is writable again.
    FilesystemReadWrite,
    /// The kernel recorded new ext4 errors.
    FilesystemErrors,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::FilesystemReadOnly => "filesystem_read_only",
            EventKind::FilesystemReadWrite => "filesystem_read_write",
            EventKind::FilesystemErrors => "filesystem_errors",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
}

/// A storage health transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When it was noticed, RFC 3339 UTC.
    pub at: String,
    pub kind: EventKind,
    pub severity: Severity,
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
    /// The ext4 error count now (filesystem_errors), else null.
    pub errors_count: Option<u64>,
    pub message: String,
}

/// The events between two readings, for filesystems in both (a mount that
/// appears or goes away is not a health change).
pub fn transitions(before: &[FsHealth], after: &[FsHealth], at: &str) -> Vec<Event> {
    let mut out = Vec::new();
    for now in after {
        let Some(was) = before
            .iter()
            .find(|b| b.mountpoint == now.mountpoint && b.device == now.device)
        else {
            continue;
        };
        let event = |kind, severity, errors_count, message: String| Event {
            at: at.to_string(),
            kind,
            severity,
            device: now.device.clone(),
            mountpoint: now.mountpoint.clone(),
            fstype: now.fstype.clone(),
            errors_count,
            message,
        };
        let on = format!("{} ({} on {})", now.mountpoint, now.fstype, now.device);
        if now.read_only && !was.read_only {
            out.push(event(
                EventKind::FilesystemReadOnly,
                Severity::Warning,
                None,
                format!("filesystem {on} is now read-only"),
            ));
        } else if was.read_only && !now.read_only {
            out.push(event(
                EventKind::FilesystemReadWrite,
                Severity::Info,
                None,
                format!("filesystem {on} is writable again"),
            ));
        }
        if let (Some(then), Some(count)) = (was.errors_count, now.errors_count) {
            if count > then {
                out.push(event(
                    EventKind::FilesystemErrors,
                    Severity::Warning,
                    Some(count),
                    format!(
                        "filesystem {on} recorded {} new error(s), {count} since its last fsck",
                        count - then
                    ),
                ));
            }
        }
    }
    out
}

/// One log record per event, its fields journal fields.
pub fn log(e: &Event) {
    match e.severity {
        Severity::Warning => tracing::warn!(
            event = e.kind.as_str(),
            mountpoint = %e.mountpoint,
            device = %e.device,
            fstype = %e.fstype,
            errors_count = e.errors_count,
            "{}",
            e.message
        ),
        Severity::Info => tracing::info!(
            event = e.kind.as_str(),
            mountpoint = %e.mountpoint,
            device = %e.device,
            fstype = %e.fstype,
            "{}",
            e.message
        ),
    }
}

/// The previous reading, and what changed since.
#[derive(Debug, Default)]
pub struct StorageWatch {
    previous: Option<Vec<FsHealth>>,
}

impl StorageWatch {
    /// Take a reading; the events since the previous one (none the first time).
    pub fn observe(&mut self, filesystems: &[Filesystem], at: &str) -> Vec<Event> {
        let now: Vec<FsHealth> = filesystems.iter().map(FsHealth::of).collect();
        let events = self
            .previous
            .as_deref()
            .map_or_else(Vec::new, |before| transitions(before, &now, at));
        self.previous = Some(now);
        events
    }
}

/// Check every `interval` in a background task, logging each event. The
/// reading runs on the blocking pool: a stuck disk never stalls the runtime.
pub fn start(collector: Arc<dyn Collector>, interval: Duration) {
    tokio::spawn(async move {
        let mut watch = StorageWatch::default();
        loop {
            let c = collector.clone();
            if let Ok(filesystems) = tokio::task::spawn_blocking(move || c.filesystems()).await {
                let at = crate::units::rfc3339_utc(chrono::Utc::now());
                for event in watch.observe(&filesystems, &at) {
                    log(&event);
                }
            }
            tokio::time::sleep(interval).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs(mount: &str, readonly: bool, errors: Option<u64>) -> Filesystem {
        Filesystem {
            device: "/dev/mmcblk0p2".into(),
            mount: mount.into(),
            fstype: "ext4".into(),
            readonly,
            errors_count: errors,
            ..Default::default()
        }
    }

    const AT: &str = "2026-11-27T12:00:00.000000+00:00";

    #[test]
    fn the_first_reading_is_the_baseline() {
        let mut w = StorageWatch::default();
        assert!(w.observe(&[fs("/", true, Some(4))], AT).is_empty());
        assert!(w.observe(&[fs("/", true, Some(4))], AT).is_empty());
    }

    #[test]
    fn read_only_once_per_transition_and_back() {
        let mut w = StorageWatch::default();
        w.observe(&[fs("/", false, Some(0)), fs("/boot", false, None)], AT);
        let e = w.observe(&[fs("/", true, Some(0)), fs("/boot", false, None)], AT);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].kind, e[0].severity, e[0].mountpoint.as_str()),
            (EventKind::FilesystemReadOnly, Severity::Warning, "/")
        );
        assert_eq!(
            e[0].message,
            "filesystem / (ext4 on /dev/mmcblk0p2) is now read-only"
        );
        assert!(
            w.observe(&[fs("/", true, Some(0))], AT).is_empty(),
            "still ro"
        );
        let back = w.observe(&[fs("/", false, Some(0))], AT);
        assert_eq!(back.len(), 1);
        assert_eq!(
            (back[0].kind, back[0].severity),
            (EventKind::FilesystemReadWrite, Severity::Info)
        );
    }

    #[test]
    fn new_errors_are_an_event_with_the_count() {
        let e = transitions(
            &[FsHealth::of(&fs("/", false, Some(1)))],
            &[FsHealth::of(&fs("/", true, Some(3)))],
            AT,
        );
        let kinds: Vec<EventKind> = e.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EventKind::FilesystemReadOnly, EventKind::FilesystemErrors]
        );
        assert_eq!(e[1].errors_count, Some(3));
        assert!(e[1].message.contains("2 new error(s), 3 since"), "{e:?}");
        let json = serde_json::to_value(&e[1]).expect("serializes");
        assert_eq!(json["kind"], "filesystem_errors");
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["at"], AT);
    }

    #[test]
    fn mounts_that_come_and_go_or_lose_counters_are_no_event() {
        let before = [FsHealth::of(&fs("/mnt", false, Some(2)))];
        assert!(transitions(&before, &[], AT).is_empty());
        assert!(transitions(&[], &before, AT).is_empty());
        // a counter that is gone (or smaller: a new filesystem, fsck) is no new error
        let unreadable = [FsHealth::of(&fs("/mnt", false, None))];
        assert!(transitions(&before, &unreadable, AT).is_empty());
        let reset = [FsHealth::of(&fs("/mnt", false, Some(0)))];
        assert!(transitions(&before, &reset, AT).is_empty());
    }
}
