//! Where interface IPv4 addresses come from. getifaddrs(3) answers for the
//! agent's own network namespace, which is the procfs root's only when that
//! root is the agent's own `/proc` or its pid 1 shares our namespace. A
//! captured tree (a fixture, a copied host) carries its addresses in an
//! `ip-addr` file beside `proc/` (the output of `ip -o addr show`). Anything
//! else (a container watching `/host/proc` from its own namespace) reports
//! no address rather than pairing the host's interfaces with its own.

use super::address_watch::AddressWatch;
use super::files::{read_text, Roots};
pub use crate::platform::shared::{kernel_addresses, Addresses, Ipv4Info};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// The file a captured tree keeps its addresses in, beside `proc/`.
pub const ADDRESS_FILE: &str = "ip-addr";

#[derive(Debug)]
pub enum AddressSource {
    /// getifaddrs: the agent's network namespace is the host's; asked again
    /// only after the kernel announced a change.
    Kernel(AddressWatch),
    /// `ip -o addr show` output captured with the tree.
    File(PathBuf),
    /// The procfs root is another namespace's and carries no address file.
    Unknown,
}

/// The `net` namespace link of a procfs directory (`<procfs>/1/ns/net`).
fn net_namespace(path: &Path) -> Option<PathBuf> {
    std::fs::read_link(path).ok()
}

impl AddressSource {
    /// The source for a procfs root: the agent's own `/proc`, or a root
    /// whose pid 1 shares our network namespace, is the kernel's; else the
    /// tree's address file when it has one; else unknown.
    pub fn for_roots(roots: &Roots) -> AddressSource {
        let own_proc = std::fs::canonicalize(&roots.procfs).is_ok_and(|p| p == Path::new("/proc"));
        if own_proc {
            return AddressSource::Kernel(AddressWatch::new());
        }
        let file = roots.rootfs().join(ADDRESS_FILE);
        if file.is_file() {
            return AddressSource::File(file);
        }
        let theirs = net_namespace(&roots.proc_path("1/ns/net"));
        if theirs.is_some() && theirs == net_namespace(Path::new("/proc/self/ns/net")) {
            return AddressSource::Kernel(AddressWatch::new());
        }
        AddressSource::Unknown
    }

    /// The current addresses.
    pub fn read(&self) -> Addresses {
        match self {
            AddressSource::Kernel(watch) => watch.addresses(),
            AddressSource::File(path) => read_text(path)
                .map(|t| parse_ip_addr(&t))
                .unwrap_or_default(),
            AddressSource::Unknown => Vec::new(),
        }
    }
}

/// The `inet` lines of `ip -o addr show`:
/// `3: wlan0    inet 192.168.1.23/24 brd 192.168.1.255 scope global wlan0\ ...`.
pub fn parse_ip_addr(text: &str) -> Addresses {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let name = f.get(1)?.split('@').next()?;
            let at = f.iter().position(|w| *w == "inet")?;
            let (ip, prefix) = f.get(at + 1)?.split_once('/')?;
            let ip: Ipv4Addr = ip.parse().ok()?;
            let prefix: u32 = prefix.parse().ok().filter(|p| *p <= 32)?;
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            let broadcast = f
                .iter()
                .position(|w| *w == "brd")
                .and_then(|b| f.get(b + 1))
                .and_then(|b| b.parse::<Ipv4Addr>().ok());
            Some((
                name.to_string(),
                Ipv4Info {
                    ip: ip.to_string(),
                    netmask: Ipv4Addr::from(mask).to_string(),
                    broadcast: broadcast.map(|b| b.to_string()),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_addr_output_parses() {
        let text = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n\
3: wlan0    inet 192.168.1.23/24 brd 192.168.1.255 scope global dynamic wlan0\\       valid_lft 1sec\n\
3: wlan0    inet6 fe80::1/64 scope link \\       valid_lft forever\n\
5: wg0    inet 10.8.0.2/32 scope global wg0\\       valid_lft forever\n\
7: veth1@if6    inet 172.17.0.1/16 brd 172.17.255.255 scope global veth1\n\
garbage\n9: x inet 1.2.3.4/40\n";
        let got = parse_ip_addr(text);
        let brief: Vec<(&str, &str, &str, Option<&str>)> = got
            .iter()
            .map(|(n, a)| {
                (
                    n.as_str(),
                    a.ip.as_str(),
                    a.netmask.as_str(),
                    a.broadcast.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                ("lo", "127.0.0.1", "255.0.0.0", None),
                (
                    "wlan0",
                    "192.168.1.23",
                    "255.255.255.0",
                    Some("192.168.1.255")
                ),
                ("wg0", "10.8.0.2", "255.255.255.255", None),
                ("veth1", "172.17.0.1", "255.255.0.0", Some("172.17.255.255")),
            ]
        );
    }

    #[test]
    fn the_source_follows_the_procfs_root() {
        let roots = |procfs: &Path| Roots::new(procfs.to_path_buf(), PathBuf::from("/sys"));
        let kernel = |s: AddressSource| matches!(s, AddressSource::Kernel(_));
        assert!(kernel(AddressSource::for_roots(&roots(Path::new("/proc")))));
        let dir = tempfile::tempdir().expect("tempdir");
        let tree = dir.path().to_path_buf();
        let proc = tree.join("proc");
        std::fs::create_dir_all(&proc).expect("mkdir");
        // another root without addresses and without our namespace: unknown
        assert!(matches!(
            AddressSource::for_roots(&roots(&proc)),
            AddressSource::Unknown
        ));
        // its pid 1 in our namespace: the kernel's addresses are its own
        std::fs::create_dir_all(proc.join("1/ns")).expect("mkdir");
        let ours = std::fs::read_link("/proc/self/ns/net").expect("own netns");
        std::os::unix::fs::symlink(&ours, proc.join("1/ns/net")).expect("symlink");
        assert!(kernel(AddressSource::for_roots(&roots(&proc))));
        // a captured address file wins
        std::fs::write(
            tree.join(ADDRESS_FILE),
            "2: eth0    inet 10.0.0.2/8 brd 10.255.255.255\n",
        )
        .expect("write");
        let source = AddressSource::for_roots(&roots(&proc));
        assert!(matches!(&source, AddressSource::File(f) if *f == tree.join(ADDRESS_FILE)));
        assert_eq!(source.read()[0].1.ip, "10.0.0.2");
    }
}
