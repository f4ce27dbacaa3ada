//! The run history: one JSON line per account per run in `<state_dir>/history.jsonl`, and
//! the drift it reveals.
//!
//! Appending one line per write keeps the file readable when two configs' runs finish at
//! once (each `O_APPEND` write of a small buffer lands whole). Drift is what "keep it off"
//! watches for: the setting found on although an earlier run had left it off.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::linkedin::outcome::{Outcome, SettingState};
use crate::report::AccountReport;
use crate::report::policy::{self, Past};

const FILE_NAME: &str = "history.jsonl";

/// One account's run as kept in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRecord {
    pub time: Timestamp,
    pub account: String,
    /// The switch, by catalogue name (records older than the catalogue are all of the
    /// default switch).
    #[serde(default = "default_setting")]
    pub setting: String,
    pub before: SettingState,
    pub after: SettingState,
    pub outcome: Outcome,
    pub changed: bool,
    pub duration_ms: u64,
    /// The tool's version, to tell a LinkedIn change from a change of the tool.
    pub version: String,
    pub message: String,
    /// The receipt of what this run read (its `.json`), when it read the setting.
    #[serde(default)]
    pub receipt: Option<PathBuf>,
    /// The switch's exit code in that run (records older than it: the outcome's).
    #[serde(default)]
    pub exit_code: Option<u8>,
}

fn default_setting() -> String {
    crate::linkedin::catalogue::DEFAULT_SWITCH.to_string()
}

impl HistoryRecord {
    /// The record of `report`, stamped with `time` and this build's version.
    pub fn new(report: &AccountReport, time: Timestamp) -> HistoryRecord {
        HistoryRecord {
            time,
            account: report.account.clone(),
            setting: report.setting.clone(),
            before: report.before,
            after: report.after,
            outcome: report.outcome,
            changed: report.changed,
            duration_ms: report.duration_ms,
            version: env!("CARGO_PKG_VERSION").to_string(),
            message: report.message.clone(),
            receipt: report.receipt.clone(),
            exit_code: Some(report.exit_code),
        }
    }

    /// The switch's exit code in that run.
    pub fn exit_code(&self) -> u8 {
        self.exit_code.unwrap_or_else(|| self.outcome.exit_code())
    }
}

/// A record and whether it shows drift, as `history --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkedRecord {
    #[serde(flatten)]
    pub record: HistoryRecord,
    pub drift: bool,
    /// When an earlier run last read the switch off (`null` when none did).
    pub last_off: Option<Timestamp>,
}

/// Where the history of a state directory is kept.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE_NAME)
}

/// Appends one line per report, stamped with the current time; creates the directory and
/// the file as needed. A last line left without its newline (a crash, a copy, an editor) is
/// ended first, so that the new records start on lines of their own.
pub fn append(state_dir: &Path, reports: &[AccountReport]) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let now = crate::clock::whole_seconds(now);
    std::fs::create_dir_all(state_dir)
        .with_context(|| format!("creating the state directory {}", state_dir.display()))?;
    let path = path(state_dir);
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(&path)
        .with_context(|| format!("opening the history {}", path.display()))?;
    let mut start_new_line = !ends_with_newline(&mut file)
        .with_context(|| format!("reading the end of the history {}", path.display()))?;
    for report in reports {
        let mut line = Vec::new();
        if std::mem::take(&mut start_new_line) {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &HistoryRecord::new(report, now))
            .context("encoding a history record")?;
        line.push(b'\n');
        // One write call per record: with O_APPEND it lands whole, even next to another
        // run's.
        let written = file
            .write(&line)
            .with_context(|| format!("appending to the history {}", path.display()))?;
        if written != line.len() {
            anyhow::bail!(
                "appending to the history {}: only {written} of {} bytes were written (is the disk full?)",
                path.display(),
                line.len()
            );
        }
    }
    Ok(())
}

