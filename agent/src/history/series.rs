//! The history's series: which figures are kept, and how one snapshot (with
//! the previous one's counters, for rates) becomes one point of them. Pure.

use crate::snapshot::Snapshot;

/// The series, in column order (names of the `/history` arrays).
pub const SERIES: [&str; 14] = [
    "cpu_percent",
    "memory_percent",
    "swap_percent",
    "load1",
    "cpu_temperature_c",
    "net_recv_bytes_per_s",
    "net_sent_bytes_per_s",
    "disk_read_bytes_per_s",
    "disk_write_bytes_per_s",
    "disk_percent",
    "under_voltage",
    "arm_frequency_capped",
    "throttled",
    "soft_temperature_limit",
];

/// How many series.
pub const N: usize = SERIES.len();

/// One value per series; NaN where the value was unavailable.
pub type Point = [f32; N];

/// A point with every value unavailable.
pub const EMPTY: Point = [f32::NAN; N];

/// Cumulative counters behind the rate series, and when they were read
/// (seconds on any monotonic scale).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub at: f64,
    /// Names of the interfaces summed: a rate across a change of the set
    /// would be a jump, not traffic.
    pub interfaces: Vec<String>,
    pub net_recv: Option<u64>,
    pub net_sent: Option<u64>,
    pub disk_read: Option<u64>,
    pub disk_write: Option<u64>,
}

/// The counters of a snapshot: network bytes summed over the non-loopback
/// interfaces it lists, whole-disk read/write bytes.
pub fn counters(s: &Snapshot, at: f64) -> Counters {
    let nics: Vec<_> = s
        .network
        .interfaces
        .iter()
        .filter(|i| i.name != "lo")
        .collect();
    let sum = |f: fn(&crate::snapshot::Interface) -> u64| {
        (!nics.is_empty()).then(|| nics.iter().map(|i| f(i)).fold(0u64, u64::wrapping_add))
    };
    Counters {
        at,
        interfaces: nics.iter().map(|i| i.name.clone()).collect(),
        net_recv: sum(|i| i.bytes_recv),
        net_sent: sum(|i| i.bytes_sent),
        disk_read: s.disk_io.as_ref().map(|d| d.read_bytes),
        disk_write: s.disk_io.as_ref().map(|d| d.write_bytes),
    }
}

/// Per-second rate between two counter readings; None when either is
/// missing, time did not advance, or the counter went back (a reset).
fn rate(before: Option<u64>, after: Option<u64>, seconds: f64) -> Option<f64> {
    let (b, a) = (before?, after?);
    (seconds > 0.0 && a >= b).then(|| (a - b) as f64 / seconds)
}

fn value(v: Option<f64>) -> f32 {
    v.map_or(f32::NAN, |v| v as f32)
}

fn flag(v: Option<bool>) -> f32 {
    value(v.map(|b| if b { 1.0 } else { 0.0 }))
}

/// One point from a snapshot (with the CPU window already in it), its
/// counters, and the previous counters (None: the rates are unavailable).
pub fn point(s: &Snapshot, now: &Counters, before: Option<&Counters>) -> Point {
    let (mut rx, mut tx, mut rd, mut wr) = (None, None, None, None);
    if let Some(b) = before {
        let dt = now.at - b.at;
        if b.interfaces == now.interfaces {
            rx = rate(b.net_recv, now.net_recv, dt);
            tx = rate(b.net_sent, now.net_sent, dt);
        }
        rd = rate(b.disk_read, now.disk_read, dt);
        wr = rate(b.disk_write, now.disk_write, dt);
    }
    let throttled = s.raspberry_pi.as_ref().and_then(|p| p.throttled.as_ref());
    let t = |f: fn(&crate::snapshot::Throttled) -> bool| flag(throttled.map(f));
    [
        value(s.cpu.percent),
        value(s.memory.as_ref().map(|m| m.percent)),
        value(s.swap.as_ref().map(|m| m.percent)),
        value(s.load_avg.as_ref().map(|l| l.load1)),
        value(s.cpu.temperature_c),
        value(rx),
        value(tx),
        value(rd),
        value(wr),
        value(s.disk.as_ref().map(|d| d.percent)),
        t(|t| t.under_voltage_now),
        t(|t| t.arm_frequency_capped_now),
        t(|t| t.throttled_now),
        t(|t| t.soft_temperature_limit_now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DiskIo, Interface, Memory, RaspberryPi, Throttled};

    fn snap(rx: u64, read: u64) -> Snapshot {
        let mut s = Snapshot::default();
        s.cpu.percent = Some(12.5);
        s.memory = Some(Memory {
            percent: 40.0,
            ..Default::default()
        });
        s.network.interfaces = vec![
            Interface {
                name: "eth0".into(),
                bytes_recv: rx,
                bytes_sent: 10,
                ..Default::default()
            },
            Interface {
                name: "wlan0".into(),
                bytes_recv: rx,
                bytes_sent: 10,
                ..Default::default()
            },
        ];
        s.disk_io = Some(DiskIo {
            read_bytes: read,
            ..Default::default()
        });
        s
    }

    #[test]
    fn rates_are_per_second_over_all_interfaces() {
        let a = snap(1000, 5000);
        let b = snap(3000, 4000);
        let (ca, cb) = (counters(&a, 10.0), counters(&b, 15.0));
        let p = point(&b, &cb, Some(&ca));
        assert_eq!(p[0], 12.5);
        assert_eq!(p[1], 40.0);
        assert!(p[2].is_nan(), "no swap section: null");
        assert_eq!(p[5], 800.0, "(2 × 2000 bytes) / 5 s");
        assert_eq!(p[6], 0.0);
        assert!(p[7].is_nan(), "disk counter went back: a reset, not a rate");
        assert!(p[10].is_nan(), "not a Pi: flags null");
        let first = point(&a, &ca, None);
        assert!(first[5].is_nan(), "no previous reading: no rate");
    }

    #[test]
    fn a_changed_interface_set_gives_no_network_rate() {
        let a = snap(1000, 0);
        let mut b = snap(3000, 0);
        b.network.interfaces.pop();
        let p = point(&b, &counters(&b, 5.0), Some(&counters(&a, 0.0)));
        assert!(p[5].is_nan());
        assert_eq!(p[7], 0.0);
    }

    #[test]
    fn throttling_flags_are_zero_or_one() {
        let s = Snapshot {
            raspberry_pi: Some(RaspberryPi {
                throttled: Some(Throttled {
                    under_voltage_now: true,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let p = point(&s, &counters(&s, 0.0), None);
        assert_eq!(&p[10..], &[1.0, 0.0, 0.0, 0.0]);
    }
}
