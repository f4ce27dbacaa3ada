//! The run lock: at most one run per config file at a time.
//!
//! Two runs for the same accounts (a cron run meeting a manual one) would sign in twice at
//! once, which LinkedIn reads as suspicious. The lock is an advisory `flock` on a file in the
//! state directory, held through an open file: the OS releases it when the process ends in
//! any way (return, panic, kill), so a crashed run never leaves a stale lock behind. The file
//! holds the holder's pid and start time, only to make the second run's message useful.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use jiff::Timestamp;

use crate::error::Error;

/// Held for the whole run; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock for `config_path` without waiting, or says who holds it
    /// (`Error::Busy`).
    pub fn acquire(state_dir: &Path, config_path: &Path) -> Result<RunLock, Error> {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("creating the state directory {}", state_dir.display()))?;
        let path = state_dir.join(format!("run-{}.lock", super::config_key(config_path)));
        // Never truncate on open: until we hold the lock, the content is the holder's.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening the run lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder may be between truncating and writing: an empty read is fine.
                let _ = file.read_to_string(&mut holder);
                let mut fields = holder.split_whitespace();
                return Err(Error::Busy {
                    pid: fields.next().unwrap_or("unknown").to_string(),
                    started: fields.next().unwrap_or("unknown").to_string(),
                });
            }
            Err(TryLockError::Error(err)) => {
                return Err(anyhow::Error::new(err)
                    .context(format!("locking {}", path.display()))
                    .into());
            }
        }
        let started = crate::clock::format_time(Timestamp::now());
        let write = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{} {started}", std::process::id())
        };
        // Who holds it only makes a second run's message useful: a full disk that cannot
        // take it costs nothing more.
        if let Err(err) = write(&mut file) {
            tracing::debug!("cannot write the holder into {}: {err}", path.display());
        }
        Ok(RunLock { file, path })
    }

    /// The lock file (for messages and tests).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Closing the file would release it too; unlocking first says so in the code.
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_acquire_fails_until_the_first_is_dropped() {
        let state = tempfile::tempdir().unwrap();
        let config = state.path().join("config.toml");
        let first = RunLock::acquire(state.path(), &config).unwrap();
        // flock conflicts between two open file descriptions even in one process.
        let err = RunLock::acquire(state.path(), &config).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "another run for this config is in progress (pid {}, started ",
                std::process::id()
            )),
            "{message}"
        );
        assert!(message.ends_with("this run did nothing"), "{message}");
        assert_eq!(err.exit_code(), crate::error::exit::OTHER);
        drop(first);
        RunLock::acquire(state.path(), &config).unwrap();
    }

    #[test]
    fn different_configs_do_not_block_each_other() {
        let state = tempfile::tempdir().unwrap();
        let a = RunLock::acquire(state.path(), &state.path().join("a.toml")).unwrap();
        let b = RunLock::acquire(state.path(), &state.path().join("b.toml")).unwrap();
        assert_ne!(a.path(), b.path());
    }
}
