//! Power and heat events of a Raspberry Pi: transitions of the firmware's
//! throttling flags and of the `rpi_volt` under-voltage alarm, each an
//! event with a start, an end and a duration. `detect` compares readings
//! (pure), `events` keeps the last 200 and logs each start and end to the
//! journal.

pub mod detect;
pub mod events;

pub use detect::{Detector, Flags, Kind, Transition};
pub use events::{EventLog, PowerEvent, MAX_EVENTS};
