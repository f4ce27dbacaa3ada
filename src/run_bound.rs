//! The whole run's bound: how long one account's page flow may take, whatever the site and
//! the WebDriver server do, and the exit code it stops with when that runs out; and the
//! limit on any one answer of the WebDriver server, which the bound is made of.
//!
//! Every wait has its own deadline already (`--timeout` for a page, a little more for each
//! answer of the WebDriver server); the bound catches a site that keeps each one busy until
//! just before it. When it runs out, the run stops with the code the wait it was in would
//! have ended with on its own deadline (`Wait::exit_code`, the one place for that mapping):
//! so a bound reached while a page loads is the site's fault (9), not the tool's.
//!
//! The page layer marks its waits with `waiting`; the mark lives in a task-local that
//! `within` sets up, so code outside a bounded flow (the `login` command) marks nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Error, exit};

/// How many waits of `--timeout` (plus the WebDriver margin) one account's page flow may take
/// in all: sign-in page, sign-in, checkpoint, feed, Me menu, Settings & Privacy, Data
/// privacy, the setting, the switch, its save, the reload, the reading after it.
pub const STEPS: u32 = 12;

/// How much longer than `--timeout` the tool waits for any one answer of the WebDriver server:
/// enough for a working server to report its own page-load or script timeout first.
pub const COMMAND_MARGIN: Duration = Duration::from_secs(5);

/// The longest wait for one answer of the WebDriver server (new session and every command).
pub fn command_limit(timeout: Duration) -> Duration {
    timeout + COMMAND_MARGIN
}

/// Replaces the bound with this many seconds, for tests that reach it in seconds rather
/// than in `STEPS` × (`--timeout` + 5 s).
pub const ENV: &str = "LINKEDIN_OPTOUT_RUN_BOUND";

/// The largest value `ENV` takes: the bound at the largest `--timeout`.
const MAX_SECONDS: u64 = 12 * (3600 + 5);

/// The kind of wait an account's flow is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// A page being opened or reloaded, until it has loaded (the session's `pageLoad`).
    PageLoad,
    /// A condition on a loaded page: the switch, a banner, a saved change (`--timeout`).
    PageCondition,
    /// Any other answer of the WebDriver server (a click, a cookie, a script).
    WebDriverAnswer,
}

impl Wait {
    /// The exit code of a run whose bound ran out during this wait: the code the wait ends
    /// with on its own deadline.
    pub fn exit_code(self) -> u8 {
        match self {
            Wait::PageLoad => exit::UNREACHABLE,
            Wait::PageCondition => exit::PAGE_NOT_UNDERSTOOD,
            Wait::WebDriverAnswer => exit::BROWSER_UNAVAILABLE,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Wait::PageLoad => "waiting for the page to load",
            Wait::PageCondition => "waiting for the page to show what the step needs",
            Wait::WebDriverAnswer => "waiting for an answer of the WebDriver server",
        }
    }
}

/// Checks `ENV` where the settings are resolved: a whole number of seconds, 1 to `MAX_SECONDS`.
pub fn check_environment() -> Result<(), Error> {
    from_environment().map(|_| ())
}

fn from_environment() -> Result<Option<Duration>, Error> {
    let Some(value) = std::env::var_os(ENV) else {
        return Ok(None);
    };
    let seconds = value
        .to_str()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|seconds| (1..=MAX_SECONDS).contains(seconds));
    match seconds {
        Some(seconds) => Ok(Some(Duration::from_secs(seconds))),
        None => Err(Error::Usage(format!(
            "environment variable {ENV} = {value:?}: the run's bound in whole seconds, from 1 to {MAX_SECONDS} (it is for tests: unset it)"
        ))),
    }
}

/// The longest an account's page flow may take with `--timeout` `timeout`:
/// `STEPS` × (`timeout` + the WebDriver margin), or `ENV` when it is set.
pub fn bound(timeout: Duration) -> Duration {
    from_environment()
        .ok()
        .flatten()
        .unwrap_or_else(|| command_limit(timeout) * STEPS)
}

/// How the bound was set, for the message.
fn origin() -> String {
    match from_environment() {
        Ok(Some(_)) => format!("set by {ENV}"),
        _ => format!("{STEPS} × (`--timeout` + {} s)", COMMAND_MARGIN.as_secs()),
    }
}

