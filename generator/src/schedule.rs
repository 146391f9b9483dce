//! When `lookout run` acts: ticks aligned to the interval, a step that overruns skips the ticks it missed, one catch-up snapshot after downtime; the clock is injectable.

use std::time::Duration;

/// Time as the scheduler sees it. The real one sleeps and listens for SIGINT/SIGTERM; tests use
/// one that jumps.
pub trait Clock {
    fn now_ms(&mut self) -> i64;
    /// Waits until `t_ms`; true when a stop was asked for (before or while waiting).
    fn wait_until(&mut self, t_ms: i64) -> bool;
}

/// One scheduled step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// The aligned time this step stands for (for a catch-up, the time it started).
    pub at_ms: i64,
    /// A catch-up after downtime: the newest stored snapshot was more than an interval old.
    pub catch_up: bool,
    /// Ticks skipped just before this one because the previous step overran.
    pub skipped: u64,
}

/// The first multiple of `interval_ms` after `t_ms`.
pub fn aligned_after(t_ms: i64, interval_ms: i64) -> i64 {
    (t_ms.div_euclid(interval_ms) + 1) * interval_ms
}

/// The tick plan: where the next tick is, given what happened so far.
#[derive(Debug, Clone)]
pub struct Ticks {
    interval_ms: i64,
    next: Tick,
}

impl Ticks {
    /// The first tick: now, as a catch-up, when the newest snapshot is older than one interval
    /// (or there is none); else the next aligned time.
    pub fn start(now_ms: i64, interval: Duration, newest_snapshot_ms: Option<i64>) -> Ticks {
        let interval_ms = interval.as_millis().max(1) as i64;
        let behind = newest_snapshot_ms.is_none_or(|t| now_ms - t > interval_ms);
        let next = if behind {
            Tick {
                at_ms: now_ms,
                catch_up: true,
                skipped: 0,
            }
        } else {
            Tick {
                at_ms: aligned_after(now_ms, interval_ms),
                catch_up: false,
                skipped: 0,
            }
        };
        Ticks { interval_ms, next }
    }

    pub fn next(&self) -> Tick {
        self.next
    }

    /// After the step for the current tick finished at `done_ms`: the following aligned tick,
    /// skipping (and counting) those that passed while the step ran, never running two at once.
    pub fn advance(&mut self, done_ms: i64) -> Tick {
        let after = aligned_after(self.next.at_ms, self.interval_ms);
        let next_at = if done_ms <= after {
            after
        } else {
            aligned_after(done_ms, self.interval_ms)
        };
        self.next = Tick {
            at_ms: next_at,
            catch_up: false,
            skipped: ((next_at - after) / self.interval_ms) as u64,
        };
        self.next
    }
}

/// Runs `step` on every tick until a stop (or after one step when `once`). A stop that arrives
/// during a step lets it finish; the loop ends before the next.
pub fn drive<C: Clock, E>(
    clock: &mut C,
    interval: Duration,
    newest_snapshot_ms: Option<i64>,
    once: bool,
    mut step: impl FnMut(&mut C, Tick) -> Result<(), E>,
) -> Result<(), E> {
    let now = clock.now_ms();
    let mut ticks = Ticks::start(now, interval, newest_snapshot_ms);
    loop {
        let tick = ticks.next();
        if clock.wait_until(tick.at_ms) {
            return Ok(());
        }
        if tick.catch_up {
            tracing::info!(
                "catching up: the newest snapshot is more than one interval old (downtime)"
            );
        }
        if tick.skipped > 0 {
            tracing::warn!(
                skipped = tick.skipped,
                "the previous step overran its interval; skipped the ticks it missed"
            );
        }
        step(clock, tick)?;
        if once {
            return Ok(());
        }
        let done = clock.now_ms();
        ticks.advance(done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1000;

    /// A clock that jumps to whatever is waited for; steps move it by their own duration.
    struct Fake {
        now: i64,
        waits: Vec<i64>,
        stop_after_waits: usize,
    }

    impl Clock for Fake {
        fn now_ms(&mut self) -> i64 {
            self.now
        }
        fn wait_until(&mut self, t: i64) -> bool {
            self.waits.push(t);
            if self.waits.len() > self.stop_after_waits {
                return true;
            }
            self.now = self.now.max(t);
            false
        }
    }

    fn run(now: i64, newest: Option<i64>, durations: &[i64]) -> (Vec<Tick>, Vec<i64>) {
        let mut clock = Fake {
            now,
            waits: vec![],
            stop_after_waits: durations.len(),
        };
        let mut seen = Vec::new();
        let mut i = 0;
        drive(
            &mut clock,
            Duration::from_secs(10),
            newest,
            false,
            |c: &mut Fake, t| {
                seen.push(t);
                c.now += durations[i];
                i += 1;
                Ok::<(), ()>(())
            },
        )
        .expect("runs");
        let starts = clock.waits.clone();
        (seen, starts)
    }

    #[test]
    fn ticks_are_aligned_to_the_interval() {
        // Started at 12.3 s with a fresh snapshot at 5 s: ticks at 20, 30, 40 s.
        let (ticks, _) = run(12_300, Some(5 * S), &[100, 100, 100]);
        let at: Vec<i64> = ticks.iter().map(|t| t.at_ms).collect();
        assert_eq!(at, vec![20 * S, 30 * S, 40 * S]);
        assert!(ticks.iter().all(|t| !t.catch_up && t.skipped == 0));
    }

    #[test]
    fn an_overrun_skips_the_missed_ticks_and_never_doubles() {
        // The step at 20 s takes 25 s (ends at 45 s): 30 and 40 are skipped, the next is 50.
        let (ticks, _) = run(12_300, Some(5 * S), &[25 * S, 100, 100]);
        let at: Vec<(i64, u64)> = ticks.iter().map(|t| (t.at_ms, t.skipped)).collect();
        assert_eq!(at, vec![(20 * S, 0), (50 * S, 2), (60 * S, 0)]);
        // Ending exactly on the next tick is on time; a millisecond later, that tick is missed.
        let (ticks, _) = run(12_300, Some(5 * S), &[10 * S, 100]);
        assert_eq!((ticks[1].at_ms, ticks[1].skipped), (30 * S, 0));
        let (ticks, _) = run(12_300, Some(5 * S), &[10 * S + 1, 100]);
        assert_eq!((ticks[1].at_ms, ticks[1].skipped), (40 * S, 1));
    }

    #[test]
    fn after_downtime_one_catch_up_snapshot_now_then_aligned() {
        // The newest snapshot is an hour old: one step now, then back on the grid.
        let (ticks, _) = run(3_600 * S + 1_234, Some(1_000), &[300, 300]);
        assert_eq!(ticks[0].at_ms, 3_600 * S + 1_234);
        assert!(ticks[0].catch_up);
        assert_eq!((ticks[1].at_ms, ticks[1].catch_up), (3_610 * S, false));
        // An empty store is caught up at once too.
        let (ticks, _) = run(7 * S, None, &[1]);
        assert_eq!((ticks[0].at_ms, ticks[0].catch_up), (7 * S, true));
    }

    #[test]
    fn a_stop_ends_the_loop_before_the_next_step() {
        let mut clock = Fake {
            now: 0,
            waits: vec![],
            stop_after_waits: 1,
        };
        let mut steps = 0;
        drive(
            &mut clock,
            Duration::from_secs(10),
            Some(0),
            false,
            |_: &mut Fake, _| {
                steps += 1;
                Ok::<(), ()>(())
            },
        )
        .expect("runs");
        assert_eq!(
            steps, 1,
            "the step in progress finished; none after the stop"
        );
    }
}
