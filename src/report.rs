//! What a run says about each account: the `--json` object, the human summary line, and the
//! record kept in the history.

pub mod policy;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::linkedin::catalogue::DEFAULT_SWITCH;
use crate::linkedin::outcome::{Outcome, SettingState};

/// One account's result: printed as one `--json` line and appended to the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    pub setting: String,
    pub before: SettingState,
    pub after: SettingState,
    pub outcome: Outcome,
    pub changed: bool,
    /// The switch was found on after an earlier run had read it off.
    #[serde(default)]
    pub drift: bool,
    /// When a run last read the switch off before this one (RFC 3339; `null` when never).
    #[serde(default)]
    pub last_off: Option<Timestamp>,
    pub message: String,
    pub duration_ms: u64,
    /// This account's exit code (the process exits with the highest).
    pub exit_code: u8,
    /// The receipt this run kept (its `.json`), for the history; not part of `--json`.
    #[serde(skip)]
    pub receipt: Option<std::path::PathBuf>,
    /// What the history said about the switch before this run: the outcome table's input.
    #[serde(skip)]
    pub past: policy::Past,
}

impl AccountReport {
    /// The human summary line: the message says it all when the run went as planned; a
    /// failure is named by its outcome first. A switch other than the default one is named
    /// after the account, so that today's one-switch line reads as it always has; drift names
    /// it in its message.
    pub fn summary(&self) -> String {
        let names_it =
            self.drift && matches!(self.outcome, Outcome::OptedOut | Outcome::WouldOptOut);
        let who = if self.setting == DEFAULT_SWITCH || names_it {
            self.account.clone()
        } else {
            format!("{} {}", self.account, self.setting)
        };
        match self.outcome {
            Outcome::AlreadyOff
            | Outcome::OptedOut
            | Outcome::WouldOptOut
            | Outcome::NotOffered => {
                format!("{who}: {}", self.message)
            }
            failure => format!("{who}: {failure}: {}", self.message),
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
