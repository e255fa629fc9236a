//! The two round-robin tiers, as rrdtool keeps them: the last hour at 5 s
//! (one point per slot) and the last 24 h at 1 min (average and maximum of
//! the fine points in that minute). Slots are addressed by time, so a
//! missed sample is a gap (null) and old slots are overwritten in place
//! (wrap-around). Fixed size, allocated once. Pure.

use super::series::{Point, EMPTY, N};

/// Fine tier: step and number of slots (1 h).
pub const FINE_STEP: i64 = 5;
pub const FINE_SLOTS: usize = 720;
/// Coarse tier: step and number of slots (24 h).
pub const COARSE_STEP: i64 = 60;
pub const COARSE_SLOTS: usize = 1440;

/// Marks a slot that holds nothing.
const NONE: i64 = i64::MIN;

/// One consolidated minute: average and maximum of each series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coarse {
    pub avg: Point,
    pub max: Point,
}

impl Coarse {
    pub const EMPTY: Coarse = Coarse {
        avg: EMPTY,
        max: EMPTY,
    };
}

/// A ring of `slots` values, each slot `step` seconds wide; a slot holds
/// the value of the time stamped on it, else nothing.
#[derive(Debug, Clone)]
pub struct Ring<T> {
    step: i64,
    stamps: Box<[i64]>,
    values: Box<[T]>,
}

impl<T: Copy> Ring<T> {
    pub fn new(step: i64, slots: usize, empty: T) -> Ring<T> {
        Ring {
            step,
            stamps: vec![NONE; slots].into_boxed_slice(),
            values: vec![empty; slots].into_boxed_slice(),
        }
    }

    pub fn step(&self) -> i64 {
        self.step
    }

    pub fn len(&self) -> usize {
        self.stamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stamps.is_empty()
    }

    /// `t` rounded down to the start of its slot.
    pub fn align(&self, t: i64) -> i64 {
        t.div_euclid(self.step) * self.step
    }

    fn index(&self, aligned: i64) -> usize {
        aligned
            .div_euclid(self.step)
            .rem_euclid(self.stamps.len() as i64) as usize
    }

    /// Store `v` as the value of the slot holding `t`.
    pub fn put(&mut self, t: i64, v: T) {
        let a = self.align(t);
        let i = self.index(a);
        self.stamps[i] = a;
        self.values[i] = v;
    }

    /// The value of the slot holding `t`, if that slot was written for it.
    pub fn get(&self, t: i64) -> Option<&T> {
        let a = self.align(t);
        let i = self.index(a);
        (self.stamps[i] == a).then(|| &self.values[i])
    }

    /// Every slot time of the window that ends with the slot holding `end`,
    /// oldest first, with its value or None (a gap).
    pub fn window(&self, end: i64) -> impl Iterator<Item = (i64, Option<&T>)> + '_ {
        let last = self.align(end);
        let n = self.stamps.len() as i64;
        (0..n).map(move |k| {
            let t = last - (n - 1 - k) * self.step;
            (t, self.get(t))
        })
    }

    /// The stored slots (time, value), in no particular order: for saving.
    pub fn stored(&self) -> impl Iterator<Item = (i64, &T)> + '_ {
        self.stamps
            .iter()
            .zip(self.values.iter())
            .filter(|(t, _)| **t != NONE)
            .map(|(t, v)| (*t, v))
    }

    /// Memory held by the ring's slots, in bytes.
    pub fn bytes(&self) -> usize {
        self.stamps.len() * (std::mem::size_of::<i64>() + std::mem::size_of::<T>())
    }
}

/// Average and maximum of each series over `points`, ignoring unavailable
/// values; a series with none at all stays unavailable.
pub fn consolidate<'a>(points: impl Iterator<Item = &'a Point>) -> Coarse {
    let mut sum = [0f64; N];
    let mut count = [0u32; N];
    let mut max = EMPTY;
    for p in points {
        for (k, v) in p.iter().enumerate() {
            if v.is_finite() {
                sum[k] += f64::from(*v);
                count[k] += 1;
                if max[k].is_nan() || *v > max[k] {
                    max[k] = *v;
                }
            }
        }
    }
    let mut avg = EMPTY;
    for k in 0..N {
        if count[k] > 0 {
            avg[k] = (sum[k] / f64::from(count[k])) as f32;
        }
    }
    Coarse { avg, max }
}

/// Both tiers.
#[derive(Debug, Clone)]
pub struct Tiers {
    pub fine: Ring<Point>,
    pub coarse: Ring<Coarse>,
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            fine: Ring::new(FINE_STEP, FINE_SLOTS, EMPTY),
            coarse: Ring::new(COARSE_STEP, COARSE_SLOTS, Coarse::EMPTY),
        }
    }
}

