//! `history`'s reading: past runs, oldest first, with drift marked.

use std::path::PathBuf;

use serde::Serialize;

use crate::config::Settings;
use crate::error::Error;
use crate::state::history::{self, MarkedRecord};

/// The runs to show, and where they are kept.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub records: Vec<MarkedRecord>,
    /// The history file (named when it holds no run yet).
    pub path: PathBuf,
}

/// The recorded runs of the accounts in `only` (of every account when it is empty). Drift is
/// judged on each account's whole history, before filtering.
pub fn history(settings: &Settings, only: &[String]) -> Result<History, Error> {
    let records = history::read(&settings.state_dir)?;
    let records = history::mark_drift(records)
        .into_iter()
        .filter(|m| {
            only.is_empty()
                || only
                    .iter()
                    .any(|account| crate::input::normal_email(account) == m.record.account)
        })
        .collect();
    Ok(History {
        records,
        path: history::path(&settings.state_dir),
    })
}
