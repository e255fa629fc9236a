//! The kernel's clock discipline as `adjtimex(2)` reports it (read-only:
//! `modes` 0), shared by the agent (`system.clock_synchronized`, the
//! `node_timex_*` metrics) and the forwarder (its clock gate). `read` is the
//! thin syscall shim; [`Timex`] is plain data, so what is derived from it is
//! pure and tested on every platform.

/// `adjtimex` returns this clock state while the clock is not synchronized.
pub const TIME_ERROR: i32 = 5;
/// `status` bit: the clock is not synchronized to a time source.
pub const STA_UNSYNC: i32 = 0x0040;
/// `status` bit: `offset` and `jitter` are in nanoseconds, not microseconds.
pub const STA_NANO: i32 = 0x2000;

/// The fields of the kernel's `struct timex` (raw units: see adjtimex(2)),
/// and the call's return value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timex {
    /// The call's return value: the clock state, `TIME_OK` (0) …
    /// [`TIME_ERROR`] (5).
    pub state: i32,
    /// Time offset, in µs (ns with [`STA_NANO`]).
    pub offset: i64,
    /// Frequency offset, in ppm with a 16-bit binary fraction.
    pub freq: i64,
    /// Maximum error, µs.
    pub maxerror: i64,
    /// Estimated error, µs.
    pub esterror: i64,
    /// Clock command/status bits (`STA_*`).
    pub status: i32,
    /// PLL time constant.
    pub constant: i64,
    /// Clock precision, µs.
    pub precision: i64,
    /// Clock frequency tolerance, ppm with a 16-bit fraction.
    pub tolerance: i64,
    /// µs between clock ticks.
    pub tick: i64,
    /// PPS frequency, ppm with a 16-bit fraction.
    pub ppsfreq: i64,
    /// PPS jitter, µs (ns with [`STA_NANO`]).
    pub jitter: i64,
    /// PPS interval duration, seconds (log2).
    pub shift: i32,
    /// PPS stability, ppm with a 16-bit fraction.
    pub stabil: i64,
    /// PPS count of jitter limit exceeded events.
    pub jitcnt: i64,
    /// PPS count of calibration intervals.
    pub calcnt: i64,
    /// PPS count of calibration errors.
    pub errcnt: i64,
    /// PPS count of stability limit exceeded events.
    pub stbcnt: i64,
    /// TAI offset, seconds.
    pub tai: i32,
}

impl Timex {
    /// Synchronized to a time source: neither the `TIME_ERROR` state nor
    /// the `STA_UNSYNC` bit.
    pub fn synchronized(&self) -> bool {
        self.state != TIME_ERROR && self.status & STA_UNSYNC == 0
    }
}

/// The kernel's clock state now; None where the call fails or does not
/// exist (macOS).
#[cfg(target_os = "linux")]
pub fn read() -> Option<Timex> {
    // SAFETY: with `modes` 0 (the zeroed struct), adjtimex only copies the
    // kernel's state into the struct it is given.
    let (rc, t) = unsafe {
        let mut t: libc::timex = std::mem::zeroed();
        let rc = libc::adjtimex(&mut t);
        (rc, t)
    };
    if rc < 0 {
        return None;
    }
    // the fields are `long` (i32 on 32-bit ARM)
    #[allow(clippy::unnecessary_cast)]
    Some(Timex {
        state: rc,
        offset: t.offset as i64,
        freq: t.freq as i64,
        maxerror: t.maxerror as i64,
        esterror: t.esterror as i64,
        status: t.status,
        constant: t.constant as i64,
        precision: t.precision as i64,
        tolerance: t.tolerance as i64,
        tick: t.tick as i64,
        ppsfreq: t.ppsfreq as i64,
        jitter: t.jitter as i64,
        shift: t.shift,
        stabil: t.stabil as i64,
        jitcnt: t.jitcnt as i64,
        calcnt: t.calcnt as i64,
        errcnt: t.errcnt as i64,
        stbcnt: t.stbcnt as i64,
        tai: t.tai,
    })
}

/// No `adjtimex` here.
#[cfg(not(target_os = "linux"))]
pub fn read() -> Option<Timex> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronized_needs_no_time_error_and_no_unsync_bit() {
        let ok = Timex {
            state: 0,
            status: STA_NANO,
            ..Default::default()
        };
        assert!(ok.synchronized());
        let unsync = Timex {
            status: STA_UNSYNC,
            ..ok
        };
        assert!(!unsync.synchronized());
        let error = Timex {
            state: TIME_ERROR,
            ..ok
        };
        assert!(!error.synchronized());
        // TIME_INS (1, a leap second ahead) is still synchronized
        assert!(Timex { state: 1, ..ok }.synchronized());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernel_answers_with_a_plausible_tick() {
        let t = read().expect("adjtimex");
        // USER_HZ 100 → 10000 µs per tick (the kernel allows ±10 %)
        assert!((9000..=11000).contains(&t.tick), "{t:?}");
        assert!((0..=5).contains(&t.state), "{t:?}");
    }
}
