//! `history`'s reading: past runs, oldest first, with drift marked; and each account's last
//! successful reading, which tells a silent tool from a dead one.

use std::path::PathBuf;

use jiff::Timestamp;
use serde::Serialize;

use crate::cli::{GlobalArgs, RecordFilters};
use crate::config::Settings;
use crate::error::Error;
use crate::report::policy;
use crate::state::history::{self, HistoryRecord, MarkedRecord};

/// The runs to show, and where they are kept.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub records: Vec<MarkedRecord>,
    /// The history file (named when it holds no run yet).
    pub path: PathBuf,
}

/// Which records to show: what the command line named (`--account`, `--setting`: each a
/// filter only when typed, never the config file's choice), `--since` and `--limit`.
pub struct Filter<'a> {
    pub accounts: &'a [String],
    /// Switch names; empty (or `all`) for every switch.
    pub settings: &'a [String],
    pub since: Option<Timestamp>,
    pub limit: Option<usize>,
}

impl<'a> Filter<'a> {
    pub fn typed(global: &'a GlobalArgs, filters: &RecordFilters) -> Filter<'a> {
        Filter {
            accounts: &global.accounts,
            settings: &global.settings,
            since: filters.since,
            limit: filters.limit,
        }
    }

    /// Whether a record of `account`'s `setting` at `time` is shown (before `--limit`).
    pub fn shows(&self, account: &str, setting: &str, time: Timestamp) -> bool {
        (self.accounts.is_empty()
            || self
                .accounts
                .iter()
                .any(|typed| crate::input::normal_email(typed) == account))
            && (self.settings.is_empty()
                || self
                    .settings
                    .iter()
                    .any(|typed| typed == setting || typed == "all"))
            && self.since.is_none_or(|since| time >= since)
    }

    /// Keeps the newest `--limit` of `items`, which are in time order (`newest_first` or
    /// not).
    pub fn limit<T>(&self, items: &mut Vec<T>, newest_first: bool) {
        if let Some(limit) = self.limit
            && items.len() > limit
        {
            if newest_first {
                items.truncate(limit);
            } else {
                items.drain(..items.len() - limit);
            }
        }
    }
}

/// The recorded runs `filter` shows (only drift when `drift_only`). Drift is judged on each
/// account's whole history, before filtering.
pub fn history(
    settings: &Settings,
    filter: &Filter<'_>,
    drift_only: bool,
) -> Result<History, Error> {
    let records = history::read(&settings.state_dir)?;
    let mut records: Vec<MarkedRecord> = history::mark_drift(records)
        .into_iter()
        .filter(|m| {
            filter.shows(&m.record.account, &m.record.setting, m.record.time)
                && (!drift_only || m.drift)
        })
        .collect();
    filter.limit(&mut records, false);
    Ok(History {
        records,
        path: history::path(&settings.state_dir),
    })
}

/// An account's last successful reading: the last time a run read any of its switches.
#[derive(Debug, Clone, Serialize)]
pub struct LastReading {
    pub account: String,
    /// `None`: no run has read it yet.
    pub time: Option<Timestamp>,
    /// Older than `stale_after_days`, or never read although runs were recorded.
    pub stale: bool,
}

/// The last successful reading of each configured account (of every account in the history
/// when none is configured), by the history.
pub fn last_readings(settings: &Settings) -> Result<Vec<LastReading>, Error> {
    let records = history::read(&settings.state_dir)?;
    let mut accounts: Vec<String> = settings.accounts.iter().map(|a| a.email.clone()).collect();
    if accounts.is_empty() {
        for record in &records {
            if !accounts.contains(&record.account) {
                accounts.push(record.account.clone());
            }
        }
    }
    let now = Timestamp::now();
    Ok(accounts
        .into_iter()
        .map(|account| {
            let own: Vec<&HistoryRecord> =
                records.iter().filter(|r| r.account == account).collect();
            let time = own
                .iter()
                .rev()
                .find(|r| policy::is_reading(r.after))
                .map(|r| r.time);
            let since = time.or(own.first().map(|r| r.time));
            let stale =
                since.is_some_and(|since| now.duration_since(since) >= settings.alerts.stale_after);
            LastReading {
                account,
                time,
                stale,
            }
        })
        .collect())
}

/// `doctor`'s one line on it: a warning when an account has gone stale.
pub fn last_reading_check(settings: &Settings) -> super::doctor::Check {
    let result = match last_readings(settings) {
        Err(err) => Err(err.to_string()),
        Ok(readings) if readings.is_empty() => Ok("no run recorded yet".to_string()),
        Ok(readings) => {
            let lines: Vec<String> = readings.iter().map(LastReading::line).collect();
            if readings.iter().any(|reading| reading.stale) {
                Err(format!(
                    "{}: no run has read the switches for {} days or more; check that the schedule runs (`linkedin-optout schedule show`, {})",
                    lines.join("; "),
                    settings.alerts.stale_after.as_hours() / 24,
                    settings.state_dir.join("cron.log").display()
                ))
            } else {
                Ok(lines.join("; "))
            }
        }
    };
    super::doctor::Check {
        name: "last reading".into(),
        result,
        code: crate::error::exit::OFF,
    }
}

impl LastReading {
    /// One line for a person: `you@example.com: 2026-12-01 07:31 UTC (2 days ago)`.
    pub fn line(&self) -> String {
        match self.time {
            None => format!("{}: no run has read its switches yet", self.account),
            Some(time) => {
                let days = Timestamp::now().duration_since(time).as_hours() / 24;
                let ago = match days {
                    0 => "today".to_string(),
                    1 => "1 day ago".to_string(),
                    n => format!("{n} days ago"),
                };
                format!(
                    "{}: {} ({ago})",
                    self.account,
                    time.strftime("%Y-%m-%d %H:%M UTC")
                )
            }
        }
    }
}
