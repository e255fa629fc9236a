//! Failed-authentication limits per client address: more than `limit`
//! failures within a minute blocks that address (429) for a while; other
//! addresses are not affected. IPv6 clients are counted by /64 (one host
//! usually owns a whole /64). The map is bounded. Pure: time is passed in.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The window in which failures are counted.
pub const WINDOW: Duration = Duration::from_secs(60);
/// How long an address stays blocked.
pub const BLOCK: Duration = Duration::from_secs(60);
/// At most this many addresses are tracked.
pub const MAX_TRACKED: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Entry {
    window_start: Instant,
    failures: u32,
    blocked_until: Option<Instant>,
}

#[derive(Debug)]
pub struct FailureLimiter {
    limit: u32,
    entries: HashMap<IpAddr, Entry>,
}

/// The address a client is counted under.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

impl FailureLimiter {
    pub fn new(limit: u32) -> Self {
        FailureLimiter {
            limit,
            entries: HashMap::new(),
        }
    }

    /// `Some(time left)` while `ip` is blocked.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let until = self.entries.get(&key(ip))?.blocked_until?;
        (until > now).then(|| until - now)
    }

    /// Count a failure; true when this one blocks the address.
    pub fn record_failure(&mut self, ip: IpAddr, now: Instant) -> bool {
        let k = key(ip);
        if !self.entries.contains_key(&k) && self.entries.len() >= MAX_TRACKED {
            self.make_room(now);
        }
        let e = self.entries.entry(k).or_insert(Entry {
            window_start: now,
            failures: 0,
            blocked_until: None,
        });
        if now.duration_since(e.window_start) >= WINDOW {
            *e = Entry {
                window_start: now,
                failures: 0,
                blocked_until: e.blocked_until.filter(|u| *u > now),
            };
        }
        e.failures = e.failures.saturating_add(1);
        if e.failures > self.limit && e.blocked_until.is_none_or(|u| u <= now) {
            e.blocked_until = Some(now + BLOCK);
            return true;
        }
        false
    }

    /// Drop entries whose window and block are over; if none is, the one
    /// whose window started first.
    fn make_room(&mut self, now: Instant) {
        self.entries.retain(|_, e| {
            now.duration_since(e.window_start) < WINDOW || e.blocked_until.is_some_and(|u| u > now)
        });
        if self.entries.len() >= MAX_TRACKED {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.window_start)
                .map(|(k, _)| *k)
            {
                self.entries.remove(&oldest);
            }
        }
    }

    pub fn tracked(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn more_than_limit_blocks_that_address_only() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(3);
        for i in 0..3 {
            assert!(!l.record_failure(ip("10.0.0.1"), t0 + Duration::from_secs(i)));
            assert_eq!(l.blocked(ip("10.0.0.1"), t0), None);
        }
        assert!(l.record_failure(ip("10.0.0.1"), t0 + Duration::from_secs(5)));
        let left = l
            .blocked(ip("10.0.0.1"), t0 + Duration::from_secs(6))
            .unwrap();
        assert_eq!(left, BLOCK - Duration::from_secs(1));
        assert_eq!(l.blocked(ip("10.0.0.2"), t0 + Duration::from_secs(6)), None);
        // the block ends
        assert_eq!(
            l.blocked(ip("10.0.0.1"), t0 + Duration::from_secs(66)),
            None
        );
    }

    #[test]
    fn failures_spread_over_more_than_a_minute_do_not_block() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(2);
        for i in 0..10u64 {
            assert!(!l.record_failure(ip("10.0.0.1"), t0 + Duration::from_secs(31 * i)));
        }
    }

    #[test]
    fn ipv6_counts_by_slash_64_and_mapped_v4_as_v4() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(1);
        l.record_failure(ip("2001:db8::1"), t0);
        assert!(l.record_failure(ip("2001:db8::2"), t0));
        assert!(l.blocked(ip("2001:db8::ffff"), t0).is_some());
        assert!(l.blocked(ip("2001:db8:0:1::1"), t0).is_none());
        l.record_failure(ip("::ffff:10.1.1.1"), t0);
        assert!(l.record_failure(ip("10.1.1.1"), t0));
    }

    #[test]
    fn the_map_stays_bounded_and_keeps_blocked_addresses() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(0);
        assert!(l.record_failure(ip("192.168.0.1"), t0));
        let later = t0 + WINDOW + Duration::from_secs(1);
        for i in 0..(MAX_TRACKED as u32 + 100) {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            l.record_failure(a, later);
        }
        assert!(l.tracked() <= MAX_TRACKED);
    }
}
