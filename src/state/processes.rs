//! The process group of each running driver, recorded in `<state dir>/processes/`, so that a
//! later run can end a group that outlived its run (when its reaper was killed along with
//! the tool, say by a `kill -9` of the tool's whole process group).
//!
//! A later run ends only what it can prove is that run's: the run that wrote the record must
//! be gone (its pid dead, or reused by a process started at another time), and each process
//! it kills must either be in the recorded group and be the recorded driver (same pid, same
//! start time) or carry one of the run's browser profile directories on its command line,
//! or carry the run's random token in its environment ([`RUN_TOKEN_ENV`]: how Chromium's
//! crash handler, which runs in a session of its own, is known). Everything else is left
//! alone. Linux only (it reads `/proc`); elsewhere nothing is swept.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

const DIR_NAME: &str = "processes";

/// Set on the driver, and so inherited by the browser and its crash handler: a random token
/// that names the run's processes wherever they go (another group, another session).
pub const RUN_TOKEN_ENV: &str = "LINKEDIN_OPTOUT_RUN_TOKEN";

/// A fresh run token.
pub fn new_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// What a run recorded about its driver's process group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// The tool that started the group, and its start time (clock ticks after boot), so that
    /// a reused pid is never taken for a live run.
    pub tool_pid: u32,
    pub tool_started: u64,
    /// The driver: the group's leader, so its pid is the group id.
    pub group: u32,
    pub driver_started: u64,
    /// The value of [`RUN_TOKEN_ENV`] in the run's processes.
    pub token: String,
    /// The browser profile directories of the run's sessions.
    pub profiles: Vec<PathBuf>,
}

/// The record of a running driver's group, kept up to date as sessions start.
#[derive(Debug)]
pub struct GroupFile {
    path: PathBuf,
    record: Mutex<GroupRecord>,
}

impl GroupFile {
    /// Records the group of the driver `driver_pid` (just started by this process, with
    /// `token` in its environment).
    pub fn create(state_dir: &Path, driver_pid: u32, token: &str) -> std::io::Result<GroupFile> {
        let tool_pid = std::process::id();
        let record = GroupRecord {
            tool_pid,
            tool_started: start_time(tool_pid).unwrap_or(0),
            group: driver_pid,
            driver_started: start_time(driver_pid).unwrap_or(0),
            token: token.to_string(),
            profiles: Vec::new(),
        };
        let path = state_dir
            .join(DIR_NAME)
            .join(format!("{tool_pid}-{driver_pid}.json"));
        write(&path, &record)?;
        Ok(GroupFile {
            path,
            record: Mutex::new(record),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds a session's browser profile directory to the record.
    pub fn add_profile(&self, profile: &Path) -> std::io::Result<()> {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        record.profiles.push(profile.to_path_buf());
        write(&self.path, &record)
    }

    /// The group is gone: forget it.
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whole or not at all: a temporary file renamed over the record.
fn write(path: &Path, record: &GroupRecord) -> std::io::Result<()> {
    let dir = path.parent().expect("a record is inside a directory");
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".{}.tmp",
        path.file_name().expect("a file name").to_string_lossy()
    ));
    let json = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    std::fs::write(&temporary, json)?;
    std::fs::rename(&temporary, path)
}

/// Ends what earlier runs recorded and left running, and drops their records. Returns how
/// many processes it ended. Never fails: whatever it cannot read it leaves alone.
pub fn end_outlived(state_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(state_dir.join(DIR_NAME)) else {
        return 0;
    };
    let mut ended = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let record: GroupRecord = match std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        {
            Some(record) => record,
            None => {
                tracing::warn!(
                    "removing {}: not a record of a run's processes",
                    path.display()
                );
                let _ = std::fs::remove_file(&path);
                continue;
            }
        };
        if run_is_alive(&record) {
            continue;
        }
        let ours = processes_of(&record);
        for pid in &ours {
            // SAFETY: kill(2) on a pid just checked to be the recorded run's process.
            #[cfg(unix)]
            unsafe {
                libc::kill(*pid as libc::pid_t, libc::SIGKILL);
            }
        }
        if !ours.is_empty() {
            tracing::warn!(
                "ended {} browser and driver processes that an earlier run (pid {}) left running",
                ours.len(),
                record.tool_pid
            );
        }
        ended += ours.len();
        let _ = std::fs::remove_file(&path);
    }
    ended
}

/// The run that wrote `record` still runs: its pid is alive and started when it did.
fn run_is_alive(record: &GroupRecord) -> bool {
    record.tool_pid == std::process::id()
        || start_time(record.tool_pid).is_some_and(|started| started == record.tool_started)
}

/// The processes of `record`'s group that are provably the recorded run's.
fn processes_of(record: &GroupRecord) -> Vec<u32> {
    let profile_args: Vec<Vec<u8>> = record
        .profiles
        .iter()
        .map(|profile| {
            let mut arg = b"--user-data-dir=".to_vec();
            arg.extend_from_slice(profile.as_os_str().as_encoded_bytes());
            arg
        })
        .collect();
    let token = token_entry(&record.token);
    all_pids()
        .filter(|pid| {
            if *pid == std::process::id() {
                return false;
            }
            let Some(stat) = Stat::of(*pid) else {
                return false;
            };
            if stat.group == record.group {
                if *pid == record.group && stat.started == record.driver_started {
                    return true;
                }
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if profile_args
                    .iter()
                    .any(|wanted| carries_argument(&cmdline, wanted))
                {
                    return true;
                }
            }
            token.as_ref().is_some_and(|token| carries(*pid, token))
        })
        .collect()
}

/// Whether `cmdline` (from `/proc/PID/cmdline`) holds the argument `wanted`, whole. Chromium's
/// helpers rewrite their command line as one string joined by spaces, so an argument ends at
/// a NUL, a space or the end.
fn carries_argument(cmdline: &[u8], wanted: &[u8]) -> bool {
    cmdline
        .windows(wanted.len())
        .enumerate()
        .any(|(at, window)| {
            let starts = at == 0 || matches!(cmdline[at - 1], 0 | b' ');
            let ends = matches!(cmdline.get(at + wanted.len()), None | Some(0 | b' '));
            window == wanted && starts && ends
        })
}

/// The processes, other than this one, whose environment holds the run token `token`.
pub fn carrying_token(token: &str) -> Vec<u32> {
    let Some(entry) = token_entry(token) else {
        return Vec::new();
    };
    all_pids()
        .filter(|pid| *pid != std::process::id() && carries(*pid, &entry))
        .collect()
}

/// `KEY=token`, as the environment holds it; none for an empty token (it would match
/// nothing of ours and must never match something else).
fn token_entry(token: &str) -> Option<Vec<u8>> {
    (!token.is_empty()).then(|| format!("{RUN_TOKEN_ENV}={token}").into_bytes())
}

fn carries(pid: u32, entry: &[u8]) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|environ| environ.split(|byte| *byte == 0).any(|kv| kv == entry))
}

