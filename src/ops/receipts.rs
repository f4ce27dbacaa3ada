//! `receipts`' sequences: list the receipts kept, newest first, or export them as one page.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::history::Filter;
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::outcome::SettingState;
use crate::state::receipts::export::Named;
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
    /// How many damaged or missing files it names.
    pub problems: usize,
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

/// Writes `dir/index.html`, the page of the receipts `filter` shows, with their files copied
/// beside it and what is damaged or missing named. `dir` must be new, or an empty directory
/// of the member's (exit 2 otherwise); no receipt to export is exit 1, and nothing is written.
pub fn export(settings: &Settings, filter: &Filter<'_>, dir: &Path) -> Result<Exported, Error> {
    let mut scan = receipts::scan(&settings.state_dir, None)?;
    scan.stored
        .retain(|s| filter.shows(&s.receipt.account, &s.receipt.setting, s.receipt.time));
    filter.limit(&mut scan.stored, true);
    // What is wrong in the directories of the accounts asked for.
    let names: Vec<String> = filter
        .accounts
        .iter()
        .map(|account| crate::state::files::account_name(&crate::input::normal_email(account)))
        .collect();
    scan.problems.retain(|problem| {
        names.is_empty()
            || problem
                .dir
                .file_name()
                .is_some_and(|name| names.iter().any(|n| *n == *name.to_string_lossy()))
    });
    if scan.stored.is_empty() {
        for problem in &scan.problems {
            tracing::warn!("{}", problem.what);
        }
        return Err(Error::Other(anyhow::anyhow!(
            "there is nothing to export: no receipt{} in {} (a run that reads a switch keeps one); {} was not written",
            if filter.accounts.is_empty() && filter.settings.is_empty() && filter.since.is_none() {
                String::new()
            } else {
                " matches the filters".to_string()
            },
            receipts::root(&settings.state_dir).display(),
            dir.display()
        )));
    }
    receipts::export::prepare(dir).map_err(|refused| Error::Usage(refused.0))?;
    let switches: Vec<Named> = settings
        .catalogue
        .switches()
        .into_iter()
        .map(|switch| Named {
            title: switch.title_en().to_string(),
            name: switch.name,
        })
        .collect();
    let export = receipts::export::Export {
        receipts: &scan.stored,
        problems: &scan.problems,
        switches: &switches,
    };
    let (index, problems) = receipts::export::write(&export, dir).map_err(|err| {
        Error::Other(anyhow::anyhow!(
            "cannot export the receipts to {} ({err:#}): choose a directory you can write",
            dir.display()
        ))
    })?;
    for problem in &problems {
        tracing::warn!("{problem}");
    }
    Ok(Exported {
        index,
        receipts: scan.stored.len(),
        problems: problems.len(),
    })
}
