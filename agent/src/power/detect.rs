//! From successive readings of the Pi's flags to transitions: a flag that
//! comes on starts an event, one that goes off ends it. The first reading
//! turns what the firmware says happened "since boot" (or is on right now)
//! into one event per kind that began before the agent started. Pure.

use crate::snapshot::RaspberryPi;
use serde::Serialize;

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    UnderVoltage,
    ArmFrequencyCapped,
    Throttled,
    SoftTemperatureLimit,
    /// The `rpi_volt` hwmon chip's under-voltage alarm (`in0_lcrit_alarm`).
    UnderVoltageAlarm,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::UnderVoltage,
        Kind::ArmFrequencyCapped,
        Kind::Throttled,
        Kind::SoftTemperatureLimit,
        Kind::UnderVoltageAlarm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UnderVoltage => "under_voltage",
            Kind::ArmFrequencyCapped => "arm_frequency_capped",
            Kind::Throttled => "throttled",
            Kind::SoftTemperatureLimit => "soft_temperature_limit",
            Kind::UnderVoltageAlarm => "under_voltage_alarm",
        }
    }

    /// What a person reads in the journal and on the page.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::UnderVoltage => "under-voltage",
            Kind::ArmFrequencyCapped => "ARM frequency capped",
            Kind::Throttled => "CPU throttled",
            Kind::SoftTemperatureLimit => "soft temperature limit",
            Kind::UnderVoltageAlarm => "under-voltage alarm (rpi_volt)",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> Option<Kind> {
        Kind::ALL.get(i).copied()
    }
}

/// One reading: each kind on now (None: unreadable), and whether the
/// firmware says it happened since boot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub now: [Option<bool>; 5],
    pub since_boot: [bool; 5],
}

impl Flags {
    /// The flags in a `raspberry_pi` section.
    pub fn of(pi: &RaspberryPi) -> Flags {
        let mut f = Flags::default();
        if let Some(t) = &pi.throttled {
            f.now[0] = Some(t.under_voltage_now);
            f.now[1] = Some(t.arm_frequency_capped_now);
            f.now[2] = Some(t.throttled_now);
            f.now[3] = Some(t.soft_temperature_limit_now);
            f.since_boot[0] = t.under_voltage_since_boot;
            f.since_boot[1] = t.arm_frequency_capped_since_boot;
            f.since_boot[2] = t.throttled_since_boot;
            f.since_boot[3] = t.soft_temperature_limit_since_boot;
        }
        f.now[4] = pi.under_voltage_alarm;
        f
    }
}

/// A change seen at time `at` (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Started {
        kind: Kind,
        at: i64,
    },
    Ended {
        kind: Kind,
        at: i64,
    },
    /// At the first reading: it happened before the agent started, and is
    /// still going on (`ongoing`) or not.
    BeforeStart {
        kind: Kind,
        at: i64,
        ongoing: bool,
    },
}

/// Remembers the last known state of each kind.
#[derive(Debug, Clone, Default)]
pub struct Detector {
    on: Option<[bool; 5]>,
}

impl Detector {
    /// The transitions since the previous reading. An unreadable flag
    /// keeps its last known state.
    pub fn update(&mut self, flags: &Flags, at: i64) -> Vec<Transition> {
        let mut out = Vec::new();
        let Some(was) = self.on else {
            let mut on = [false; 5];
            for kind in Kind::ALL {
                let i = kind.index();
                on[i] = flags.now[i] == Some(true);
                if on[i] || flags.since_boot[i] {
                    out.push(Transition::BeforeStart {
                        kind,
                        at,
                        ongoing: on[i],
                    });
                }
            }
            self.on = Some(on);
            return out;
        };
        let mut on = was;
        for kind in Kind::ALL {
            let i = kind.index();
            let Some(now) = flags.now[i] else { continue };
            if now && !was[i] {
                out.push(Transition::Started { kind, at });
            } else if !now && was[i] {
                out.push(Transition::Ended { kind, at });
            }
            on[i] = now;
        }
        self.on = Some(on);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(now: [bool; 5], since: [bool; 5]) -> Flags {
        Flags {
            now: now.map(Some),
            since_boot: since,
        }
    }

    #[test]
    fn since_boot_flags_at_start_are_one_event_each_before_start() {
        let mut d = Detector::default();
        let t = d.update(
            &flags(
                [true, false, false, false, false],
                [true, false, true, false, false],
            ),
            100,
        );
        assert_eq!(
            t,
            vec![
                Transition::BeforeStart {
                    kind: Kind::UnderVoltage,
                    at: 100,
                    ongoing: true
                },
                Transition::BeforeStart {
                    kind: Kind::Throttled,
                    at: 100,
                    ongoing: false
                },
            ]
        );
        // the ongoing one ends later; since-boot bits alone change nothing
        let t = d.update(&flags([false; 5], [true, false, true, false, false]), 107);
        assert_eq!(
            t,
            vec![Transition::Ended {
                kind: Kind::UnderVoltage,
                at: 107
            }]
        );
    }

    #[test]
    fn flags_coming_on_and_off_start_and_end_events() {
        let mut d = Detector::default();
        assert!(d.update(&flags([false; 5], [false; 5]), 0).is_empty());
        let t = d.update(&flags([false, true, false, true, false], [false; 5]), 1);
        assert_eq!(
            t,
            vec![
                Transition::Started {
                    kind: Kind::ArmFrequencyCapped,
                    at: 1
                },
                Transition::Started {
                    kind: Kind::SoftTemperatureLimit,
                    at: 1
                },
            ]
        );
        assert!(d
            .update(&flags([false, true, false, true, false], [false; 5]), 2)
            .is_empty());
        let t = d.update(&flags([false, false, false, true, true], [false; 5]), 3);
        assert_eq!(
            t,
            vec![
                Transition::Ended {
                    kind: Kind::ArmFrequencyCapped,
                    at: 3
                },
                Transition::Started {
                    kind: Kind::UnderVoltageAlarm,
                    at: 3
                },
            ]
        );
    }

    #[test]
    fn an_unreadable_flag_keeps_its_state() {
        let mut d = Detector::default();
        d.update(&flags([true, false, false, false, false], [false; 5]), 0);
        let unreadable = Flags::default();
        assert!(d.update(&unreadable, 1).is_empty());
        let t = d.update(&flags([false; 5], [false; 5]), 2);
        assert_eq!(
            t,
            vec![Transition::Ended {
                kind: Kind::UnderVoltage,
                at: 2
            }]
        );
    }
}
