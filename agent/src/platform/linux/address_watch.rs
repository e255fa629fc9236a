//! The kernel's interface IPv4 addresses (getifaddrs), asked again only
//! when they may have changed: a netlink socket subscribed to link and
//! IPv4 address changes tells, with one non-blocking `recv`, whether
//! anything happened since the last answer. getifaddrs itself opens a
//! netlink socket and dumps every link with its statistics, the most
//! expensive part of a lone collection; addresses rarely change.

use crate::platform::shared::{kernel_addresses, Addresses};
use rustix::fd::OwnedFd;
use rustix::io::Errno;
use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::{AddressFamily, RecvFlags, SocketFlags, SocketType};
use std::sync::{Mutex, MutexGuard};

/// rtnetlink multicast groups: link changes (flags, names) and IPv4
/// address changes.
const RTMGRP_LINK: u32 = 0x1;
const RTMGRP_IPV4_IFADDR: u32 = 0x10;

/// How many queued notifications one check drains before it stops and
/// just asks again (a storm of link events).
const MAX_DRAIN: usize = 64;

#[derive(Debug, Default)]
struct Known {
    /// None until the first answer, and after a notification.
    addresses: Option<Addresses>,
}

/// getifaddrs' IPv4 addresses, kept until a change is announced.
#[derive(Debug)]
pub struct AddressWatch {
    /// None when the socket could not be made: every read asks the kernel.
    socket: Option<OwnedFd>,
    known: Mutex<Known>,
}

impl Default for AddressWatch {
    fn default() -> AddressWatch {
        AddressWatch::new()
    }
}

/// A non-blocking rtnetlink socket subscribed to link and IPv4 address changes.
fn subscribe() -> Option<OwnedFd> {
    let fd = rustix::net::socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
        None, // NETLINK_ROUTE
    )
    .ok()?;
    // only whether something arrived matters: a small queue that overflows
    // (ENOBUFS) says so as well
    let _ = rustix::net::sockopt::set_socket_recv_buffer_size(&fd, 4096);
    let groups = SocketAddrNetlink::new(0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR);
    rustix::net::bind(&fd, &groups).ok()?;
    Some(fd)
}

/// Whether any notification (or an overflow of them) is queued; drains them.
fn changed(socket: &OwnedFd) -> bool {
    let mut buf = [0u8; 8192];
    let mut any = false;
    for _ in 0..MAX_DRAIN {
        match rustix::net::recv(socket, &mut buf[..], RecvFlags::DONTWAIT) {
            Ok(_) => any = true,
            Err(Errno::AGAIN) => return any,
            Err(Errno::INTR) => {}
            // ENOBUFS: notifications were lost, so something changed
            Err(_) => any = true,
        }
    }
    true
}

impl AddressWatch {
    pub fn new() -> AddressWatch {
        AddressWatch {
            socket: subscribe(),
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
        let Some(socket) = &self.socket else {
            return kernel_addresses();
        };
        let mut known = self.lock();
        // drain first, then ask: a change during the dump is seen next time
        if changed(socket) {
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
        assert!(watch.socket.is_some(), "rtnetlink socket");
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
