//! `receipts`' sequences: list the receipts kept, newest first, or export them as one page.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::history::Filter;
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::outcome::SettingState;
use crate::state::receipts::{self, Stored};

/// The receipts to show, and where they are kept.
pub struct Receipts {
    pub stored: Vec<Stored>,
    /// Where receipts are kept (named when there is none yet).
    pub root: PathBuf,
}

/// One receipt as `receipts --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed<'a> {
    /// RFC 3339, UTC.
    pub time: String,
    pub account: &'a str,
    pub setting: &'a str,
    pub state: SettingState,
    /// The two files' absolute paths.
    pub png: &'a Path,
    pub json: &'a Path,
}

impl Receipts {
    /// Each receipt as its `--json` object, newest first.
    pub fn listed(&self) -> impl Iterator<Item = Listed<'_>> {
        self.stored.iter().map(|s| Listed {
            time: crate::clock::format_time(s.receipt.time),
            account: &s.receipt.account,
            setting: &s.receipt.setting,
            state: s.receipt.state,
            png: &s.png,
            json: &s.json,
        })
    }
}

impl Serialize for Receipts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.listed())
    }
}

/// An export written.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The page written.
    pub index: PathBuf,
    /// How many receipts it shows.
    pub receipts: usize,
}

/// The receipts `filter` shows, newest first.
pub fn list(settings: &Settings, filter: &Filter<'_>) -> Result<Receipts, Error> {
    let mut stored = receipts::list(&settings.state_dir, None)?;
    stored.retain(|s| filter.shows(&s.receipt.account, &s.receipt.setting, s.receipt.time));
    filter.limit(&mut stored, true);
    Ok(Receipts {
        stored,
        root: receipts::root(&settings.state_dir),
    })
}

/// Writes `dir/index.html` with a card per receipt of the accounts in `only`, the receipts
/// copied beside it.
pub fn export(settings: &Settings, filter: &Filter<'_>, dir: &Path) -> Result<Exported, Error> {
    let listed = list(settings, filter)?;
    let index = receipts::export::export(&listed.stored, dir).map_err(|err| {
        Error::Other(anyhow::anyhow!(
            "cannot export the receipts to {} ({err:#}): choose a directory you can write",
            dir.display()
        ))
    })?;
    Ok(Exported {
        index,
        receipts: listed.stored.len(),
    })
}
