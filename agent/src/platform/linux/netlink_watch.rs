//! A change signal from the kernel's routing netlink: a non-blocking socket
//! subscribed to some rtnetlink multicast groups. `changed` drains what
//! arrived since it was last asked and says whether anything did, so a
//! cache of link or address facts is kept until the kernel announces a
//! change (or the announcements overflowed the socket, which counts too).

use rustix::fd::OwnedFd;
use rustix::io::Errno;
use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::{AddressFamily, RecvFlags, SocketFlags, SocketType};

/// rtnetlink multicast group: link changes (flags, state, carrier, MTU,
/// queue length, devices added or removed).
pub const RTMGRP_LINK: u32 = 0x1;
/// rtnetlink multicast group: IPv4 address changes.
pub const RTMGRP_IPV4_IFADDR: u32 = 0x10;

/// How many queued notifications one check drains before it stops and
/// just reports a change (a storm of link events).
const MAX_DRAIN: usize = 64;

/// A subscription to rtnetlink groups.
#[derive(Debug)]
pub struct NetlinkWatch {
    /// None when the socket could not be made: every check is a change.
    socket: Option<OwnedFd>,
}

/// A non-blocking rtnetlink socket bound to `groups`.
fn subscribe(groups: u32) -> Option<OwnedFd> {
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
    rustix::net::bind(&fd, &SocketAddrNetlink::new(0, groups)).ok()?;
    Some(fd)
}

impl NetlinkWatch {
    /// Subscribe to `groups` (`RTMGRP_*` bits) in this thread's network namespace.
    pub fn subscribe(groups: u32) -> NetlinkWatch {
        NetlinkWatch {
            socket: subscribe(groups),
        }
    }

    /// Whether the kernel's announcements reach this watch (else `changed`
    /// is always true).
    pub fn is_subscribed(&self) -> bool {
        self.socket.is_some()
    }

    /// Whether any announcement (or an overflow of them) arrived since the
    /// last call; drains them. Always true without a socket.
    pub fn changed(&self) -> bool {
        let Some(socket) = &self.socket else {
            return true;
        };
        let mut buf = [0u8; 8192];
        let mut any = false;
        for _ in 0..MAX_DRAIN {
            match rustix::net::recv(socket, &mut buf[..], RecvFlags::DONTWAIT) {
                Ok(_) => any = true,
                Err(Errno::AGAIN) => return any,
                Err(Errno::INTR) => {}
                // ENOBUFS: announcements were lost, so something changed
                Err(_) => any = true,
            }
        }
        true
    }
}
