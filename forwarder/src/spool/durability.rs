//! The spool's slow disk work: fsyncs of segment data, directory syncs and
//! cursor file replacements. Run inline (unit tests,
//! start-up, shutdown) or queued to the `spool-sync` thread, so that a slow
//! fsync (a worn SD card) delays only when a sample counts as durable, never
//! the spool's reads nor any HTTP exchange.

use super::cursor;
use super::fsync::{sync_data, sync_dir};
use crate::watchdog::Beat;
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;
use tracing::error;

/// One piece of disk work.
#[derive(Debug)]
pub enum Job {
    /// Fsync a segment: every sample before `through` becomes durable.
    Data {
        file: Arc<File>,
        path: PathBuf,
        through: u64,
    },
    /// Fsync a directory (after creating a segment in it).
    Dir(PathBuf),
    /// Replace a cursor file; `durable` also fsyncs it first.
    Cursor {
        path: PathBuf,
        seq: u64,
        durable: bool,
    },
}

/// What became of a queued [`Job::Data`], reported back to the spool.
#[derive(Debug)]
pub struct Synced {
    pub through: u64,
    /// Set when the fsync (or the directory sync before it) failed.
    pub error: Option<io::Error>,
}

impl Job {
    /// Do the work now.
    pub fn run(self) -> io::Result<()> {
        match self {
            Job::Data { file, .. } => sync_data(&file),
            Job::Dir(path) => sync_dir(&path),
            Job::Cursor { path, seq, durable } => cursor::write(&path, seq, durable),
        }
    }
}

/// Where the spool's disk work runs.
#[derive(Debug)]
pub enum Durability {
    /// On the caller's thread; errors are returned.
    Inline,
    /// On the `spool-sync` thread; results come back as [`Synced`].
    Deferred(mpsc::Sender<Job>),
}

impl Durability {
    /// The same place to run, for another user.
    pub fn clone_sender(&self) -> Durability {
        match self {
            Durability::Inline => Durability::Inline,
            Durability::Deferred(queue) => Durability::Deferred(queue.clone()),
        }
    }

    /// Run or queue `job`. Inline, its error is returned; deferred, the
    /// only error is a sync thread that is gone.
    pub fn submit(&self, job: Job) -> io::Result<()> {
        match self {
            Durability::Inline => job.run(),
            Durability::Deferred(queue) => queue
                .send(job)
                .map_err(|_| io::Error::other("the spool-sync thread has stopped")),
        }
    }
}

/// Start the `spool-sync` thread: it runs queued jobs in order, merging
/// what a slow disk let pile up (one fsync for consecutive appends to a
/// segment, the latest value of each cursor), and reports each data fsync
/// through `report`. It ends when the queue's sender is dropped.
pub fn spawn(
    report: impl Fn(Synced) + Send + 'static,
    beat: Beat,
) -> io::Result<(mpsc::Sender<Job>, JoinHandle<()>)> {
    let (queue, jobs) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("spool-sync".into())
        .spawn(move || {
            while let Ok(first) = jobs.recv() {
                let batch: Vec<Job> = std::iter::once(first).chain(jobs.try_iter()).collect();
                beat.within(SYNC_PROMISE);
                run_batch(merge(batch), &report);
                beat.idle();
            }
        })?;
    Ok((queue, thread))
}

/// Longest a batch of disk work may take before the watchdog counts the
/// spool as hung (a dead disk whose fsync never returns).
pub const SYNC_PROMISE: Duration = Duration::from_secs(30);

/// Consecutive data fsyncs of one file become one; each cursor is written
/// once, with its latest value (fsynced if any request asked for it).
fn merge(batch: Vec<Job>) -> Vec<Job> {
    let mut ordered: Vec<Job> = Vec::with_capacity(batch.len());
    let mut cursors: BTreeMap<PathBuf, (u64, bool)> = BTreeMap::new();
    for job in batch {
        match job {
            Job::Cursor { path, seq, durable } => {
                let entry = cursors.entry(path).or_insert((seq, durable));
                *entry = (seq, entry.1 || durable);
            }
            // One fsync of a file covers every write before it, through
            // whichever descriptor (each append opens the segment anew).
            Job::Data {
                file,
                path,
                through,
            } => match ordered.last_mut() {
                Some(Job::Data {
                    file: last,
                    path: last_path,
                    through: last_through,
                }) if *last_path == path => {
                    *last = file;
                    *last_through = through.max(*last_through);
                }
                _ => ordered.push(Job::Data {
                    file,
                    path,
                    through,
                }),
            },
            other => ordered.push(other),
        }
    }
    ordered.extend(
        cursors
            .into_iter()
            .map(|(path, (seq, durable))| Job::Cursor { path, seq, durable }),
    );
    ordered
}

fn run_batch(jobs: Vec<Job>, report: &impl Fn(Synced)) {
    // A failed directory sync makes the data synced after it not durable.
    let mut dir_error: Option<io::Error> = None;
    for job in jobs {
        match job {
            Job::Data { file, through, .. } => {
                let result = sync_data(&file);
                let error = dir_error.take().or(result.err());
                report(Synced { through, error });
            }
            Job::Dir(path) => {
                if let Err(e) = sync_dir(&path) {
                    dir_error = Some(io::Error::other(format!(
                        "cannot sync {}: {e}",
                        path.display()
                    )));
                }
            }
            Job::Cursor { path, seq, durable } => {
                if let Err(e) = cursor::write(&path, seq, durable) {
                    error!(cursor = %path.display(), "cannot save the delivery cursor: {e}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_order_and_latest_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let (pa, pb) = (dir.path().join("a"), dir.path().join("b"));
        let a = Arc::new(File::create(&pa).unwrap());
        let a2 = Arc::new(File::open(&pa).unwrap());
        let b = Arc::new(File::create(&pb).unwrap());
        let c = dir.path().join("c");
        let jobs = merge(vec![
            Job::Data {
                file: Arc::clone(&a),
                path: pa.clone(),
                through: 2,
            },
            Job::Cursor {
                path: c.clone(),
                seq: 1,
                durable: true,
            },
            Job::Data {
                file: Arc::clone(&a2),
                path: pa.clone(),
                through: 3,
            },
            Job::Dir(dir.path().to_path_buf()),
            Job::Data {
                file: Arc::clone(&b),
                path: pb.clone(),
                through: 4,
            },
            Job::Cursor {
                path: c.clone(),
                seq: 3,
                durable: false,
            },
        ]);
        let shape: Vec<String> = jobs
            .iter()
            .map(|j| match j {
                Job::Data { through, .. } => format!("data {through}"),
                Job::Dir(_) => "dir".into(),
                Job::Cursor { seq, durable, .. } => format!("cursor {seq} {durable}"),
            })
            .collect();
        assert_eq!(shape, ["data 3", "dir", "data 4", "cursor 3 true"]);
    }
}
