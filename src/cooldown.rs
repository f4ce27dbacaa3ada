//! Remembering that LinkedIn throttled an account's sign-ins, so that the next scheduled run
//! inside the cool-down does not try again (retrying is what gets accounts restricted).

use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn file(state_dir: &Path, account: &str) -> PathBuf {
    let name: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    state_dir.join("cooldown").join(name)
}

/// When sign-ins may be tried again, if a cool-down is running.
pub fn until(state_dir: &Path, account: &str) -> Option<OffsetDateTime> {
    let text = std::fs::read_to_string(file(state_dir, account)).ok()?;
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .filter(|until| *until > OffsetDateTime::now_utc())
}

/// Starts a cool-down; a failure to record it is logged, never fatal.
pub fn record(state_dir: &Path, account: &str, until: OffsetDateTime) {
    let path = file(state_dir, account);
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, crate::report::format_time(until)));
    if let Err(err) = written {
        tracing::warn!(
            "cannot record the sign-in cool-down in {}: {err}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_cool_down_holds_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(until(dir.path(), "a@b.c"), None);
        let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
        record(dir.path(), "a@b.c", later);
        assert_eq!(
            until(dir.path(), "a@b.c").map(|t| t.unix_timestamp()),
            Some(later.unix_timestamp())
        );
        record(
            dir.path(),
            "a@b.c",
            OffsetDateTime::now_utc() - time::Duration::hours(1),
        );
        assert_eq!(until(dir.path(), "a@b.c"), None);
    }
}
