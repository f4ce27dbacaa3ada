//! What a run says about each account: the `--json` object, the human summary line, and the
//! record kept in the history.

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
}

impl AccountReport {
    pub fn exit_code(&self) -> u8 {
        self.outcome.exit_code()
    }
}
