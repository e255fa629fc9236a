//! Upgrades the image's guard rolled back (`SYSTEM_STATS_ROLLBACK_FILE`,
//! written by /usr/libexec/system-stats-image/upgrade-guard): read again
//! whenever the file changes, shown as `upgrade_rolled_back` events in
//! `/events` and counted in the events metric. A missing file means none;
//! lines that are not records are skipped with one warning per change of
//! the file.

pub mod record;

pub use record::Rollback;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The event kind of a rollback in `/events` and the events metric.
pub const KIND: &str = "upgrade_rolled_back";

/// What identifies a version of the file: its size and modification time
/// (None: missing or unreadable).
type Stamp = Option<(u64, SystemTime)>;

/// The rollback file and what was last read from it (shared, cheap to clone).
#[derive(Clone)]
pub struct RollbackLog {
    path: PathBuf,
    last: Arc<Mutex<(Stamp, Arc<Vec<Rollback>>)>>,
}

impl RollbackLog {
    pub fn new(path: PathBuf) -> RollbackLog {
        RollbackLog {
            path,
            last: Arc::new(Mutex::new((None, Arc::new(Vec::new())))),
        }
    }

    /// The rollbacks, oldest first; the file is read again only when its
    /// size or modification time changed.
    pub fn rollbacks(&self) -> Arc<Vec<Rollback>> {
        let stamp = std::fs::metadata(&self.path)
            .ok()
            .map(|m| (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
        let Ok(mut last) = self.last.lock() else {
            return Arc::new(Vec::new());
        };
        if stamp.is_some() && last.0 == stamp {
            return last.1.clone();
        }
        let rollbacks = match stamp {
            None => Vec::new(),
            Some(_) => self.read(),
        };
        *last = (stamp, Arc::new(rollbacks));
        last.1.clone()
    }

    fn read(&self) -> Vec<Rollback> {
        let text = match std::fs::read(&self.path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                tracing::warn!(
                    path = %self.path.display(),
                    "SYSTEM_STATS_ROLLBACK_FILE: cannot read {}: {e}",
                    self.path.display()
                );
                return Vec::new();
            }
        };
        let parsed = record::parse(&text);
        if let Some((line, why)) = parsed.skipped.first() {
            tracing::warn!(
                path = %self.path.display(),
                skipped = parsed.skipped.len(),
                "SYSTEM_STATS_ROLLBACK_FILE: skipped {} line(s) of {} that are not rollback records (line {line}: {why})",
                parsed.skipped.len(),
                self.path.display()
            );
        }
        parsed.rollbacks
    }
}
