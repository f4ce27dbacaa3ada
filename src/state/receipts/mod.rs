//! Receipts: proof, kept per account in `<state dir>/receipts/<account>/`, of what a fresh page
//! load showed. Each is two files named after the time and the setting: the screenshot
//! (`.png`) and what it shows (`.json`, with the screenshot's and the page's hashes).
//!
//! Directories are 0700 and files 0600, created without following links and never
//! overwritten. Retention keeps the story of each switch: its first reading, every change
//! and the newest, then weekly and monthly samples up to `receipts_keep` (see `retained`).

pub mod export;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::linkedin::evidence::{Evidence, Focus, sha256_hex};
use crate::linkedin::outcome::{Outcome, SettingState};
use crate::state::files::create_private_dir;

/// How many receipts retention keeps per account and switch, unless the config file says
/// otherwise (`receipts_keep`): a year of weekly, then monthly, samples and then some; the
/// first reading and every change are kept beyond it.
pub const DEFAULT_KEEP: usize = 40;

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
    /// Where the switch's own row is in the picture, in its pixels (receipts older than it,
    /// and a setting not offered, have none): what the exported page shows at full size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<Focus>,
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
        focus: evidence.focus,
    };
    let mut text = serde_json::to_vec_pretty(&receipt).context("encoding a receipt")?;
    text.push(b'\n');
    crate::state::files::write_new_private(&png, &evidence.png)
        .with_context(|| format!("writing {}", png.display()))?;
    if let Err(err) = crate::state::files::write_new_private(&json, &text) {
        let _ = std::fs::remove_file(&png);
        return Err(err).with_context(|| format!("writing {}", json.display()));
    }
    Ok(json)
}

/// Every receipt of `account` (all accounts when `None`), newest first. What is wrong in
/// the directory (see `scan`) is a warning each; a missing directory is no receipts.
pub fn list(state_dir: &Path, account: Option<&str>) -> anyhow::Result<Vec<Stored>> {
    let scan = scan(state_dir, account)?;
    for problem in &scan.problems {
        tracing::warn!("{}", problem.what);
    }
    Ok(scan.stored)
}

/// Something wrong in a receipts directory: a file damaged or removed by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The account's directory it was found in.
    pub dir: PathBuf,
    /// What is wrong, naming the file.
    pub what: String,
}

/// The receipts found (newest first) and what is wrong beside them.
#[derive(Debug, Default)]
pub struct Scan {
    pub stored: Vec<Stored>,
    pub problems: Vec<Problem>,
}

/// Reads every receipt of `account` (all accounts when `None`). A `.json` that is not a
/// regular file or not a receipt, a receipt whose screenshot is gone, and a screenshot whose
/// receipt is gone are problems, named; the other receipts are read all the same.
pub fn scan(state_dir: &Path, account: Option<&str>) -> anyhow::Result<Scan> {
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
    let mut scan = Scan::default();
    for dir in dirs {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if super::is_absent(&err) => continue,
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("reading the receipts in {}", dir.display()));
            }
        };
        let mut problem = |what: String| {
            scan.problems.push(Problem {
                dir: dir.clone(),
                what,
            })
        };
        let paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        fn has(ext: &'static str) -> impl Fn(&&PathBuf) -> bool {
            move |path| path.extension().is_some_and(|e| e == ext)
        }
        let mut pictures: Vec<&PathBuf> = paths.iter().filter(has("png")).collect();
        for path in paths.iter().filter(has("json")) {
            // Only a regular file is read: a pipe in its place would never end.
            let parsed = match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_file() => std::fs::read(path)
                    .map_err(anyhow::Error::from)
                    .and_then(|bytes| Ok(serde_json::from_slice::<Receipt>(&bytes)?)),
                Ok(_) => Err(anyhow::anyhow!("not a regular file")),
                Err(err) => Err(err.into()),
            };
            match parsed {
                // The screenshot is named beside the receipt; a name that reaches elsewhere
                // (a hand-edited file) would have pruning remove another file.
                Ok(receipt) if !is_file_name(&receipt.png) => problem(format!(
                    "{} is damaged: its `png` is not a file name beside it",
                    path.display()
                )),
                Ok(receipt) => {
                    let png = dir.join(&receipt.png);
                    pictures.retain(|picture| **picture != png);
                    if std::fs::symlink_metadata(&png).is_err() {
                        problem(format!(
                            "the screenshot {} of the receipt {} is missing",
                            png.display(),
                            path.display()
                        ));
                    }
                    scan.stored.push(Stored {
                        png,
                        json: path.clone(),
                        receipt,
                    });
                }
                Err(err) => problem(format!("{} is not a receipt ({err})", path.display())),
            }
        }
        for picture in pictures {
            if std::fs::symlink_metadata(picture.with_extension("json")).is_err() {
                problem(format!(
                    "the receipt of the screenshot {} is missing",
                    picture.display()
                ));
            }
        }
    }
    scan.stored.sort_by(|a, b| {
        (b.receipt.time, &b.receipt.account).cmp(&(a.receipt.time, &a.receipt.account))
    });
    scan.problems.sort_by(|a, b| a.what.cmp(&b.what));
    Ok(scan)
}

