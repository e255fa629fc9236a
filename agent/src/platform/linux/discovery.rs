//! What is slow to find and rarely changes (sensors, filesystems, Pi
//! firmware files, link facts, the distribution) is discovered at start-up and again
//! when a request finds it older than the refresh period, so requests only
//! read current values.

use super::files::Roots;
use super::filesystems::{self, Mount};
use super::links::{self, LinkFacts};
use super::os_release;
use super::rpi::{self, PiFiles};
use super::sensors::{self, SensorSpec};
use crate::snapshot::OsRelease;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a discovery stays fresh.
pub const REFRESH: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovered {
    pub sensors: Vec<SensorSpec>,
    pub mounts: Vec<Mount>,
    /// Whether a mount table could be read (node_exporter's filesystem
    /// collector fails without one; an empty list of real mounts is fine).
    pub mount_table: bool,
    pub pi: PiFiles,
    pub os_release: Option<OsRelease>,
    pub links: Vec<LinkFacts>,
}

impl Discovered {
    pub fn scan(roots: &Roots) -> Discovered {
        let mounts = filesystems::discover_table(roots);
        Discovered {
            sensors: sensors::discover(roots),
            mount_table: mounts.is_some(),
            mounts: mounts.unwrap_or_default(),
            pi: rpi::discover(roots),
            os_release: os_release::read(roots),
            links: links::discover(roots),
        }
    }
}

/// The latest discovery, shared by all requests.
pub struct DiscoveryCache {
    current: RwLock<(Instant, Arc<Discovered>)>,
    /// Held by the one request that rescans; others keep using the old result.
    rescanning: Mutex<()>,
    refresh: Duration,
}

impl DiscoveryCache {
    pub fn new(roots: &Roots, refresh: Duration) -> DiscoveryCache {
        DiscoveryCache {
            current: RwLock::new((Instant::now(), Arc::new(Discovered::scan(roots)))),
            rescanning: Mutex::new(()),
            refresh,
        }
    }

    fn read(&self) -> (Instant, Arc<Discovered>) {
        match self.current.read() {
            Ok(g) => (g.0, g.1.clone()),
            Err(p) => {
                let g = p.into_inner();
                (g.0, g.1.clone())
            }
        }
    }

    /// The current discovery, rescanned first when it is stale (by one
    /// caller at a time; concurrent callers get the previous one).
    pub fn get(&self, roots: &Roots) -> Arc<Discovered> {
        let (at, found) = self.read();
        if at.elapsed() < self.refresh {
            return found;
        }
        let Ok(_guard) = self.rescanning.try_lock() else {
            return found;
        };
        if self.read().0.elapsed() < self.refresh {
            return self.read().1;
        }
        let fresh = Arc::new(Discovered::scan(roots));
        match self.current.write() {
            Ok(mut g) => *g = (Instant::now(), fresh.clone()),
            Err(p) => *p.into_inner() = (Instant::now(), fresh.clone()),
        }
        fresh
    }

    /// Replace the mount table (rescanned by the storage watcher, more often
    /// than the rest, so a mount's read-only flag is never long out of date).
    pub fn set_mounts(&self, mounts: Vec<Mount>) {
        let mut g = match self.current.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if g.1.mounts != mounts {
            let mut updated = (*g.1).clone();
            updated.mounts = mounts;
            g.1 = Arc::new(updated);
        }
    }
}
