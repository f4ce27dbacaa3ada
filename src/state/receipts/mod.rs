//! Receipts: proof, kept per account in `<state dir>/receipts/<account>/`, of what a fresh page
//! load showed. Each is two files named after the time and the setting: the screenshot
//! (`.png`) and what it shows (`.json`, with the screenshot's and the page's hashes).
//!
//! Directories are 0700 and files 0600, created without following links and never
//! overwritten. Retention keeps every receipt of a change (the tool switched the setting
//! off, or found it switched back on) and the newest `receipts_keep` others per account and
//! setting.

pub mod export;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::linkedin::evidence::{Evidence, sha256_hex};
use crate::linkedin::outcome::{Outcome, SettingState};
use crate::state::files::create_private_dir;

/// How many receipts other than those of a change are kept per account and setting, unless
/// the config file says otherwise (`receipts_keep`).
pub const DEFAULT_KEEP: usize = 20;

/// The `.json` half of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub account: String,
    pub setting: String,
    /// What the fresh page load showed: `on`, `off` or `not_offered`.
    pub state: SettingState,
    pub url: String,
    pub time: Timestamp,
    pub tool_version: String,
    pub browser_name: String,
    pub browser_version: String,
    /// The `.png` beside this file, by name.
    pub png: String,
    pub png_sha256: String,
    /// SHA-256 of the page's HTML; the HTML itself is never kept.
    pub html_sha256: String,
    /// How the run ended: `opted_out` and drift are changes, kept whatever the retention.
    pub outcome: Outcome,
    /// The setting was found on after an earlier run had left it off.
    pub drift: bool,
}

impl Receipt {
    /// A change: kept whatever `receipts_keep` says.
    pub fn is_change(&self) -> bool {
        self.outcome == Outcome::OptedOut || self.drift
    }
}

/// A receipt as found on disk.
#[derive(Debug, Clone)]
pub struct Stored {
    pub receipt: Receipt,
    /// Absolute paths of its two files.
    pub png: PathBuf,
    pub json: PathBuf,
}

/// Where receipts are kept.
pub fn root(state_dir: &Path) -> PathBuf {
    state_dir.join("receipts")
}

/// An account's directory: the email, made safe as one path segment (`state::files`).
fn account_dir(state_dir: &Path, account: &str) -> PathBuf {
    crate::state::files::account_path(&root(state_dir), account, "")
}

/// Writes a new file, mode 0600; fails if anything (a file, a link) is already there.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)?.write_all(bytes)
}

/// The file names of a receipt taken at `time`: ISO 8601 basic UTC time with milliseconds,
/// then the setting, so that names sort by time.
fn stem(time: Timestamp, setting: &str) -> String {
    format!("{}-{setting}", time.strftime("%Y%m%dT%H%M%S%.3fZ"))
}

/// What the run that took the evidence concluded, for the receipt.
pub struct Verdict<'a> {
    pub account: &'a str,
    pub setting: &'a str,
    pub outcome: Outcome,
    pub drift: bool,
}

/// Writes the receipt of `evidence`; returns the path of its `.json`.
pub fn write(
    state_dir: &Path,
    verdict: &Verdict<'_>,
    evidence: &Evidence,
) -> anyhow::Result<PathBuf> {
    let dir = account_dir(state_dir, verdict.account);
    create_private_dir(&root(state_dir))
        .and_then(|()| create_private_dir(&dir))
        .with_context(|| format!("creating the receipts directory {}", dir.display()))?;
    let stem = stem(evidence.time, verdict.setting);
    let png = dir.join(format!("{stem}.png"));
    let json = dir.join(format!("{stem}.json"));
    let receipt = Receipt {
        account: verdict.account.to_string(),
        setting: verdict.setting.to_string(),
        state: evidence.state,
        url: evidence.url.clone(),
        // Whole milliseconds, as the file names show it.
        time: Timestamp::from_millisecond(evidence.time.as_millisecond()).unwrap_or(evidence.time),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        browser_name: evidence.browser_name.clone(),
        browser_version: evidence.browser_version.clone(),
        png: format!("{stem}.png"),
        png_sha256: sha256_hex(&evidence.png),
        html_sha256: evidence.html_sha256.clone(),
        outcome: verdict.outcome,
        drift: verdict.drift,
    };
    let mut text = serde_json::to_vec_pretty(&receipt).context("encoding a receipt")?;
    text.push(b'\n');
    write_new(&png, &evidence.png).with_context(|| format!("writing {}", png.display()))?;
    if let Err(err) = write_new(&json, &text) {
        let _ = std::fs::remove_file(&png);
        return Err(err).with_context(|| format!("writing {}", json.display()));
    }
    Ok(json)
}

/// Every receipt of `account` (all accounts when `None`), newest first. A `.json` that does
/// not parse is skipped with a warning; a missing directory is no receipts.
pub fn list(state_dir: &Path, account: Option<&str>) -> anyhow::Result<Vec<Stored>> {
    let dirs = match account {
        Some(account) => vec![account_dir(state_dir, account)],
        None => match std::fs::read_dir(root(state_dir)) {
            Ok(entries) => entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.is_dir())
                .collect(),
            Err(err) if super::is_absent(&err) => Vec::new(),
            Err(err) => {
                return Err(err).with_context(|| {
                    format!("reading the receipts in {}", root(state_dir).display())
                });
            }
        },
    };
    let mut stored = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if super::is_absent(&err) => continue,
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("reading the receipts in {}", dir.display()));
            }
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let parsed = std::fs::read(&path)
                .map_err(anyhow::Error::from)
                .and_then(|bytes| Ok(serde_json::from_slice::<Receipt>(&bytes)?));
            match parsed {
                // The screenshot is named beside the receipt; a name that reaches elsewhere
                // (a hand-edited file) would have pruning remove another file.
                Ok(receipt) if !is_file_name(&receipt.png) => tracing::warn!(
                    "skipping {}: its `png` is not a file name beside it",
                    path.display()
                ),
                Ok(receipt) => stored.push(Stored {
                    png: dir.join(&receipt.png),
                    json: path,
                    receipt,
                }),
                Err(err) => tracing::warn!("skipping {}: not a receipt ({err})", path.display()),
            }
        }
    }
    stored.sort_by(|a, b| {
        (b.receipt.time, &b.receipt.account).cmp(&(a.receipt.time, &a.receipt.account))
    });
    Ok(stored)
}

