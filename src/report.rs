//! What a run says about each account: the `--json` object, the human summary line, and the
//! record kept in the history.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::error::Outcome;

/// The setting this tool manages, as named in reports.
pub const SETTING: &str = "data-for-ai-improvement";

/// The state of the switch as read from a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingState {
    On,
    Off,
    NotOffered,
    Unknown,
}

impl std::fmt::Display for SettingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SettingState::On => "on",
            SettingState::Off => "off",
            SettingState::NotOffered => "not offered",
            SettingState::Unknown => "unknown",
        })
    }
}

/// One account's result: printed as one `--json` line and appended to the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    pub setting: String,
    pub before: SettingState,
    pub after: SettingState,
    pub outcome: Outcome,
    pub changed: bool,
    pub message: String,
    pub duration_ms: u64,
    /// This account's exit code (the process exits with the highest).
    pub exit_code: u8,
    /// The receipt this run kept (its `.json`), for the history; not part of `--json`.
    #[serde(skip)]
    pub receipt: Option<std::path::PathBuf>,
}

impl AccountReport {
    /// Nothing to tell: the setting was off and stayed off (`--quiet` prints nothing).
    pub fn is_news(&self) -> bool {
        self.outcome != Outcome::AlreadyOff || self.changed
    }

    /// The human summary line: the message says it all when the run went as planned; a
    /// failure is named by its outcome first.
    pub fn summary(&self) -> String {
        match self.outcome {
            Outcome::AlreadyOff
            | Outcome::OptedOut
            | Outcome::WouldOptOut
            | Outcome::NotOffered => {
                format!("{}: {}", self.account, self.message)
            }
            failure => format!("{}: {failure}: {}", self.account, self.message),
        }
    }
}

/// A time as reports and messages show it: RFC 3339, UTC.
pub fn format_time(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// Where progress lines go: a spinner per account on a terminal, plain lines otherwise,
/// nothing with `--quiet`. Always stderr: stdout carries only results.
#[derive(Clone)]
pub enum StepStyle {
    Silent,
    Lines,
    Spinners(MultiProgress),
}

impl StepStyle {
    pub fn for_run(quiet: bool) -> StepStyle {
        if quiet {
            StepStyle::Silent
        } else if std::io::stderr().is_terminal() {
            StepStyle::Spinners(MultiProgress::new())
        } else {
            StepStyle::Lines
        }
    }

    pub fn steps(&self, account: &str) -> Steps {
        let spinner = match self {
            StepStyle::Spinners(multi) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix}: {msg}")
                        .expect("a valid template"),
                );
                bar.set_prefix(account.to_string());
                bar.enable_steady_tick(Duration::from_millis(120));
                Some(bar)
            }
            _ => None,
        };
        Steps {
            account: account.to_string(),
            lines: matches!(self, StepStyle::Lines),
            spinner,
            current: std::sync::Mutex::new(String::new()),
        }
    }
}

/// One account's progress reporter.
pub struct Steps {
    account: String,
    lines: bool,
    spinner: Option<ProgressBar>,
    /// The step in progress, for a message about a failure during it.
    current: std::sync::Mutex<String>,
}

impl Steps {
    /// The step in progress (the last one announced), empty before the first.
    pub fn current(&self) -> String {
        self.current
            .lock()
            .map(|step| step.clone())
            .unwrap_or_default()
    }

    pub fn step(&self, text: &str) {
        if let Ok(mut current) = self.current.lock() {
            *current = text.to_string();
        }
        tracing::debug!(account = %self.account, "{text}");
        if let Some(bar) = &self.spinner {
            bar.set_message(text.to_string());
        } else if self.lines {
            eprintln!("{}: {text}", self.account);
        }
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }
}

/// A plain-text table: `header` and `rows` in columns as wide as their widest cell, two
/// spaces apart, without trailing blanks.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let header = header.map(String::from);
    let mut widths = [0usize; N];
    for row in std::iter::once(&header).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
