//! Bounded waits: every wait has a name and a deadline, and ends as soon as its condition
//! holds. fantoccini's own waits cover "an element appears"; everything else (a switch reads
//! off, a banner is gone, a driver listens) polls a condition here.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

/// The first and the longest pause between two looks at a condition.
const FIRST_POLL: Duration = Duration::from_millis(20);
const LONGEST_POLL: Duration = Duration::from_millis(200);

/// Why a wait ended without its condition.
#[derive(Debug)]
pub enum WaitError<E> {
    TimedOut { what: String, after: Duration },
    Failed(E),
}

impl<E: fmt::Display> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut { what, after } => {
                write!(
                    f,
                    "gave up waiting for {what} after {}s",
                    after.as_secs_f32()
                )
            }
            WaitError::Failed(err) => err.fmt(f),
        }
    }
}

/// Looks at `check` until it yields a value, fails, or `timeout` passes. `Ok(None)` from
/// `check` means "not yet".
pub async fn until<T, E>(
    what: &str,
    timeout: Duration,
    check: impl AsyncFnMut() -> Result<Option<T>, E>,
) -> Result<T, WaitError<E>> {
    // In a page flow, a wait on a condition of the page (for the run's bound).
    let _waiting = crate::run_bound::waiting(crate::run_bound::Wait::PageCondition);
    until_polling(what, timeout, FIRST_POLL, LONGEST_POLL, check).await
}

/// `until`, looking every `every` throughout: for a condition whose every millisecond
/// counts (the driver listening, after which its secret path is hidden).
pub async fn until_every<T, E>(
    what: &str,
    timeout: Duration,
    every: Duration,
    check: impl AsyncFnMut() -> Result<Option<T>, E>,
) -> Result<T, WaitError<E>> {
    until_polling(what, timeout, every, every, check).await
}

async fn until_polling<T, E>(
    what: &str,
    timeout: Duration,
    first_poll: Duration,
    longest_poll: Duration,
    mut check: impl AsyncFnMut() -> Result<Option<T>, E>,
) -> Result<T, WaitError<E>> {
    let deadline = Instant::now() + timeout;
    let mut pause = first_poll;
    loop {
        if let Some(value) = check().await.map_err(WaitError::Failed)? {
            return Ok(value);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::TimedOut {
                what: what.to_string(),
                after: timeout,
            });
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(longest_poll);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_as_soon_as_the_condition_holds() {
        let mut looks = 0;
        let value = until("the third look", Duration::from_secs(5), async || {
            looks += 1;
            Ok::<_, String>((looks == 3).then_some(looks))
        })
        .await
        .unwrap();
        assert_eq!(value, 3);
    }

    #[tokio::test]
    async fn names_what_it_waited_for_when_time_runs_out() {
        let err = until("nothing", Duration::from_millis(30), async || {
            Ok::<Option<()>, String>(None)
        })
        .await
        .unwrap_err();
        assert!(
            err.to_string().starts_with("gave up waiting for nothing"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_failure_ends_the_wait() {
        let err = until("a failure", Duration::from_secs(5), async || {
            Err::<Option<()>, _>("broken".to_string())
        })
        .await
        .unwrap_err();
        assert!(matches!(err, WaitError::Failed(ref e) if e == "broken"));
    }
}