fn all_pids() -> impl Iterator<Item = u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
}

/// The fields of `/proc/PID/stat` this module needs.
struct Stat {
    group: u32,
    started: u64,
}

impl Stat {
    fn of(pid: u32) -> Option<Stat> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid pgrp …: the comm can hold anything, so split after the last ')'.
        let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
        Some(Stat {
            group: fields.get(2)?.parse().ok()?,
            // Field 22 of the line, the 20th after the comm.
            started: fields.get(19)?.parse().ok()?,
        })
    }
}

fn start_time(pid: u32) -> Option<u64> {
    Stat::of(pid).map(|stat| stat.started)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn sleeper(group_of_its_own: bool) -> std::process::Child {
        let mut command = std::process::Command::new("sleep");
        command.arg("600");
        if group_of_its_own {
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        command.spawn().unwrap()
    }

    fn alive(child: &mut std::process::Child) -> bool {
        child.try_wait().unwrap().is_none()
    }

    #[test]
    fn a_live_run_is_left_alone_and_a_dead_one_is_ended() {
        let state = tempfile::tempdir().unwrap();
        let mut driver = sleeper(true);
        let file = GroupFile::create(state.path(), driver.id(), &new_token()).unwrap();
        // Recorded by this very (live) process: nothing is touched.
        assert_eq!(end_outlived(state.path()), 0);
        assert!(alive(&mut driver));
        assert!(file.path().exists());
        // The same record, as if written by a run that has ended.
        let mut record: GroupRecord =
            serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
        record.tool_started += 1;
        record.tool_pid = u32::MAX;
        write(file.path(), &record).unwrap();
        assert_eq!(end_outlived(state.path()), 1);
        driver.wait().unwrap();
        assert!(!file.path().exists());
    }

    #[test]
    fn processes_that_are_not_the_runs_are_never_ended() {
        let state = tempfile::tempdir().unwrap();
        let mut stranger = sleeper(true);
        let record = GroupRecord {
            tool_pid: u32::MAX,
            tool_started: 1,
            group: stranger.id(),
            // Not the stranger's start time, and it carries no recorded profile.
            driver_started: 1,
            token: new_token(),
            profiles: vec![PathBuf::from("/nonexistent/profile")],
        };
        let path = state.path().join(DIR_NAME).join("1-2.json");
        write(&path, &record).unwrap();
        assert_eq!(end_outlived(state.path()), 0);
        assert!(alive(&mut stranger));
        assert!(!path.exists());
        stranger.kill().unwrap();
        stranger.wait().unwrap();
    }

    #[test]
    fn a_profile_argument_counts_only_whole() {
        let wanted = b"--user-data-dir=/tmp/p-1";
        assert!(carries_argument(
            b"chromium\0--user-data-dir=/tmp/p-1\0",
            wanted
        ));
        assert!(carries_argument(
            b"chromium --type=zygote --user-data-dir=/tmp/p-1 --x",
            wanted
        ));
        assert!(!carries_argument(
            b"chromium\0--user-data-dir=/tmp/p-10\0",
            wanted
        ));
        assert!(!carries_argument(
            b"chromium\0x--user-data-dir=/tmp/p-1\0",
            wanted
        ));
    }

    #[test]
    fn a_damaged_record_is_removed() {
        let state = tempfile::tempdir().unwrap();
        let path = state.path().join(DIR_NAME).join("3-4.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"tool_pid\": 3").unwrap();
        assert_eq!(end_outlived(state.path()), 0);
        assert!(!path.exists());
    }
}
