//! Clocks: the wall clock, and one driven by the replayed comments' times.
use crate::ports::Clock;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told, and never backwards (replay: expiry is deterministic).
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(AtomicI64::new(start.timestamp_millis()))
    }
    /// Moves to `t` if it is later than now.
    pub fn advance_to(&self, t: DateTime<Utc>) {
        self.0.fetch_max(t.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        super::from_ms(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_manual_clock_never_goes_backwards() {
        let t0 = Utc.timestamp_opt(1_000, 0).single().expect("time");
        let clock = ManualClock::new(t0);
        clock.advance_to(Utc.timestamp_opt(2_000, 0).single().expect("time"));
        clock.advance_to(t0);
        assert_eq!(clock.now().timestamp(), 2_000);
    }
}