/// Whether the file is empty or ends with a newline.
fn ends_with_newline(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    if file.seek(SeekFrom::End(0))? == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Every record in file order; a missing file is an empty history. The file is read line by
/// line, bytes that are not UTF-8 are replaced, and a line that does not parse (a truncated
/// write, a hand edit) is skipped: one warning per bad line, naming its number.
pub fn read(state_dir: &Path) -> anyhow::Result<Vec<HistoryRecord>> {
    let path = path(state_dir);
    // Only a regular file: a device in its place (`/dev/zero`, `/dev/full`) never ends.
    if let Ok(meta) = std::fs::metadata(&path)
        && !meta.is_file()
    {
        anyhow::bail!("the history {} is not a regular file", path.display());
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if super::is_absent(&err) => return Ok(Vec::new()),
        Err(err) => {
            return Err(err).with_context(|| format!("reading the history {}", path.display()));
        }
    };
    let mut records = Vec::new();
    for (index, bytes) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(bytes);
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        match serde_json::from_str::<HistoryRecord>(&line) {
            Ok(mut record) => {
                // Older versions kept an account in the spelling it was given.
                record.account = crate::input::normal_email(&record.account);
                if std::str::from_utf8(bytes).is_err() {
                    tracing::warn!(
                        "line {number} of {} holds bytes that are not UTF-8: they are shown as \u{fffd}",
                        path.display()
                    );
                }
                records.push(record);
            }
            Err(err) => tracing::warn!(
                "skipping line {number} of {}: not a history record ({err})",
                path.display()
            ),
        }
    }
    Ok(records)
}

/// Marks drift: a record that found a switch on while the last known state of the same
/// account's same switch, as an earlier run left it, was off. A run that ended without a
/// known state (an error) neither starts nor ends a stretch of "off".
pub fn mark_drift(records: Vec<HistoryRecord>) -> Vec<MarkedRecord> {
    let mut last_after: HashMap<(String, String), SettingState> = HashMap::new();
    let mut last_off: HashMap<(String, String), Timestamp> = HashMap::new();
    records
        .into_iter()
        .map(|record| {
            let key = (record.account.clone(), record.setting.clone());
            let drift = record.before == SettingState::On
                && last_after.get(&key) == Some(&SettingState::Off);
            let off_before = last_off.get(&key).copied();
            if matches!(record.after, SettingState::On | SettingState::Off) {
                last_after.insert(key.clone(), record.after);
            }
            if record.after == SettingState::Off {
                last_off.insert(key, record.time);
            }
            MarkedRecord {
                record,
                drift,
                last_off: off_before,
            }
        })
        .collect()
}

