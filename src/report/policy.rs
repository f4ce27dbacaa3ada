//! The outcome table (README, "What each outcome does"): which results print under `--quiet`,
//! which run the notify command, and when a run must say that no run has read an account's
//! switches for too long. Pure: the past comes in as values, and so does the clock.

use jiff::{SignedDuration, Timestamp};

use super::AccountReport;
use crate::error::exit;
use crate::linkedin::outcome::{Outcome, SettingState};

/// What the history says about a report's switch (and its account) before this run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Past {
    /// What the last run that read this switch found: on, off or not offered.
    pub last_read: Option<SettingState>,
    /// When a run last read the switch off.
    pub last_off: Option<Timestamp>,
    /// The runs in a row, just before this one, whose reading of this switch ended in a
    /// passing failure (exit 8 or 9).
    pub passing_failures: u32,
    /// When the first of those runs was.
    pub failing_since: Option<Timestamp>,
    /// When a run last read any switch of the account.
    pub account_last_read: Option<Timestamp>,
    /// When the account's first recorded run was.
    pub account_first_run: Option<Timestamp>,
}

/// When the notify command hears of what does not need a person at once, and how long it
/// may take (config keys `notify_after_failures`, `notify_after_hours`, `stale_after_days`,
/// `notify_timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alerts {
    /// A passing failure notifies from this run in a row on.
    pub after_failures: u32,
    /// …or once the first of the failures in a row is this old.
    pub after: SignedDuration,
    /// No run has read any switch of an account for this long: the tool may be dead.
    pub stale_after: SignedDuration,
    /// How long the notify command may take before it is killed (`notify_timeout`).
    pub notify_timeout: std::time::Duration,
}

impl Default for Alerts {
    fn default() -> Alerts {
        Alerts {
            after_failures: 3,
            after: SignedDuration::from_hours(48),
            stale_after: SignedDuration::from_hours(7 * 24),
            notify_timeout: std::time::Duration::from_secs(60),
        }
    }
}

/// A failure that a later run may not meet: the browser or the driver died or is missing
/// (8), or LinkedIn could not be reached (9).
pub fn is_passing_failure(exit_code: u8) -> bool {
    matches!(exit_code, exit::BROWSER_UNAVAILABLE | exit::UNREACHABLE)
}

/// Whether a run read the switch's state from a page: on, off or not offered.
pub fn is_reading(after: SettingState) -> bool {
    matches!(
        after,
        SettingState::On | SettingState::Off | SettingState::NotOffered
    )
}

impl AccountReport {
    /// Whether this result prints under `--quiet`: something changed, or a person must act.
    pub fn is_news(&self) -> bool {
        match self.outcome {
            // Off as it was: no news. Off after a reading that was not (the member switched
            // it off, LinkedIn offers it again): a change, said once.
            Outcome::AlreadyOff => {
                self.changed
                    || matches!(
                        self.past.last_read,
                        Some(SettingState::On | SettingState::NotOffered)
                    )
            }
            // Said when first seen and when it changes; after that it is done.
            Outcome::NotOffered => self.past.last_read != Some(SettingState::NotOffered),
            _ => true,
        }
    }

    /// Whether this result runs the notify command (the run's `now`, by the `alerts` given).
    pub fn calls_for_notify(&self, alerts: &Alerts, now: Timestamp) -> bool {
        match self.outcome {
            Outcome::AlreadyOff => self.changed,
            Outcome::NotOffered => false,
            _ if is_passing_failure(self.exit_code) => {
                self.past.passing_failures.saturating_add(1) >= alerts.after_failures
                    || self
                        .past
                        .failing_since
                        .is_some_and(|since| now.duration_since(since) >= alerts.after)
            }
            _ => true,
        }
    }
}

/// Accounts no run has read for `alerts.stale_after`: those of whom this run read nothing
/// either, and whose last reading (or, never read, whose first run) is that old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub accounts: Vec<String>,
    /// The oldest of their last readings; `None` when one of them was never read.
    pub last_reading: Option<Timestamp>,
}

