//! What the tool keeps between runs in its state directory: the run lock, the history, the
//! receipts, the sign-in cool-down, what the policy watch has seen (`seen`), and how each
//! account's files are named (`files`).
//!
//! Both are keyed to files under `Settings::state_dir`; `config_key` names a config file in a
//! way that survives upgrades of the tool, so the lock and the crontab marker of one config
//! never collide with another's.

pub mod cooldown;
pub mod files;
pub mod history;
pub mod lock;
pub mod processes;
pub mod receipts;
pub mod seen;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Paths already reported as not writable in this process: each is reported once, and so is
/// nothing under it.
static NOT_KEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Warns, once per path, that `what` could not be kept at `path`; quiet for a path inside one
/// already reported. A run never fails for its state: it does its job and says what it lost.
pub fn warn_not_kept(path: &Path, what: &str, err: &dyn std::fmt::Display) {
    let mut reported = NOT_KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if reported.iter().any(|done| path.starts_with(done)) {
        tracing::debug!("not kept: {what} at {}: {err}", path.display());
        return;
    }
    reported.push(path.to_path_buf());
    tracing::warn!(
        "cannot keep {what} in {} ({err}): this run goes on without it; make that path writable",
        path.display()
    );
}

/// Whether a read failed only because the file is not there: missing, or a path that cannot
/// exist because something other than a directory stands where a directory of it should be
/// (an unwritable state directory, already reported once by `check_writable`).
pub fn is_absent(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// Whether the state directory can be written; when it cannot, warns once, naming it and
/// what this run will not keep.
pub fn check_writable(state_dir: &Path) -> bool {
    let probe = std::fs::create_dir_all(state_dir).and_then(|()| {
        tempfile::Builder::new()
            .prefix(".write-test-")
            .tempfile_in(state_dir)
            .map(drop)
    });
    match probe {
        Ok(()) => true,
        Err(err) => {
            warn_not_kept(
                state_dir,
                "this run's history, session, run lock and process record",
                &err,
            );
            false
        }
    }
}

/// A short, stable name for a config file: 16 hex digits of the FNV-1a hash of its absolute
/// path (canonical when the file exists).
///
/// FNV-1a rather than std's `DefaultHasher`, whose output may change between Rust releases:
/// the key is written into the crontab and must still match after the tool is rebuilt.
pub fn config_key(config_path: &Path) -> String {
    let path = absolute_path(config_path);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in path.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The canonical path when the file exists, otherwise the path made absolute; a config file
/// may not exist yet (it is then an empty configuration).
pub fn absolute_path(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_key_is_stable_and_tells_configs_apart() {
        // A fixed value: a changed hash would orphan every crontab line already installed.
        assert_eq!(
            config_key(Path::new("/nonexistent/a.toml")),
            "64ddcffeb27ee5e1"
        );
        assert_ne!(
            config_key(Path::new("/nonexistent/a.toml")),
            config_key(Path::new("/nonexistent/b.toml"))
        );
    }
}
