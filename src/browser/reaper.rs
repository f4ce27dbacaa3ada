//! Ties the driver's and the browser's lifetime to the tool's, even when the tool is killed
//! with SIGKILL (the OOM killer, `timeout -s KILL`, a container stop) and runs no code of
//! its own.
//!
//! The reaper is a small process (this very binary, started with [`REAPER_ARG`]) that holds
//! the read end of a pipe whose write end only the tool holds. The kernel closes that end when
//! the tool ends, however it ends; the reaper then kills the driver's whole process group
//! (the driver, the browser and every helper the browser started), then every process that
//! carries the run's token in its environment (Chromium's crash handler, which runs in a
//! session of its own), and removes the run's record of that group. When the tool stops the driver itself, it writes one byte first, and
//! the reaper leaves without killing anything. A pipe rather than a pid to wait on: it cannot
//! be fooled by a reused pid, and it works on every Unix.
//!
//! The reaper runs in a process group of its own and ignores SIGINT, SIGTERM and SIGHUP, so
//! that a signal sent to the tool's group (a Ctrl-C in the terminal) cannot end it before the
//! tool has cleaned up.

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

/// The first argument that makes this binary a reaper instead of the tool. Not a
/// subcommand: nobody types it, and it never appears in `--help`.
pub const REAPER_ARG: &str = "__linkedin-optout-reaper";

/// The reaper watching one driver's process group.
#[derive(Debug)]
pub struct Reaper {
    child: Option<Child>,
}

impl Reaper {
    /// Starts a reaper for process group `group` and the processes that carry the run token
    /// `token`; `record` is the state file that describes the group, removed once the group
    /// is killed.
    pub fn watch(group: u32, token: &str, record: Option<&Path>) -> std::io::Result<Reaper> {
        let mut command = Command::new(own_executable()?);
        command.arg(REAPER_ARG).arg(group.to_string()).arg(token);
        if let Some(record) = record {
            command.arg(record);
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Ok(Reaper {
            child: Some(command.spawn()?),
        })
    }

    /// Tells the reaper the group is gone (the tool stopped it) and waits for it to leave.
    pub fn release(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(mut pipe) = child.stdin.take() {
            // A reaper already gone (killed by someone) cannot be told; waiting still reaps it.
            let _ = pipe.write_all(b"r");
        }
        let _ = child.wait();
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        self.release();
    }
}

/// The running binary; on Linux even if its file was replaced or removed since it started
/// (an upgrade during a run).
fn own_executable() -> std::io::Result<PathBuf> {
    let path = std::env::current_exe()?;
    if cfg!(target_os = "linux") && !path.exists() {
        return Ok(PathBuf::from("/proc/self/exe"));
    }
    Ok(path)
}

/// Runs the reaper when the command line asks for it (see `main`), before anything else.
pub fn run_if_asked() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != REAPER_ARG {
        return None;
    }
    Some(reap(args.collect()))
}

fn reap(args: Vec<OsString>) -> ExitCode {
    let Some(group) = args
        .first()
        .and_then(|arg| arg.to_str())
        .and_then(|arg| arg.parse::<i32>().ok())
        .filter(|group| *group > 1)
    else {
        return ExitCode::FAILURE;
    };
    let token = args.get(1).and_then(|arg| arg.to_str()).unwrap_or_default();
    let record = args.get(2).map(PathBuf::from);
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" before any other thread exists.
    unsafe {
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::signal(signal, libc::SIG_IGN);
        }
    }
    let mut byte = [0u8; 1];
    let mut stdin = std::io::stdin();
    let released = loop {
        match stdin.read(&mut byte) {
            Ok(0) => break false,
            Ok(_) => break true,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break false,
        }
    };
    if released {
        return ExitCode::SUCCESS;
    }
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals the driver's process group. The tool
    // releases the reaper before it stops and reaps the driver, so the group id is still the
    // driver's here.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
    // A crash handler can restart its twin while being killed: pass again until none is
    // left (a bounded number of passes, no waiting in between).
    for _ in 0..10 {
        let left = crate::state::processes::carrying_token(token);
        if left.is_empty() {
            break;
        }
        for pid in left {
            // SAFETY: kill(2) on a process that carries this run's random token.
            #[cfg(unix)]
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
    }
    if let Some(record) = record {
        let _ = std::fs::remove_file(record);
    }
    ExitCode::SUCCESS
}