/// What `records` (one account's, oldest first) say about `setting` before a new run: the
/// outcome table's input (`report::policy`).
pub fn past(records: &[HistoryRecord], setting: &str) -> Past {
    let of_switch: Vec<&HistoryRecord> = records.iter().filter(|r| r.setting == setting).collect();
    let failures: Vec<&HistoryRecord> = of_switch
        .iter()
        .rev()
        .take_while(|record| policy::is_passing_failure(record.exit_code()))
        .copied()
        .collect();
    let last_read = of_switch
        .iter()
        .rev()
        .find(|record| policy::is_reading(record.after));
    Past {
        last_read: last_read.map(|record| record.after),
        last_off: of_switch
            .iter()
            .rev()
            .find(|record| record.after == SettingState::Off)
            .map(|record| record.time),
        passing_failures: u32::try_from(failures.len()).unwrap_or(u32::MAX),
        failing_since: failures.last().map(|record| record.time),
        account_last_read: records
            .iter()
            .rev()
            .find(|record| policy::is_reading(record.after))
            .map(|record| record.time),
        account_first_run: records.first().map(|record| record.time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkedin::catalogue::DEFAULT_SWITCH;

    fn report(account: &str, before: SettingState, after: SettingState) -> AccountReport {
        let outcome = match (before, after) {
            (SettingState::Off, SettingState::Off) => Outcome::AlreadyOff,
            (SettingState::On, SettingState::Off) => Outcome::OptedOut,
            _ => Outcome::Error,
        };
        AccountReport {
            account: account.to_string(),
            setting: DEFAULT_SWITCH.to_string(),
            before,
            after,
            outcome,
            changed: before != after,
            drift: false,
            last_off: None,
            message: String::new(),
            duration_ms: 5,
            exit_code: outcome.exit_code(),
            receipt: None,
            past: Default::default(),
        }
    }

    #[test]
    fn append_then_read_round_trips_and_skips_bad_lines() {
        use SettingState::{Off, On};
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("nested/state");
        append(&state, &[report("a@example.com", On, Off)]).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(path(&state))
            .unwrap()
            .write_all(b"{\"truncated\n")
            .unwrap();
        append(&state, &[report("b@example.com", Off, Off)]).unwrap();
        let records = read(&state).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].account, "a@example.com");
        assert_eq!(records[0].outcome, Outcome::OptedOut);
        assert_eq!(records[0].version, env!("CARGO_PKG_VERSION"));
        assert_eq!(records[1].account, "b@example.com");
    }

    #[test]
    fn an_account_an_older_version_kept_in_another_spelling_is_read_in_the_normal_form() {
        use SettingState::{Off, On};
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), &[report("Me@Example.com", Off, Off)]).unwrap();
        append(dir.path(), &[report("me@example.com", On, Off)]).unwrap();
        let marked = mark_drift(read(dir.path()).unwrap());
        assert_eq!(marked[0].record.account, "me@example.com");
        assert!(marked[1].drift, "one account: off, then found on");
    }

    #[test]
    fn an_unterminated_last_line_is_ended_before_appending() {
        use SettingState::{Off, On};
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), &[report("a@example.com", On, Off)]).unwrap();
        let mut text = std::fs::read(path(dir.path())).unwrap();
        assert_eq!(text.pop(), Some(b'\n'));
        std::fs::write(path(dir.path()), &text).unwrap();
        append(dir.path(), &[report("b@example.com", Off, Off)]).unwrap();
        let accounts: Vec<String> = read(dir.path())
            .unwrap()
            .into_iter()
            .map(|r| r.account)
            .collect();
        assert_eq!(accounts, ["a@example.com", "b@example.com"]);
    }

    #[test]
    fn a_line_with_bytes_that_are_not_utf8_does_not_hide_the_others() {
        use SettingState::{Off, On};
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), &[report("a@example.com", On, Off)]).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(path(dir.path()))
            .unwrap()
            .write_all(b"\xff\xfe broken\n")
            .unwrap();
        append(dir.path(), &[report("b@example.com", Off, Off)]).unwrap();
        assert_eq!(read(dir.path()).unwrap().len(), 2);
    }

    #[test]
    fn a_missing_history_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn drift_is_on_after_off_for_the_same_account() {
        use SettingState::{Off, On, Unknown};
        let now = Timestamp::now();
        let records = [
            report("a@example.com", On, Off),  // first run: on is not drift
            report("b@example.com", Off, Off), // another account's off
            report("a@example.com", Off, Off), // stayed off
            report("a@example.com", Unknown, Unknown), // failed run: off still stands
            report("a@example.com", On, Off),  // drift
            report("b@example.com", On, On),   // drift (and did not stick)
            report("b@example.com", On, Off),  // was left on: not drift
        ]
        .iter()
        .map(|r| HistoryRecord::new(r, now))
        .collect();
        let drift: Vec<bool> = mark_drift(records).iter().map(|m| m.drift).collect();
        assert_eq!(drift, [false, false, false, false, true, true, false]);
    }

    #[test]
    fn drift_is_judged_per_switch() {
        use SettingState::{Off, On};
        let now = Timestamp::now();
        let of = |setting: &str, before, after| {
            let mut report = report("a@example.com", before, after);
            report.setting = setting.to_string();
            HistoryRecord::new(&report, now)
        };
        let records = vec![
            of("ads-by-age", Off, Off),   // left off
            of(DEFAULT_SWITCH, On, Off),  // the other switch's first run
            of(DEFAULT_SWITCH, On, Off),  // its own drift
            of("ads-by-age", On, Off),    // drift of ads-by-age
            of("ads-by-gender", On, Off), // first seen: not drift
        ];
        let drift: Vec<bool> = mark_drift(records).iter().map(|m| m.drift).collect();
        assert_eq!(drift, [false, false, true, true, false]);
    }

    #[test]
    fn a_record_older_than_the_catalogue_is_of_the_default_switch() {
        let line = r#"{"time":"2026-01-01T00:00:00Z","account":"a@example.com","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":5,"version":"0.1.0","message":""}"#;
        let record: HistoryRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.setting, DEFAULT_SWITCH);
    }
}