/// One plain file name: no directory, no `..`, nothing hidden.
fn is_file_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// Removes `account`'s receipts beyond retention: every change is kept, and the newest
/// `keep` others per setting. Returns how many were removed.
pub fn prune(state_dir: &Path, account: &str, keep: usize) -> anyhow::Result<usize> {
    let mut kept_per_setting: std::collections::HashMap<String, usize> = Default::default();
    let mut removed = 0;
    for stored in list(state_dir, Some(account))? {
        if stored.receipt.is_change() {
            continue;
        }
        let kept = kept_per_setting
            .entry(stored.receipt.setting.clone())
            .or_default();
        if *kept < keep {
            *kept += 1;
            continue;
        }
        for path in [&stored.png, &stored.json] {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    return Err(err).with_context(|| format!("removing {}", path.display()));
                }
            }
        }
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_link_planted_where_a_receipt_goes_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "kept").unwrap();
        let planted = dir.path().join("receipt.png");
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        let dangling = dir.path().join("receipt.json");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_new(&planted, b"png").is_err());
        assert!(write_new(&dangling, b"{}").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
        assert!(!dir.path().join("nowhere").exists());
    }

    fn evidence(seconds: i64, state: SettingState) -> Evidence {
        Evidence {
            time: Timestamp::from_second(1_800_000_000 + seconds).unwrap(),
            state,
            url: "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"
                .to_string(),
            png: vec![seconds as u8; 8],
            html_sha256: sha256_hex(b"<html></html>"),
            browser_name: "chrome".to_string(),
            browser_version: "1.0".to_string(),
        }
    }

    fn keep(state_dir: &Path, seconds: i64, outcome: Outcome, drift: bool) -> PathBuf {
        let verdict = Verdict {
            account: "a@example.com",
            setting: "data-for-ai-improvement",
            outcome,
            drift,
        };
        write(state_dir, &verdict, &evidence(seconds, SettingState::Off)).unwrap()
    }

    #[test]
    fn written_receipts_list_newest_first_with_their_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let older = keep(dir.path(), 1, Outcome::OptedOut, false);
        let newer = keep(dir.path(), 2, Outcome::AlreadyOff, false);
        assert!(
            older
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("T080001.000Z-data-for-ai-improvement.json"),
            "{older:?}"
        );
        let listed = list(dir.path(), None).unwrap();
        assert_eq!(
            listed.iter().map(|s| s.json.clone()).collect::<Vec<_>>(),
            [newer, older]
        );
        let png = std::fs::read(&listed[0].png).unwrap();
        assert_eq!(sha256_hex(&png), listed[0].receipt.png_sha256);
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&listed[0].png), 0o600);
        assert_eq!(mode(&listed[0].json), 0o600);
        assert_eq!(mode(listed[0].json.parent().unwrap()), 0o700);
        assert_eq!(mode(&root(dir.path())), 0o700);
    }

    #[test]
    fn prune_keeps_changes_and_the_newest_others() {
        let dir = tempfile::tempdir().unwrap();
        keep(dir.path(), 1, Outcome::OptedOut, false);
        keep(dir.path(), 2, Outcome::AlreadyOff, false);
        keep(dir.path(), 3, Outcome::WouldOptOut, true);
        keep(dir.path(), 4, Outcome::AlreadyOff, false);
        keep(dir.path(), 5, Outcome::AlreadyOff, false);
        assert_eq!(prune(dir.path(), "a@example.com", 1).unwrap(), 2);
        let left: Vec<i64> = list(dir.path(), None)
            .unwrap()
            .iter()
            .map(|s| s.receipt.time.as_second() - 1_800_000_000)
            .collect();
        assert_eq!(left, [5, 3, 1]);
        assert_eq!(prune(dir.path(), "a@example.com", 0).unwrap(), 1);
        assert_eq!(list(dir.path(), None).unwrap().len(), 2);
        // No file of a removed receipt is left behind.
        let files = std::fs::read_dir(account_dir(dir.path(), "a@example.com"))
            .unwrap()
            .count();
        assert_eq!(files, 4);
    }

    #[test]
    fn a_receipt_naming_a_file_elsewhere_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let json = keep(dir.path(), 1, Outcome::AlreadyOff, false);
        let text = std::fs::read_to_string(&json).unwrap();
        let png = list(dir.path(), None).unwrap()[0].receipt.png.clone();
        std::fs::write(&json, text.replace(&png, "../../victim")).unwrap();
        assert!(list(dir.path(), None).unwrap().is_empty());
        assert!(!is_file_name("../x") && !is_file_name("a/b") && is_file_name(&png));
    }

    #[test]
    fn an_account_is_one_safe_path_segment() {
        let dir = Path::new("/state");
        assert_eq!(
            account_dir(dir, "../x/y@example.com"),
            Path::new("/state/receipts/..%2Fx%2Fy@example.com")
        );
    }
}
