//! The kernel's interface IPv4 addresses (getifaddrs), asked again only
//! when they may have changed: a netlink socket subscribed to link and
//! IPv4 address changes tells, with one non-blocking `recv`, whether
//! anything happened since the last answer. getifaddrs itself opens a
//! netlink socket and dumps every link with its statistics, the most
//! expensive part of a lone collection; addresses rarely change.

use super::netlink_watch::{NetlinkWatch, RTMGRP_IPV4_IFADDR, RTMGRP_LINK};
use crate::platform::shared::{kernel_addresses, Addresses};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct Known {
    /// None until the first answer, and after a notification.
    addresses: Option<Addresses>,
}

/// getifaddrs' IPv4 addresses, kept until a change is announced.
#[derive(Debug)]
pub struct AddressWatch {
    /// Link and IPv4 address changes; without a socket every read asks the kernel.
    watch: NetlinkWatch,
    known: Mutex<Known>,
}

impl Default for AddressWatch {
    fn default() -> AddressWatch {
        AddressWatch::new()
    }
}

impl AddressWatch {
    pub fn new() -> AddressWatch {
        AddressWatch {
            watch: NetlinkWatch::subscribe(RTMGRP_LINK | RTMGRP_IPV4_IFADDR),
            known: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Known> {
        match self.known.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The current IPv4 addresses: the last answer when nothing was
    /// announced since, else getifaddrs again.
    pub fn addresses(&self) -> Addresses {
        if !self.watch.is_subscribed() {
            return kernel_addresses();
        }
        let mut known = self.lock();
        // drain first, then ask: a change during the dump is seen next time
        if self.watch.changed() {
            known.addresses = None;
        }
        if let Some(a) = &known.addresses {
            return a.clone();
        }
        let fresh = kernel_addresses();
        known.addresses = Some(fresh.clone());
        fresh
    }

    /// Whether the next `addresses` will ask the kernel (for tests).
    #[cfg(test)]
    fn is_known(&self) -> bool {
        self.lock().addresses.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(a: &Addresses) -> Vec<(String, String, String)> {
        a.iter()
            .map(|(n, i)| (n.clone(), i.ip.clone(), i.netmask.clone()))
            .collect()
    }

    #[test]
    fn the_same_answer_as_getifaddrs_and_kept_while_nothing_changes() {
        let watch = AddressWatch::new();
        assert!(watch.watch.is_subscribed(), "rtnetlink socket");
        assert_eq!(brief(&watch.addresses()), brief(&kernel_addresses()));
        assert!(watch.is_known());
        assert_eq!(brief(&watch.addresses()), brief(&kernel_addresses()));
    }

    /// In a network namespace of its own (root only): bringing `lo` up
    /// gives it 127.0.0.1, which the watch reports at once.
    #[test]
    fn a_new_address_is_seen_at_once() {
        let outcome = std::thread::spawn(|| {
            // SAFETY: moves only this thread into a new network namespace.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return None; // not root: nothing to prove here
            }
            let watch = AddressWatch::new();
            let before = brief(&watch.addresses());
            assert!(watch.is_known());
            // `ip` forked from this thread runs in its namespace
            let up = std::process::Command::new("ip")
                .args(["link", "set", "lo", "up"])
                .status()
                .ok()?;
            assert!(up.success(), "ip link set lo up");
            let after = brief(&watch.addresses());
            Some((before, after))
        })
        .join()
        .expect("namespace thread");
        let Some((before, after)) = outcome else {
            eprintln!("skipped: cannot make a network namespace (not root)");
            return;
        };
        assert!(before.is_empty(), "{before:?}");
        assert_eq!(
            after,
            vec![("lo".into(), "127.0.0.1".into(), "255.0.0.0".into())]
        );
    }
}
