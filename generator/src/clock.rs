//! The time every command acts at: the system clock, or one that starts at a given instant and
//! runs on from there (`--now`), so tests and replays never depend on the date or time of day.

/// Milliseconds since the Unix epoch by the system clock.
fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A clock at a fixed offset from the system's: it ticks at real speed, so schedules, timeouts
/// and sleeps behave as usual, but its date is whatever it was started at.
/// The default is the system clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    offset_ms: i64,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { offset_ms: 0 }
    }

    /// A clock that reads `start_ms` now and runs on from there.
    pub fn starting_at(start_ms: i64) -> Clock {
        Clock {
            offset_ms: start_ms - system_ms(),
        }
    }

    pub fn now_ms(self) -> i64 {
        system_ms() + self.offset_ms
    }

    /// How long until this clock reads `t_ms` (zero when it already has).
    pub fn until(self, t_ms: i64) -> std::time::Duration {
        std::time::Duration::from_millis((t_ms - self.now_ms()).max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_reads_its_start_and_runs_on() {
        let start = 1_790_000_000_000;
        let c = Clock::starting_at(start);
        let a = c.now_ms();
        assert!((start..start + 5_000).contains(&a), "{a}");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(c.now_ms() >= a + 20);
        assert!(c.until(a - 1).is_zero());
        assert!(c.until(c.now_ms() + 60_000) > std::time::Duration::from_secs(59));
        let sys = Clock::system().now_ms();
        assert!((sys - system_ms()).abs() < 5_000);
    }
}
