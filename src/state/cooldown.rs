//! Remembering that LinkedIn throttled an account's sign-ins, so that the next scheduled run
//! inside the cool-down does not try again (retrying is what gets accounts restricted).

use std::path::{Path, PathBuf};

use jiff::Timestamp;

fn file(state_dir: &Path, account: &str) -> PathBuf {
    super::files::account_path(&state_dir.join("cooldown"), account, "")
}

/// The longest a cool-down lasts, counted from when it was written: a record that claims
/// more (a clock gone wrong, a hand edit) never blocks an account for longer.
pub const LONGEST: jiff::SignedDuration = jiff::SignedDuration::from_hours(6);

/// When sign-ins may be tried again, if a cool-down is running. A damaged record is ignored
/// with a warning.
pub fn until(state_dir: &Path, account: &str) -> Option<Timestamp> {
    let path = file(state_dir, account);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) if super::is_absent(&err) => return None,
        Err(err) => {
            tracing::warn!(
                "ignoring the sign-in cool-down record {}: {err}",
                path.display()
            );
            return None;
        }
    };
    let until = match parse_until(text.trim()) {
        Ok(until) => until,
        Err(err) => {
            tracing::warn!(
                "ignoring the damaged sign-in cool-down record {} ({err}); delete it to silence this warning",
                path.display()
            );
            return None;
        }
    };
    let now = Timestamp::now();
    // When it was written: its modification time, never later than now.
    let written = std::fs::metadata(&path)
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|modified| Timestamp::try_from(modified).ok())
        .unwrap_or(now)
        .min(now);
    Some(until.min(written + LONGEST)).filter(|until| *until > now)
}

/// The end of a cool-down as written. A time later than any jiff keeps (year 9999: a hand
/// edit, a clock gone wrong) is as late as there is; `LONGEST` caps it anyway.
fn parse_until(text: &str) -> Result<Timestamp, jiff::Error> {
    text.parse::<Timestamp>()
        .or_else(|err| match jiff::fmt::temporal::Pieces::parse(text) {
            Ok(pieces) if pieces.date().year() == 9999 => Ok(Timestamp::MAX),
            _ => Err(err),
        })
}

/// What to add to the reason of a run stopped by a running cool-down: where it is kept and
/// how to end it early.
pub fn note(state_dir: &Path, account: &str) -> String {
    format!(
        "; the cool-down is kept in {}: delete that file to sign in sooner",
        file(state_dir, account).display()
    )
}

/// Starts a cool-down (at most `LONGEST`), written whole or not at all; a failure to record
/// it is logged, never fatal.
pub fn record(state_dir: &Path, account: &str, until: Timestamp) {
    let path = file(state_dir, account);
    let until = until.min(Timestamp::now() + LONGEST);
    if let Err(err) = write_atomically(&path, crate::clock::format_time(until).as_bytes()) {
        tracing::warn!(
            "cannot record the sign-in cool-down in {}: {err}",
            path.display()
        );
    }
}

/// Writes `path` whole or not at all (`files::replace_private`), creating its directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    super::files::replace_private(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_cool_down_holds_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(until(dir.path(), "a@b.c"), None);
        let later = Timestamp::now() + jiff::SignedDuration::from_hours(1);
        record(dir.path(), "a@b.c", later);
        assert_eq!(
            until(dir.path(), "a@b.c").map(|t| t.as_second()),
            Some(later.as_second())
        );
        record(
            dir.path(),
            "a@b.c",
            Timestamp::now() - jiff::SignedDuration::from_hours(1),
        );
        assert_eq!(until(dir.path(), "a@b.c"), None);
    }

    #[test]
    fn a_cool_down_an_older_version_recorded_still_holds() {
        let dir = tempfile::tempdir().unwrap();
        let cooldown = dir.path().join("cooldown");
        std::fs::create_dir(&cooldown).unwrap();
        let later = Timestamp::now() + jiff::SignedDuration::from_hours(1);
        // Older versions wrote `_` for a character outside `@._+-`, in the spelling given.
        std::fs::write(
            cooldown.join("O_Brien@example.com"),
            crate::clock::format_time(later),
        )
        .unwrap();
        assert_eq!(
            until(dir.path(), "o'brien@example.com").map(|t| t.as_second()),
            Some(later.as_second())
        );
        assert!(cooldown.join("o%27brien@example.com").is_file());
    }

    #[test]
    fn a_cool_down_is_capped_at_six_hours_from_when_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "a@b.c");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "9999-12-31T23:59:59Z").unwrap();
        let until = until(dir.path(), "a@b.c").expect("a running cool-down");
        assert!(until <= Timestamp::now() + LONGEST, "{until}");
    }

    #[test]
    fn a_damaged_record_is_no_cool_down_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "a@b.c");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"\xff not a time").unwrap();
        assert_eq!(until(dir.path(), "a@b.c"), None);
        // A directory in the way: the record cannot be written, and nothing is left over.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        record(
            dir.path(),
            "a@b.c",
            Timestamp::now() + jiff::SignedDuration::from_hours(1),
        );
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("a@b.c")]);
    }
}
