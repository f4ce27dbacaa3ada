//! `--notify-command`: tell the user when a run found the setting on or could not finish.
//!
//! The command is the user's (`sh -c`), so it gets a deadline and its failure is only a
//! warning: a broken mail relay must not turn a successful opt-out into a failed run. It runs
//! in a process group of its own so that on expiry everything it started is killed, not just
//! the shell.

use std::os::fd::AsFd as _;
use std::process::Stdio;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

use crate::report::AccountReport;
use crate::report::policy::{self, Alerts};

/// What became of the notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// Every account was found off and left off: nothing to say.
    NotNeeded,
    /// The command ran and exited 0.
    Delivered,
    /// The command could not start or exited non-zero (already logged as a warning).
    Failed(String),
    /// The command outlived its deadline and was killed (already logged as a warning).
    TimedOut,
}

/// The JSON the command reads on standard input.
#[derive(Serialize)]
struct Payload<'a> {
    /// Every switch's report of the run, with the `--json` keys (`drift`, `last_off`).
    reports: &'a [AccountReport],
    time: Timestamp,
    version: &'static str,
    /// Some switch was found on after an earlier run had read it off.
    drift: bool,
    /// No run has read any switch of these accounts for `stale_after_days`.
    stale: bool,
    stale_accounts: Vec<String>,
    /// The oldest of those accounts' last readings (`null` when one was never read).
    last_reading: Option<Timestamp>,
}

/// Whether a run calls for a notification, by the outcome table (`report::policy`): some
/// switch changed, or a person must act, or the tool has gone stale for some account.
pub fn is_needed(reports: &[AccountReport], alerts: &Alerts, now: Timestamp) -> bool {
    reports
        .iter()
        .any(|report| report.calls_for_notify(alerts, now))
        || policy::stale(reports, alerts, now).is_some()
}

/// Runs `sh -c command` with the run's JSON on standard input when `is_needed`, killing it
/// after `timeout`. Never fails: problems are logged with `tracing::warn!` and returned.
pub async fn notify(command: &str, reports: &[AccountReport], alerts: &Alerts) -> Notification {
    let timeout = alerts.notify_timeout;
    let now = Timestamp::now();
    if !is_needed(reports, alerts, now) {
        return Notification::NotNeeded;
    }
    let stale = policy::stale(reports, alerts, now);
    let payload = Payload {
        reports,
        time: now,
        version: env!("CARGO_PKG_VERSION"),
        drift: reports.iter().any(|report| report.drift),
        stale: stale.is_some(),
        last_reading: stale.as_ref().and_then(|stale| stale.last_reading),
        stale_accounts: stale.map(|stale| stale.accounts).unwrap_or_default(),
    };
    let notification = match run(command, &payload, timeout).await {
        Ok(notification) => notification,
        Err(err) => Notification::Failed(format!("{err:#}")),
    };
    match &notification {
        Notification::Failed(why) => {
            tracing::warn!(
                "the notify command `{command}` failed: {why}; fix it or drop `--notify-command`"
            );
        }
        Notification::TimedOut => tracing::warn!(
            "the notify command `{command}` did not finish within {}s and was killed",
            timeout.as_secs_f32()
        ),
        Notification::NotNeeded | Notification::Delivered => {}
    }
    notification
}