type Current = Arc<Mutex<Option<Wait>>>;

tokio::task_local! {
    static CURRENT: Current;
}

/// Marks the wait in progress until the guard is dropped. The outermost mark counts: a
/// condition checked while a page loads is part of the load.
#[must_use = "the mark lasts as long as the guard"]
pub fn waiting(wait: Wait) -> Waiting {
    let set = CURRENT
        .try_with(|current| {
            let mut current = current.lock().unwrap_or_else(|e| e.into_inner());
            current.is_none() && {
                *current = Some(wait);
                true
            }
        })
        .unwrap_or(false);
    Waiting { set }
}

/// A mark of the wait in progress (`waiting`).
pub struct Waiting {
    set: bool,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.set {
            let _ = CURRENT.try_with(|current| {
                *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
            });
        }
    }
}

/// Why a flow was stopped by its bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub bound: Duration,
    pub wait: Wait,
}

impl Reached {
    /// The error to report: the wait's code (`Wait::exit_code`), naming the bound, how it
    /// was set, the step (`step`, as announced) and the wait.
    pub fn error(&self, step: &str, base_url: &str) -> Error {
        let why = format!(
            "the run did not finish within {} s (its bound, {}); it was at: {}, {}",
            self.bound.as_secs(),
            origin(),
            if step.is_empty() { "starting" } else { step },
            self.wait.describe()
        );
        match self.wait.exit_code() {
            exit::UNREACHABLE => Error::Unreachable {
                url: base_url.to_string(),
                why,
            },
            exit::PAGE_NOT_UNDERSTOOD => Error::PageNotUnderstood {
                url: base_url.to_string(),
                what: why,
                artifacts: None,
            },
            _ => Error::BrowserUnavailable(format!(
                "{why}: check the WebDriver server (`linkedin-optout doctor`), then run again"
            )),
        }
    }
}

/// Runs `flow` for at most `bound`, noting the wait it is in; the wait it was in when the
/// bound ran out, if it did. `flow` is dropped (its waits abandoned) before this returns.
pub async fn within<T>(bound: Duration, flow: impl Future<Output = T>) -> Result<T, Reached> {
    let current = Current::default();
    let flow = CURRENT.scope(current.clone(), flow);
    let mut flow = std::pin::pin!(flow);
    tokio::select! {
        done = &mut flow => Ok(done),
        () = tokio::time::sleep(bound) => {
            let wait = current
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or(Wait::WebDriverAnswer);
            Err(Reached { bound, wait })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wait_stops_with_the_code_of_its_own_deadline() {
        assert_eq!(Wait::PageLoad.exit_code(), 9);
        assert_eq!(Wait::PageCondition.exit_code(), 6);
        assert_eq!(Wait::WebDriverAnswer.exit_code(), 8);
        for wait in [Wait::PageLoad, Wait::PageCondition, Wait::WebDriverAnswer] {
            let error = Reached {
                bound: Duration::from_secs(7),
                wait,
            }
            .error("signing in", "https://www.linkedin.com/");
            assert_eq!(error.exit_code(), wait.exit_code(), "{wait:?}");
            let message = error.to_string();
            assert!(
                message.contains("did not finish within 7 s")
                    && message.contains("it was at: signing in"),
                "{message}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_outermost_wait_in_progress_is_the_one_reported() {
        let flow = async {
            let _load = waiting(Wait::PageLoad);
            let _settle = waiting(Wait::PageCondition);
            std::future::pending::<()>().await
        };
        let reached = within(Duration::from_secs(5), flow).await.unwrap_err();
        assert_eq!(reached.wait, Wait::PageLoad);

        let flow = async {
            drop(waiting(Wait::PageLoad));
            let _switch = waiting(Wait::PageCondition);
            std::future::pending::<()>().await
        };
        let reached = within(Duration::from_secs(5), flow).await.unwrap_err();
        assert_eq!(reached.wait, Wait::PageCondition);

        let reached = within(Duration::from_secs(5), std::future::pending::<()>())
            .await
            .unwrap_err();
        assert_eq!(reached.wait, Wait::WebDriverAnswer);
        assert_eq!(within(Duration::from_secs(5), async { 3 }).await, Ok(3));
    }

    #[test]
    fn a_mark_outside_a_bounded_flow_does_nothing() {
        drop(waiting(Wait::PageLoad));
    }
}