/// The accounts of `reports` that have gone stale by `now`; `None` when none has.
pub fn stale(reports: &[AccountReport], alerts: &Alerts, now: Timestamp) -> Option<Stale> {
    let mut accounts: Vec<String> = Vec::new();
    let mut last_reading: Option<Option<Timestamp>> = None;
    for report in reports {
        if accounts.contains(&report.account) {
            continue;
        }
        let mine = reports.iter().filter(|r| r.account == report.account);
        if mine.clone().any(|r| is_reading(r.after)) {
            continue;
        }
        let past = &report.past;
        let Some(since) = past.account_last_read.or(past.account_first_run) else {
            continue;
        };
        if now.duration_since(since) < alerts.stale_after {
            continue;
        }
        accounts.push(report.account.clone());
        let reading = past.account_last_read;
        last_reading = Some(match last_reading {
            None => reading,
            Some(seen) => seen.zip(reading).map(|(a, b)| a.min(b)),
        });
    }
    (!accounts.is_empty()).then(|| Stale {
        accounts,
        last_reading: last_reading.flatten(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkedin::outcome::SettingState::{NotOffered, Off, On, Unknown};

    fn at(hours: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hours * 3600).unwrap()
    }

    fn report(
        outcome: Outcome,
        exit_code: u8,
        before: SettingState,
        after: SettingState,
    ) -> AccountReport {
        AccountReport {
            account: "a@example.com".to_string(),
            setting: "ads-by-age".to_string(),
            before,
            after,
            outcome,
            changed: outcome == Outcome::OptedOut,
            drift: false,
            last_off: None,
            message: String::new(),
            duration_ms: 0,
            exit_code,
            receipt: None,
            past: Past::default(),
        }
    }

    /// The README's outcome table, row by row: the outcome, its exit code for `optout`,
    /// `status` and `audit` ("—" where it cannot happen), whether it prints under `-q`, and
    /// whether it notifies; each against the code.
    #[test]
    fn the_readme_outcome_table_is_the_policy() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split_once("\n### What each outcome does\n")
            .expect("README has the outcome table")
            .1;
        let rows: Vec<Vec<String>> = section
            .lines()
            .skip_while(|line| !line.starts_with("| outcome"))
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                line.trim_matches('|')
                    .split('|')
                    .map(|cell| cell.trim().to_string())
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 16, "{rows:?}");
        let alerts = Alerts::default();
        for row in &rows {
            let name = row[0].as_str();
            let (mut report, dry_run_only, optout_only) = match name {
                "`already_off`" | "`already_off`, after a reading that was not off" => {
                    (report(Outcome::AlreadyOff, 0, Off, Off), false, false)
                }
                "`opted_out`" => (report(Outcome::OptedOut, 0, On, Off), false, true),
                "`opted_out`, drift" => (report(Outcome::OptedOut, 0, On, Off), false, true),
                "`would_opt_out`" => (report(Outcome::WouldOptOut, 3, On, On), true, false),
                "`would_opt_out`, drift" => (report(Outcome::WouldOptOut, 3, On, On), true, false),
                "`not_offered`, first seen or changed" | "`not_offered`, as last time" => (
                    report(Outcome::NotOffered, 0, NotOffered, NotOffered),
                    false,
                    false,
                ),
                "`needs_person`" => (
                    report(Outcome::NeedsPerson, 4, Unknown, Unknown),
                    false,
                    false,
                ),
                "`bad_credentials`" => (
                    report(Outcome::BadCredentials, 5, Unknown, Unknown),
                    false,
                    false,
                ),
                "`keyring_unavailable`" => (
                    report(Outcome::KeyringUnavailable, 5, Unknown, Unknown),
                    false,
                    false,
                ),
                "`page_not_understood`" => (
                    report(Outcome::PageNotUnderstood, 6, Unknown, Unknown),
                    false,
                    false,
                ),
                "`did_not_stick`" => (report(Outcome::DidNotStick, 7, On, On), false, true),
                "`error`, the browser or driver died or is missing" => {
                    (report(Outcome::Error, 8, Unknown, Unknown), false, false)
                }
                "`unreachable`" => (
                    report(Outcome::Unreachable, 9, Unknown, Unknown),
                    false,
                    false,
                ),
                "`error`, anything else" => {
                    (report(Outcome::Error, 1, Unknown, Unknown), false, false)
                }
                other => panic!("a row the policy does not know: {other}"),
            };
            if name.ends_with("as last time") {
                report.past.last_read = Some(NotOffered);
            }
            if name.ends_with("was not off") {
                report.past.last_read = Some(NotOffered);
            }
            // The code, for each command where the outcome can happen: the outcome's own, or
            // for `error`, that of the error behind it.
            if name.contains("browser or driver") {
                let died = crate::error::Error::BrowserDied {
                    which: "the browser".into(),
                    step: String::new(),
                    detail: String::new(),
                };
                assert_eq!(Outcome::from(&died), Outcome::Error, "{name}");
                assert_eq!(died.exit_code(), report.exit_code, "{name}");
            } else {
                assert_eq!(report.outcome.exit_code(), report.exit_code, "{name}");
            }
            let code = report.exit_code.to_string();
            let expected = |can: bool| if can { code.as_str() } else { "—" };
            assert_eq!(row[1], expected(!dry_run_only), "{name}: optout");
            assert_eq!(row[2], expected(!optout_only), "{name}: status");
            assert_eq!(row[3], expected(!optout_only), "{name}: audit");
            assert_eq!(row[4] == "yes", report.is_news(), "{name}: -q");
            match row[5].as_str() {
                "yes" => assert!(report.calls_for_notify(&alerts, at(0)), "{name}"),
                "no" => assert!(!report.calls_for_notify(&alerts, at(0)), "{name}"),
                "after 3 such runs in a row, or 48 h" => {
                    assert!(!report.calls_for_notify(&alerts, at(0)), "{name}: first");
                    report.past.passing_failures = 2;
                    report.past.failing_since = Some(at(-2));
                    assert!(report.calls_for_notify(&alerts, at(0)), "{name}: third");
                    report.past.passing_failures = 1;
                    assert!(!report.calls_for_notify(&alerts, at(0)), "{name}: second");
                    report.past.failing_since = Some(at(-48));
                    assert!(report.calls_for_notify(&alerts, at(0)), "{name}: 48 h");
                }
                other => panic!("{name}: a notify cell the policy does not know: {other}"),
            }
        }
    }

    #[test]
    fn a_switch_not_offered_is_said_once_and_again_when_it_changes() {
        let mut absent = report(Outcome::NotOffered, 0, NotOffered, NotOffered);
        assert!(absent.is_news(), "first seen");
        absent.past.last_read = Some(NotOffered);
        assert!(!absent.is_news(), "as last time");
        absent.past.last_read = Some(Off);
        assert!(absent.is_news(), "it was off at the last reading");
        assert!(!absent.calls_for_notify(&Alerts::default(), at(0)));
    }

    #[test]
    fn passing_failures_notify_by_the_configured_thresholds() {
        let alerts = Alerts {
            after_failures: 5,
            after: SignedDuration::from_hours(2),
            ..Alerts::default()
        };
        let mut down = report(Outcome::Unreachable, 9, Unknown, Unknown);
        down.past.passing_failures = 3;
        down.past.failing_since = Some(at(-1));
        assert!(!down.calls_for_notify(&alerts, at(0)), "the fourth, 1 h on");
        down.past.passing_failures = 4;
        assert!(down.calls_for_notify(&alerts, at(0)), "the fifth");
        down.past.passing_failures = 0;
        down.past.failing_since = Some(at(-2));
        assert!(down.calls_for_notify(&alerts, at(0)), "2 h on");
        let once = Alerts {
            after_failures: 1,
            ..alerts
        };
        down.past = Past::default();
        assert!(down.calls_for_notify(&once, at(0)), "every time");
    }

    #[test]
    fn an_account_no_run_has_read_for_a_week_is_stale() {
        let alerts = Alerts::default();
        let mut failed = report(Outcome::Unreachable, 9, Unknown, Unknown);
        assert_eq!(stale(&[failed.clone()], &alerts, at(0)), None, "no history");
        failed.past.account_first_run = Some(at(-24 * 8));
        assert_eq!(
            stale(&[failed.clone()], &alerts, at(0)),
            Some(Stale {
                accounts: vec!["a@example.com".into()],
                last_reading: None
            }),
            "never read in 8 days"
        );
        failed.past.account_last_read = Some(at(-24 * 6));
        assert_eq!(
            stale(&[failed.clone()], &alerts, at(0)),
            None,
            "read 6 days ago"
        );
        failed.past.account_last_read = Some(at(-24 * 7));
        let told = stale(&[failed.clone()], &alerts, at(0)).unwrap();
        assert_eq!(told.last_reading, Some(at(-24 * 7)));
        // One switch read in this run: the tool is alive.
        let read = report(Outcome::AlreadyOff, 0, Off, Off);
        assert_eq!(stale(&[failed, read], &alerts, at(0)), None);
    }
}
