//! The one way a test waits: poll a condition until it holds or a deadline passes. Never a
//! sleep standing in for a condition.

use std::fmt::Display;
use std::time::{Duration, Instant};

/// How often a condition is looked at again.
const INTERVAL: Duration = Duration::from_millis(50);

/// Polls `probe` until it is ready, and returns what it gave; fails the test after `within`,
/// naming `what` was waited for (and, for a probe that returns `Err`, what it saw last).
///
/// A probe returns `bool` (true: ready), `Option<T>` (`Some`: ready with `T`) or
/// `Result<T, E>` (`Ok`: ready with `T`; `Err`: not yet, and why, for the failure message).
#[track_caller]
pub fn wait_for<R: Ready>(what: &str, within: Duration, mut probe: impl FnMut() -> R) -> R::Value {
    let deadline = Instant::now() + within;
    loop {
        let last = match probe().ready() {
            Ok(value) => return value,
            Err(last) => last,
        };
        if Instant::now() >= deadline {
            match last {
                Some(last) => panic!("gave up after {within:?} waiting for {what}: {last}"),
                None => panic!("gave up after {within:?} waiting for {what}"),
            }
        }
        std::thread::sleep(INTERVAL);
    }
}

/// What a probe of [`wait_for`] answers: ready with a value, or not yet (with, perhaps, what
/// it saw instead).
pub trait Ready {
    type Value;
    fn ready(self) -> Result<Self::Value, Option<String>>;
}

impl Ready for bool {
    type Value = ();
    fn ready(self) -> Result<(), Option<String>> {
        if self { Ok(()) } else { Err(None) }
    }
}

impl<T> Ready for Option<T> {
    type Value = T;
    fn ready(self) -> Result<T, Option<String>> {
        self.ok_or(None)
    }
}

impl<T, E: Display> Ready for Result<T, E> {
    type Value = T;
    fn ready(self) -> Result<T, Option<String>> {
        self.map_err(|last| Some(last.to_string()))
    }
}

#[test]
fn wait_for_returns_what_the_probe_gave_once_ready() {
    let mut looks = 0;
    let seen = wait_for("the third look", Duration::from_secs(10), || {
        looks += 1;
        (looks == 3).then_some(looks)
    });
    assert_eq!(seen, 3);
}

#[test]
#[should_panic(expected = "waiting for the impossible: still nothing")]
fn wait_for_fails_naming_what_it_waited_for_and_what_it_saw_last() {
    wait_for("the impossible", Duration::ZERO, || {
        Err::<(), _>("still nothing")
    });
}
