//! The spool's own thread: it owns the [`Spool`] and serves the poller and
//! the delivery tasks through a channel, so that no async task ever touches
//! the disk. It serves from a [`Store`]: the disk spool, or memory while
//! the disk cannot be written. Fsyncs run on a second thread (`spool-sync`, see
//! [`durability`](super::durability)); an append is answered once its fsync
//! returned, and only then can its sample be read.

use super::durability::{self, Durability, Synced};
use super::fsync;
use super::store::{Store, Stored};
use super::{Appended, ReadPos, Record, Scraped};
use crate::watchdog::{Beat, Liveness};
use serde_json::Value;
use std::collections::VecDeque;
use std::io;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;
use tracing::{error, warn};

/// Longest one request may keep the spool thread busy before the watchdog
/// counts it as hung (reads and appends touch only the page cache).
pub const SPOOL_PROMISE: Duration = Duration::from_secs(10);

/// Oldest pending samples of one destination, and where to read on.
#[derive(Debug)]
pub struct Batch {
    pub records: Vec<Record>,
    pub pos: Option<ReadPos>,
}

type Reply<T> = oneshot::Sender<T>;

enum Msg {
    Append {
        timestamp: i64,
        sample: Value,
        prom: Option<Scraped>,
        reply: Reply<io::Result<Appended>>,
    },
    Read {
        key: String,
        max: usize,
        pos: Option<ReadPos>,
        reply: Reply<io::Result<Batch>>,
    },
    Advance {
        key: String,
        to: u64,
        reply: Reply<u64>,
    },
    Pending {
        key: String,
        reply: Reply<u64>,
    },
    Synced(Synced),
    Close {
        reply: Reply<io::Result<()>>,
    },
}

/// The async side of the spool: cheap to clone, one per task.
#[derive(Debug, Clone)]
pub struct SpoolHandle {
    queue: mpsc::Sender<Msg>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("spool request")
    }
}

fn gone() -> io::Error {
    io::Error::other("the spool thread has stopped")
}

impl SpoolHandle {
    /// Move `spool` onto its own thread (and its fsyncs onto another).
    pub fn spawn(mut spool: Store, liveness: &Liveness) -> io::Result<SpoolHandle> {
        let delay = fsync::slow_fsync();
        if !delay.is_zero() {
            warn!(
                "test seam {} is set: every spool fsync is delayed by {} ms",
                fsync::SLOW_FSYNC_ENV,
                delay.as_millis()
            );
        }
        let (queue, requests) = mpsc::channel::<Msg>();
        let report = queue.clone();
        let (jobs, syncer) = durability::spawn(
            move |synced| {
                let _ = report.send(Msg::Synced(synced));
            },
            liveness.beat("spool-sync"),
        )?;
        spool.set_durability(Durability::Deferred(jobs));
        let beat = liveness.beat("spool");
        std::thread::Builder::new()
            .name("spool".into())
            .spawn(move || serve(spool, &requests, &beat, syncer))?;
        Ok(SpoolHandle { queue })
    }