impl Tiers {
    /// Record the point sampled at `t` (Unix seconds): into the fine tier,
    /// and the minute it falls in is consolidated afresh from the fine
    /// points of that minute (so a restart mid-minute loses nothing that
    /// the fine tier kept).
    pub fn record(&mut self, t: i64, p: Point) {
        self.fine.put(t, p);
        let minute = self.coarse.align(t);
        let fine = &self.fine;
        let in_minute =
            (0..COARSE_STEP / FINE_STEP).filter_map(|k| fine.get(minute + k * FINE_STEP));
        let c = consolidate(in_minute);
        self.coarse.put(minute, c);
    }

    /// Memory held by both tiers, in bytes.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Tiers>() + self.fine.bytes() + self.coarse.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: f32) -> Point {
        let mut p = EMPTY;
        p[0] = v;
        p[1] = v * 2.0;
        p
    }

    #[test]
    fn coarse_keeps_average_and_maximum_of_the_minute() {
        let mut t = Tiers::default();
        for (k, v) in [10.0, 20.0, 30.0, 60.0].into_iter().enumerate() {
            t.record(6000 + 5 * k as i64, p(v));
        }
        let c = t.coarse.get(6000).expect("minute recorded");
        assert_eq!(c.avg[0], 30.0);
        assert_eq!(c.max[0], 60.0);
        assert_eq!(c.max[1], 120.0);
        assert!(c.avg[2].is_nan() && c.max[2].is_nan(), "never available");
        // a point in the next minute starts a new coarse slot
        t.record(6061, p(1.0));
        assert_eq!(t.coarse.get(6060).map(|c| c.avg[0]), Some(1.0));
        assert_eq!(t.coarse.get(6000).map(|c| c.max[0]), Some(60.0));
    }

    #[test]
    fn unavailable_values_are_left_out_of_the_average() {
        let mut t = Tiers::default();
        t.record(0, p(4.0));
        t.record(5, EMPTY);
        t.record(10, p(8.0));
        let c = t.coarse.get(0).expect("recorded");
        assert_eq!(c.avg[0], 6.0);
    }

    #[test]
    fn missed_samples_are_gaps() {
        let mut t = Tiers::default();
        t.record(1000, p(1.0));
        t.record(1010, p(3.0)); // 1005 missed
        let w: Vec<_> = t.fine.window(1010).collect();
        assert_eq!(w.len(), FINE_SLOTS);
        assert_eq!(w[FINE_SLOTS - 1].0, 1010);
        assert_eq!(w[FINE_SLOTS - 1].1.map(|p| p[0]), Some(3.0));
        assert_eq!(w[FINE_SLOTS - 2].1, None);
        assert_eq!(w[FINE_SLOTS - 3].1.map(|p| p[0]), Some(1.0));
        assert!(w[..FINE_SLOTS - 3].iter().all(|(_, v)| v.is_none()));
    }

    #[test]
    fn wrap_around_overwrites_the_oldest_slot() {
        let mut t = Tiers::default();
        let start = 1_700_000_000;
        let total = FINE_SLOTS as i64 + 10;
        for k in 0..total {
            t.record(start + k * FINE_STEP, p(k as f32));
        }
        let end = start + (total - 1) * FINE_STEP;
        let w: Vec<_> = t.fine.window(end).collect();
        // the window holds exactly the last hour, every slot filled
        assert!(w.iter().all(|(_, v)| v.is_some()));
        assert_eq!(w[0].1.map(|p| p[0]), Some(10.0));
        assert_eq!(w[FINE_SLOTS - 1].1.map(|p| p[0]), Some((total - 1) as f32));
        // the first ten are gone: their slots now hold newer times
        assert_eq!(t.fine.get(start), None);
        assert_eq!(t.fine.stored().count(), FINE_SLOTS);
    }

    #[test]
    fn a_window_long_after_the_last_sample_is_all_gaps() {
        let mut t = Tiers::default();
        t.record(100, p(1.0));
        assert!(t.fine.window(100 + 3600).all(|(_, v)| v.is_none()));
        assert!(t.coarse.window(100 + 86_400 - 60).any(|(_, v)| v.is_some()));
        assert!(t.coarse.window(100 + 86_400).all(|(_, v)| v.is_none()));
    }

    #[test]
    fn memory_is_bounded_well_under_one_megabyte() {
        let t = Tiers::default();
        let fine = FINE_SLOTS * (8 + 4 * N);
        let coarse = COARSE_SLOTS * (8 + 8 * N);
        assert_eq!(t.fine.bytes(), fine);
        assert_eq!(t.coarse.bytes(), coarse);
        assert!(t.bytes() < 1 << 20, "{} bytes", t.bytes());
    }
}
