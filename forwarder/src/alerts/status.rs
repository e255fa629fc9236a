//! The alerts status file the agent serves at `/alerts` (and the status
//! page shows): where alerts go and the last few sent. Rewritten whole
//! (temporary file, then rename) after each change, off the async threads.

use super::rules::Alert;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use system_stats_common::fsutil;
use tracing::warn;

/// How many sent alerts the file lists.
pub const LAST_SENT: usize = 10;

#[derive(Debug, Default)]
struct Board {
    receivers: Vec<String>,
    last_sent: VecDeque<Value>,
    write_failed: bool,
}

/// Shared by the receivers (which note deliveries) and the alert task.
#[derive(Debug, Clone)]
pub struct StatusBoard {
    path: Arc<PathBuf>,
    board: Arc<Mutex<Board>>,
}

impl StatusBoard {
    pub fn new(path: PathBuf, receivers: Vec<String>) -> StatusBoard {
        StatusBoard {
            path: Arc::new(path),
            board: Arc::new(Mutex::new(Board {
                receivers,
                ..Board::default()
            })),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Note a delivered alert and rewrite the file.
    pub fn sent(&self, receiver: &str, alert: &Alert) {
        if let Ok(mut board) = self.board.lock() {
            board.last_sent.push_front(json!({
                "receiver": receiver,
                "kind": alert.kind,
                "state": alert.state,
                "since": alert.since,
                "raised_at": alert.at,
                "sent_at": now(),
                "message": alert.message,
            }));
            board.last_sent.truncate(LAST_SENT);
        }
        self.write();
    }

    /// The file's JSON.
    pub fn render(&self) -> Value {
        match self.board.lock() {
            Ok(board) => json!({
                "receivers": board.receivers,
                "last_sent": board.last_sent,
                "updated_at": now(),
            }),
            Err(_) => Value::Null,
        }
    }

    /// Rewrite the file on the blocking pool (outside a runtime: here).
    pub fn write(&self) {
        let body = self.render().to_string();
        let this = self.clone();
        let job = move || {
            let result = write_atomically(&this.path, body.as_bytes());
            if let Ok(mut board) = this.board.lock() {
                match result {
                    Err(e) if !board.write_failed => {
                        board.write_failed = true;
                        warn!(
                            "cannot write the alerts status file {}: {e}",
                            this.path.display()
                        );
                    }
                    Err(_) => {}
                    Ok(()) => board.write_failed = false,
                }
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(job)),
            Err(_) => job(),
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Write `body` to `path` through a temporary file in the same directory,
/// readable by all (mode 0644 despite the unit's `UMask=0077`): the agent,
/// another user, serves it at `/alerts`. It holds no credentials. The file
/// lives in the runtime directory (memory): no fsync.
pub fn write_atomically(path: &Path, body: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let how = fsutil::Replace {
        mode: Some(0o644),
        durability: fsutil::Durability::Rename,
        ..fsutil::Replace::default()
    };
    fsutil::replace(path, body, &how)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_status_file_is_readable_by_the_agent_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.json");
        let tmp = fsutil::temp_path(&path, ".tmp");
        // A left-over of the unit's UMask=0077: the rewrite still ends up 0644.
        std::fs::write(&tmp, b"old").unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, b"{}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            (std::fs::read(&path).unwrap(), mode),
            (b"{}".to_vec(), 0o644)
        );
        assert!(!tmp.exists());
    }
}
