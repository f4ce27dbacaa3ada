//! The local Chromium's profile directory: private to the user (0700), under
//! `$XDG_RUNTIME_DIR` when there is one (a tmpfs only the user can enter, emptied at
//! logout), removed when the session ends, and swept at the next start when a run was
//! killed before it could remove its own.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::error::Error;

/// Every profile directory's name starts with this, then the pid of the run that made it.
const PREFIX: &str = "linkedin-optout-profile-";

/// Where profiles are made: `$XDG_RUNTIME_DIR` when it is a directory only we can enter,
/// otherwise the system's temporary directory.
pub fn parent_dir() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute() && is_private_dir_of_ours(dir))
        .unwrap_or_else(std::env::temp_dir)
}

/// A fresh profile directory, mode 0700, removed when dropped. Profiles left behind by
/// runs that no longer exist are removed first.
pub fn create() -> Result<TempDir, Error> {
    let parent = parent_dir();
    sweep(&parent);
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .permissions(private_mode())
        .tempdir_in(&parent)
        .map_err(|err| {
            Error::BrowserUnavailable(format!(
                "cannot create a private browser profile directory in {}: {err}; check that it is writable, or set XDG_RUNTIME_DIR",
                parent.display()
            ))
        })
}

/// Removes the profiles in `parent` that are ours and whose run is gone. A profile whose
/// pid is alive is left alone, whichever process has that pid now.
pub fn sweep(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        if process_alive(pid) || !is_owned_dir(&path) {
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {
                tracing::debug!(profile = %path.display(), "removed the profile of a dead run")
            }
            Err(err) => tracing::warn!(
                "cannot remove {}, the browser profile of an earlier run: {err}",
                path.display()
            ),
        }
    }
}

fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; it is never delivered.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(unix)]
fn private_mode() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::Permissions::from_mode(0o700)
}

#[cfg(not(unix))]
fn private_mode() -> std::fs::Permissions {
    std::fs::metadata(std::env::temp_dir())
        .map(|m| m.permissions())
        .expect("the temporary directory exists")
}

/// A real directory (not a link) owned by this user.
fn is_owned_dir(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.is_dir() && m.uid() == crate::security::effective_uid())
    }
    #[cfg(not(unix))]
    {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
    }
}

/// A directory of ours that nobody else can enter.
fn is_private_dir_of_ours(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        is_owned_dir(path)
            && std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        is_owned_dir(path)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn sweeping_removes_dead_runs_profiles_only() {
        let parent = tempfile::tempdir().unwrap();
        // No pid reaches this: /proc/sys/kernel/pid_max is at most 2^22.
        let dead = parent.path().join(format!("{PREFIX}99999999-abc"));
        let alive = parent
            .path()
            .join(format!("{PREFIX}{}-abc", std::process::id()));
        let other = parent.path().join("someone-elses-99999999");
        for dir in [&dead, &alive, &other] {
            std::fs::create_dir(dir).unwrap();
        }
        std::fs::write(dead.join("Cookies"), "x").unwrap();
        sweep(parent.path());
        assert!(!dead.exists());
        assert!(alive.exists());
        assert!(other.exists());
    }

    #[test]
    fn a_profile_is_private_and_goes_when_dropped() {
        let profile = create().unwrap();
        let mode = std::fs::metadata(profile.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        let path = profile.path().to_path_buf();
        drop(profile);
        assert!(!path.exists());
    }
}