async fn run(
    command: &str,
    payload: &Payload<'_>,
    timeout: Duration,
) -> anyhow::Result<Notification> {
    let mut input = serde_json::to_vec(payload)?;
    input.push(b'\n');
    // Its stdout goes to our stderr: our stdout carries only results (`--json`).
    let stdout = std::io::stderr().as_fd().try_clone_to_owned()?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(stdout))
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take();
    let finished = tokio::time::timeout(timeout, async {
        if let Some(mut stdin) = stdin.take() {
            // A command that does not read its input closes the pipe: that is its choice.
            if let Err(err) = stdin.write_all(&input).await {
                tracing::debug!("the notify command did not read its input: {err}");
            }
        }
        child.wait().await
    })
    .await;
    match finished {
        Ok(status) => {
            let status = status?;
            Ok(if status.success() {
                Notification::Delivered
            } else {
                Notification::Failed(status.to_string())
            })
        }
        Err(_elapsed) => {
            if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
                // SAFETY: kill(2) takes plain integers and touches no memory of ours; the
                // group is the child's own (process_group(0)) and it is not reaped yet, so
                // the id cannot have been reused.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
            child.wait().await?;
            Ok(Notification::TimedOut)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkedin::outcome::{Outcome, SettingState};

    fn report(before: SettingState, outcome: Outcome) -> AccountReport {
        AccountReport {
            account: "a@example.com".to_string(),
            setting: crate::linkedin::catalogue::DEFAULT_SWITCH.to_string(),
            before,
            after: SettingState::Off,
            outcome,
            changed: before == SettingState::On,
            drift: false,
            last_off: None,
            message: String::new(),
            duration_ms: 1,
            exit_code: outcome.exit_code(),
            receipt: None,
            past: Default::default(),
        }
    }

    #[tokio::test]
    async fn nothing_runs_when_the_setting_was_off() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let command = format!("touch '{}'", marker.display());
        let reports = [report(SettingState::Off, Outcome::AlreadyOff)];
        let got = notify(&command, &reports, &Alerts::default()).await;
        assert_eq!(got, Notification::NotNeeded);
        assert!(!marker.exists());
    }

    #[tokio::test]
    async fn the_command_reads_the_run_as_json() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run.json");
        let command = format!("cat > '{}'", out.display());
        let reports = [report(SettingState::On, Outcome::OptedOut)];
        let got = notify(&command, &reports, &Alerts::default()).await;
        assert_eq!(got, Notification::Delivered);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(json["reports"][0]["account"], "a@example.com");
        assert_eq!(json["reports"][0]["outcome"], "opted_out");
        assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
        assert!(json["time"].is_string());
        assert_eq!(json["drift"], false);
        assert_eq!(json["stale"], false);
        assert_eq!(json["reports"][0]["drift"], false);
        assert!(json["reports"][0]["last_off"].is_null());
    }

    /// An account no run has read for longer than `stale_after_days` is told of, whatever
    /// else the run found, with when it was last read.
    #[tokio::test]
    async fn a_stale_account_is_told_of_even_when_nothing_else_would_be() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run.json");
        let command = format!("cat > '{}'", out.display());
        let last = Timestamp::now() - jiff::SignedDuration::from_hours(24 * 8);
        let mut down = report(SettingState::Unknown, Outcome::Unreachable);
        down.after = SettingState::Unknown;
        down.past.account_last_read = Some(last);
        let alerts = Alerts::default();
        assert!(
            !down.calls_for_notify(&alerts, Timestamp::now()),
            "the first failure alone"
        );
        let got = notify(&command, &[down], &alerts).await;
        assert_eq!(got, Notification::Delivered);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(json["stale"], true, "{json}");
        assert_eq!(json["stale_accounts"][0], "a@example.com", "{json}");
        assert_eq!(
            json["last_reading"],
            serde_json::to_value(last).unwrap(),
            "{json}"
        );
    }

    #[tokio::test]
    async fn a_failing_command_is_reported_not_fatal() {
        let reports = [report(SettingState::Unknown, Outcome::PageNotUnderstood)];
        let got = notify("exit 3", &reports, &Alerts::default()).await;
        assert!(
            matches!(&got, Notification::Failed(why) if why.contains('3')),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn a_slow_command_is_killed_and_reported() {
        let reports = [report(SettingState::On, Outcome::OptedOut)];
        let alerts = Alerts {
            notify_timeout: Duration::from_secs(1),
            ..Alerts::default()
        };
        let got = notify("sleep 30", &reports, &alerts).await;
        assert_eq!(got, Notification::TimedOut);
    }
}