    async fn ask<T>(&self, msg: impl FnOnce(Reply<T>) -> Msg) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(msg(reply)).ok()?;
        answer.await.ok()
    }

    /// Append one sample. It is queued at once (samples keep the order of
    /// the calls); the future answers once the sample is fsynced.
    pub fn append(
        &self,
        timestamp: i64,
        sample: Value,
        prom: Option<Scraped>,
    ) -> impl std::future::Future<Output = io::Result<Appended>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let sent = self.queue.send(Msg::Append {
            timestamp,
            sample,
            prom,
            reply,
        });
        async move {
            sent.map_err(|_| gone())?;
            answer.await.unwrap_or_else(|_| Err(gone()))
        }
    }

    /// Up to `max` oldest samples `key` has not had yet.
    pub async fn read(&self, key: &str, max: usize, pos: Option<ReadPos>) -> io::Result<Batch> {
        let key = key.to_string();
        self.ask(|reply| Msg::Read {
            key,
            max,
            pos,
            reply,
        })
        .await
        .unwrap_or_else(|| Err(gone()))
    }

    /// `key` is done with every sample before `to`; returns its backlog.
    /// The cursor file is written behind (errors are logged there).
    pub async fn advance(&self, key: &str, to: u64) -> u64 {
        let key = key.to_string();
        self.ask(|reply| Msg::Advance { key, to, reply })
            .await
            .unwrap_or(0)
    }

    /// Samples `key` still has to receive.
    pub async fn pending(&self, key: &str) -> u64 {
        let key = key.to_string();
        self.ask(|reply| Msg::Pending { key, reply })
            .await
            .unwrap_or(0)
    }

    /// Finish the queued disk work, fsync every cursor, stop the threads.
    pub async fn close(&self) -> io::Result<()> {
        self.ask(|reply| Msg::Close { reply })
            .await
            .unwrap_or_else(|| Err(gone()))
    }
}

/// Appends written and waiting for their fsync, oldest first.
type Waiting = VecDeque<(Appended, Reply<io::Result<Appended>>)>;

fn serve(mut spool: Store, requests: &mpsc::Receiver<Msg>, beat: &Beat, syncer: JoinHandle<()>) {
    let mut waiting = Waiting::new();
    while let Ok(msg) = requests.recv() {
        beat.within(SPOOL_PROMISE);
        if let Msg::Close { reply } = msg {
            // Dropping the queue's sender ends the sync thread once it has
            // done everything queued; then the cursors are fsynced here.
            spool.set_durability(Durability::Inline);
            let _ = syncer.join();
            for msg in requests.try_iter() {
                if let Msg::Synced(synced) = msg {
                    answer_synced(&mut spool, &mut waiting, synced);
                }
            }
            let synced = spool.disk().map_or(Ok(()), |disk| disk.sync_cursors());
            let _ = reply.send(synced);
            beat.idle();
            return;
        }
        handle(&mut spool, &mut waiting, msg);
        beat.idle();
    }
}

fn handle(spool: &mut Store, waiting: &mut Waiting, msg: Msg) {
    match msg {
        Msg::Append {
            timestamp,
            sample,
            prom,
            reply,
        } => match spool.append(timestamp, &sample, prom.as_ref()) {
            Ok(Stored::Disk(appended)) => waiting.push_back((appended, reply)),
            Ok(Stored::Memory(appended)) => {
                let _ = reply.send(Ok(appended));
            }
            Err(e) => {
                let _ = reply.send(Err(e));
            }
        },
        Msg::Synced(synced) => answer_synced(spool, waiting, synced),
        Msg::Read {
            key,
            max,
            mut pos,
            reply,
        } => {
            let records = spool.read(&key, max, &mut pos);
            let _ = reply.send(records.map(|records| Batch { records, pos }));
        }
        Msg::Advance { key, to, reply } => {
            if let Err(e) = spool.advance(&key, to) {
                error!(destination = %key, "cannot save the delivery cursor: {e}");
            }
            let _ = reply.send(spool.pending(&key));
        }
        Msg::Pending { key, reply } => {
            let _ = reply.send(spool.pending(&key));
        }
        Msg::Close { .. } => {}
    }
}

/// Samples before `synced.through` are on disk (or their fsync failed):
/// make them readable and answer their appends.
fn answer_synced(spool: &mut Store, waiting: &mut Waiting, synced: Synced) {
    if let Some(disk) = spool.disk() {
        disk.mark_durable(synced.through);
    }
    let error = synced.error.map(|e| e.to_string());
    while waiting
        .front()
        .is_some_and(|(appended, _)| appended.seq < synced.through)
    {
        if let Some((mut appended, reply)) = waiting.pop_front() {
            appended.not_synced.clone_from(&error);
            let _ = reply.send(Ok(appended));
        }
    }
}