/// One plain file name: no directory, no `..`, nothing hidden.
fn is_file_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// Removes `account`'s receipts beyond retention at `now` (see `retained`), switch by switch.
/// Returns how many were removed.
pub fn prune(
    state_dir: &Path,
    account: &str,
    keep: usize,
    now: Timestamp,
) -> anyhow::Result<usize> {
    let mut by_setting: std::collections::BTreeMap<String, Vec<Stored>> = Default::default();
    // Newest first from `list`: each switch's receipts end up oldest first.
    for stored in list(state_dir, Some(account))?.into_iter().rev() {
        by_setting
            .entry(stored.receipt.setting.clone())
            .or_default()
            .push(stored);
    }
    let mut removed = 0;
    for receipts in by_setting.values() {
        let kept = retained(receipts, keep, now);
        for (stored, _) in receipts.iter().zip(kept).filter(|(_, kept)| !kept) {
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
    }
    Ok(removed)
}

/// Routine readings younger than this are sampled one per week; older ones one per month.
const WEEKLY_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 91);

/// Which of one switch's receipts (oldest first) retention keeps at `now`, in order.
///
/// Always kept: the first reading, every change (a switch-off, drift, or a state other than
/// the reading before) and the newest reading. Then, up to `keep` receipts in all, samples
/// from the newest back: the first reading of each week (UTC) of the last 13 weeks, then the
/// first of each month. Whatever else there is goes. `keep = 0` keeps the changes alone
/// (switch-offs and drift), as it always has.
pub fn retained(receipts: &[Stored], keep: usize, now: Timestamp) -> Vec<bool> {
    if keep == 0 {
        return receipts.iter().map(|s| s.receipt.is_change()).collect();
    }
    let last = receipts.len().saturating_sub(1);
    let mut kept: Vec<bool> = receipts
        .iter()
        .enumerate()
        .map(|(index, stored)| {
            index == 0
                || index == last
                || stored.receipt.is_change()
                || stored.receipt.state != receipts[index - 1].receipt.state
        })
        .collect();
    let mut count = kept.iter().filter(|kept| **kept).count();
    // The period each receipt samples: a week while young, a month after.
    let period = |time: Timestamp| {
        let date = time.to_zoned(jiff::tz::TimeZone::UTC).date();
        if now.duration_since(time) < WEEKLY_FOR {
            let week = date.iso_week_date();
            (0, week.year(), week.week())
        } else {
            (1, date.year(), date.month())
        }
    };
    let mut sampled = std::collections::HashSet::new();
    let firsts: Vec<usize> = (0..receipts.len())
        .filter(|index| sampled.insert(period(receipts[*index].receipt.time)))
        .collect();
    for index in firsts.into_iter().rev() {
        if count >= keep {
            break;
        }
        if !kept[index] {
            kept[index] = true;
            count += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

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
            focus: None,
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
    fn prune_keeps_the_first_the_changes_and_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        keep(dir.path(), 1, Outcome::OptedOut, false);
        keep(dir.path(), 2, Outcome::AlreadyOff, false);
        keep(dir.path(), 3, Outcome::WouldOptOut, true);
        keep(dir.path(), 4, Outcome::AlreadyOff, false);
        keep(dir.path(), 5, Outcome::AlreadyOff, false);
        let now = Timestamp::from_second(1_800_000_010).unwrap();
        assert_eq!(prune(dir.path(), "a@example.com", 1, now).unwrap(), 2);
        let left: Vec<i64> = list(dir.path(), None)
            .unwrap()
            .iter()
            .map(|s| s.receipt.time.as_second() - 1_800_000_000)
            .collect();
        assert_eq!(left, [5, 3, 1]);
        assert_eq!(prune(dir.path(), "a@example.com", 0, now).unwrap(), 1);
        assert_eq!(list(dir.path(), None).unwrap().len(), 2);
        // No file of a removed receipt is left behind.
        let files = std::fs::read_dir(account_dir(dir.path(), "a@example.com"))
            .unwrap()
            .count();
        assert_eq!(files, 4);
    }

    /// A receipt of `state` at `time`, as a run at that time would have left it.
    fn stored(time: Timestamp, state: SettingState, outcome: Outcome, drift: bool) -> Stored {
        let stem = stem(time, "data-for-ai-improvement");
        Stored {
            receipt: Receipt {
                account: "a@example.com".into(),
                setting: "data-for-ai-improvement".into(),
                state,
                url: String::new(),
                time,
                tool_version: String::new(),
                browser_name: String::new(),
                browser_version: String::new(),
                png: format!("{stem}.png"),
                png_sha256: String::new(),
                html_sha256: String::new(),
                outcome,
                drift,
                focus: None,
            },
            png: PathBuf::from(format!("{stem}.png")),
            json: PathBuf::from(format!("{stem}.json")),
        }
    }

    /// A year of daily runs, on a clock the test sets: found on and switched off on day 0,
    /// switched back on by LinkedIn on day 200 (drift, switched off again), not offered for a
    /// week from day 300. Retention keeps that story and samples the rest.
    #[test]
    fn a_year_of_daily_receipts_keeps_the_story_and_weekly_then_monthly_samples() {
        use SettingState::{NotOffered, Off, On};
        let start: Timestamp = "2026-01-01T07:00:00Z".parse().unwrap();
        let day = |n: i64| start + jiff::SignedDuration::from_hours(24 * n);
        let mut receipts = Vec::new();
        for n in 0..365 {
            receipts.push(match n {
                0 => stored(day(n), Off, Outcome::OptedOut, false),
                200 => stored(day(n), Off, Outcome::OptedOut, true),
                300..307 => stored(day(n), NotOffered, Outcome::NotOffered, false),
                _ => stored(day(n), Off, Outcome::AlreadyOff, false),
            });
        }
        // The receipt of the drift itself: read on, then switched off in the same run.
        receipts.insert(
            200,
            stored(
                day(200) - jiff::SignedDuration::from_secs(5),
                On,
                Outcome::OptedOut,
                true,
            ),
        );
        let now = day(364) + jiff::SignedDuration::from_hours(1);
        let kept_days = |keep: usize| -> Vec<(String, SettingState)> {
            receipts
                .iter()
                .zip(retained(&receipts, keep, now))
                .filter(|(_, kept)| *kept)
                .map(|(s, _)| {
                    (
                        s.receipt.time.strftime("%Y-%m-%d").to_string(),
                        s.receipt.state,
                    )
                })
                .collect()
        };
        // The first reading, the drift and its switch-off, not offered and back, the newest.
        const STORY: [&str; 5] = [
            "2026-01-01",
            "2026-07-20",
            "2026-10-28",
            "2026-11-04",
            "2026-12-31",
        ];
        let kept = kept_days(40);
        let dates: Vec<&str> = kept.iter().map(|(date, _)| date.as_str()).collect();
        for date in STORY {
            assert!(dates.contains(&date), "{date} in {dates:?}");
        }
        assert_eq!(kept.iter().filter(|(_, s)| *s == On).count(), 1, "{kept:?}");
        // One a week for the last 13 weeks, one a month before that: 29 of 366, under 40.
        assert_eq!(kept.len(), 29, "{dates:?}");
        let weeks: std::collections::BTreeSet<i8> = kept
            .iter()
            .filter(|(date, _)| date.as_str() >= "2026-10-01")
            .map(|(date, _)| {
                date.parse::<jiff::civil::Date>()
                    .unwrap()
                    .iso_week_date()
                    .week()
            })
            .collect();
        assert_eq!(
            weeks.len(),
            14,
            "every week of the last 13 has a reading: {dates:?}"
        );
        let months: std::collections::BTreeSet<&str> =
            dates.iter().map(|date| &date[..7]).collect();
        assert_eq!(months.len(), 12, "every month has a reading: {dates:?}");
        // Bounded tighter, the newest samples stay and the story still does.
        let tight = kept_days(10);
        let dates: Vec<&str> = tight.iter().map(|(date, _)| date.as_str()).collect();
        assert_eq!(tight.len(), 10, "{dates:?}");
        for date in STORY {
            assert!(dates.contains(&date), "{date} in {dates:?}");
        }
        // 0: the switch-offs and the drift alone, as before.
        let changes = kept_days(0);
        assert_eq!(changes.len(), 3, "{changes:?}");
        // Pruning again the next day keeps what it kept (but for the newest's sample).
        let again: Vec<Stored> = receipts
            .iter()
            .zip(retained(&receipts, 40, now))
            .filter(|(_, kept)| *kept)
            .map(|(s, _)| s.clone())
            .collect();
        assert!(retained(&again, 40, now).iter().all(|kept| *kept));
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
