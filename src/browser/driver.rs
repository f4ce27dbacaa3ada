//! The WebDriver server process the tool starts when no `--webdriver` is given.
//!
//! The driver runs in a process group of its own, so that stopping it also stops every
//! browser it launched, on every path: an explicit `stop`, an error, a panic (through
//! `Drop`) and Ctrl-C (which reaches only our process group, and is handled by the caller).
//! When the tool is killed and runs none of that, its reaper ends the group (`reaper`), and
//! failing that the next run does, from the group's record in the state directory
//! (`state::processes`).

#[cfg(not(target_os = "linux"))]
use std::net::SocketAddr;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use url::Url;

use crate::browser::BrowserKind;
use crate::error::Error;
use crate::state::processes::{self, GroupFile};

use super::reaper::Reaper;
use super::{port, wait};

/// How long a freshly started driver may take to listen.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A driver process we started, stopped when this value is stopped or dropped.
#[derive(Debug)]
pub struct LocalDriver {
    child: Option<Child>,
    url: Url,
    binary: PathBuf,
    /// Ends the driver's group if the tool is killed.
    reaper: Option<Reaper>,
    /// The group's record in the state directory, for the next run if the reaper fails too.
    record: Option<GroupFile>,
    /// The run token in the environment of the driver and everything it starts.
    token: String,
    /// How the driver exited on its own (killed, crashed), once seen.
    died: Option<std::process::ExitStatus>,
}

impl LocalDriver {
    /// Starts the driver for `browser` on a free loopback port and waits until it listens,
    /// on a socket of its own. chromedriver answers only under a random path, hidden from
    /// other users' view of its command line as soon as it listens (see `port`). With
    /// `state_dir`, its process group is recorded there until it is stopped.
    pub async fn start(
        browser: BrowserKind,
        state_dir: Option<&Path>,
    ) -> Result<LocalDriver, Error> {
        let binary = find_driver(browser)?.path;
        let port = free_port().map_err(|err| {
            Error::BrowserUnavailable(format!("cannot find a free loopback port: {err}"))
        })?;
        let secret = match browser {
            BrowserKind::Chrome => Some(port::random_secret()),
            // geckodriver has no base path: its port stays open to local users (README).
            BrowserKind::Firefox => None,
        };
        let mut command = Command::new(&binary);
        match browser {
            BrowserKind::Chrome => command.arg(format!("--port={port}")),
            BrowserKind::Firefox => command.args(["--port", &port.to_string()]),
        };
        let token = processes::new_token();
        if let Some(secret) = &secret {
            command.arg(format!("--url-base=/{secret}/"));
        }
        command
            .env(processes::RUN_TOKEN_ENV, &token)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // The browser inherits the driver's environment: a compromised renderer must not
        // reach the keyring (the session bus) or systemd's credentials.
        for variable in BROWSER_ENV_REMOVED {
            command.env_remove(variable);
        }
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        // Until the reaper watches it, the driver dies with the thread that started it (this
        // one: the run's main thread), so that not even a kill in between leaves it behind.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl(2) is async-signal-safe and touches no memory of the parent.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().map_err(|err| {
            Error::BrowserUnavailable(format!(
                "cannot start {}: {err}; install it (Debian: `apt-get install chromium chromium-driver`) or pass `--webdriver URL`",
                binary.display()
            ))
        })?;
        let path = secret.as_deref().map_or(String::new(), |s| format!("{s}/"));
        let url = Url::parse(&format!("http://127.0.0.1:{port}/{path}")).expect("a loopback URL");
        let pid = child.id();
        let record = state_dir.and_then(|dir| match GroupFile::create(dir, pid, &token) {
            Ok(record) => Some(record),
            Err(err) => {
                crate::state::warn_not_kept(dir, "the record of the browser's processes", &err);
                None
            }
        });
        let reaper = match Reaper::watch(pid, &token, record.as_ref().map(GroupFile::path)) {
            Ok(reaper) => Some(reaper),
            Err(err) => {
                tracing::warn!(
                    "cannot start the process that ends the browser if this run is killed: {err}"
                );
                None
            }
        };
        let mut driver = LocalDriver {
            child: Some(child),
            url,
            binary,
            reaper,
            record,
            token,
            died: None,
        };
        // Every few milliseconds: the secret path is readable by other users until then.
        let ready = wait::until_every(
            "the WebDriver server to listen",
            DRIVER_START_TIMEOUT,
            Duration::from_millis(2),
            async || {
                let exited = driver
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten());
                if let Some(status) = exited {
                    return Err(format!("it exited with {status}"));
                }
                listens(port, pid).await
            },
        )
        .await;
        if let Err(why) = ready {
            driver.stop();
            return Err(Error::BrowserUnavailable(format!(
                "{} did not start: {why}{}",
                driver.binary.display(),
                crate::error::SEE_DOCTOR
            )));
        }
        if let Some(secret) = &secret {
            hide_secret(pid, secret);
        }
        tracing::debug!(driver = %driver.binary.display(), port, "driver started");
        Ok(driver)
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The driver's program, for messages.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The record of the driver's group, to add each session's profile to.
    pub fn record(&self) -> Option<&GroupFile> {
        self.record.as_ref()
    }

    /// Started and not stopped, and has not exited.
    pub fn is_running(&mut self) -> bool {
        self.child.is_some() && self.exited().is_none()
    }

    /// How the driver exited on its own, if it has (killed, crashed), even after it was
    /// stopped since; `None` while it runs or when we stopped it.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        if self.died.is_none() {
            self.died = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
        }
        self.died
    }

    /// Stops the driver and every browser it started (its whole process group).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The reaper first: once the driver is reaped, its group id is free for reuse.
        if let Some(mut reaper) = self.reaper.take() {
            reaper.release();
        }
        #[cfg(unix)]
        {
            let group = child.id() as libc::pid_t;
            // SAFETY: kill(2) with a negative pid signals the process group we created for
            // the driver; it touches no memory of ours.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = child.kill();
        let _ = child.wait();
        // Chromium's crash handler runs in a session of its own: it is known by the token.
        #[cfg(unix)]
        for pid in processes::carrying_token(&self.token) {
            // SAFETY: kill(2) on a process that carries this run's random token.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
        if let Some(record) = self.record.take() {
            record.remove();
        }
        tracing::debug!(driver = %self.binary.display(), "driver stopped");
    }
}

impl Drop for LocalDriver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether the driver `pid` listens on `port`, on a socket of its own. Someone else's socket
/// there (a user who bound the port first, to receive the session) stops the run before
/// anything is sent.
#[cfg(target_os = "linux")]
async fn listens(port: u16, pid: u32) -> Result<Option<()>, String> {
    match port::listener(port, pid) {
        Ok(port::Listener::Ours) => Ok(Some(())),
        Ok(port::Listener::Nobody) => Ok(None),
        Ok(port::Listener::Foreign) => Err(format!(
            "another process listens on its port 127.0.0.1:{port} (perhaps another user waiting for the session); nothing was sent to it, run again"
        )),
        Err(err) => Err(format!("cannot tell who listens on port {port}: {err}")),
    }
}

#[cfg(not(target_os = "linux"))]
async fn listens(port: u16, _pid: u32) -> Result<Option<()>, String> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    Ok(tokio::net::TcpStream::connect(address)
        .await
        .ok()
        .map(|_| ()))
}

/// Overwrites the driver's secret path in its command line; a failure leaves the path
/// readable to other users for the run, which is worth a warning but not a stop.
fn hide_secret(pid: u32, secret: &str) {
    #[cfg(target_os = "linux")]
    match port::hide_from_command_line(pid, secret) {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "the driver's secret path is still in its command line: other users of this machine can reach the browser during this run"
        ),
        Err(err) => tracing::warn!(
            "cannot hide the driver's secret path from other users ({err}): they can reach the browser during this run"
        ),
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (pid, secret);
}

/// Environment variables the driver, and so the browser, does not get: the session bus
/// (the keyring's way in) and systemd's credentials directory.
pub(super) const BROWSER_ENV_REMOVED: &[&str] =
    &["DBUS_SESSION_BUS_ADDRESS", "CREDENTIALS_DIRECTORY"];

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Where the places looked at after `PATH` come from: a colon-separated list of driver
/// files, replacing the built-in list (empty: none). For tests that need a machine without a
/// driver wherever a package puts it, and for installs in unusual places.
pub const DRIVER_LOCATIONS_ENV: &str = "LINKEDIN_OPTOUT_DRIVER_LOCATIONS";

/// Where distributions put a driver that is not on `PATH` (Debian's chromium-driver installs
/// `/usr/lib/chromium/chromedriver`, with `/usr/bin/chromedriver` a link to it).
fn well_known_locations(browser: BrowserKind) -> Vec<PathBuf> {
    if let Some(list) = std::env::var_os(DRIVER_LOCATIONS_ENV) {
        return std::env::split_paths(&list)
            .filter(|path| !path.as_os_str().is_empty())
            .collect();
    }
    let built_in: &[&str] = match browser {
        BrowserKind::Chrome => &[
            "/usr/lib/chromium/chromedriver",
            "/usr/lib/chromium-browser/chromedriver",
        ],
        BrowserKind::Firefox => &[],
    };
    built_in.iter().map(PathBuf::from).collect()
}

/// A program found, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub from: FoundIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundIn {
    Path,
    WellKnownLocation,
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.from {
            FoundIn::Path => "from PATH",
            FoundIn::WellKnownLocation => "a well-known location, not on PATH",
        };
        write!(f, "{}, {how}", self.path.display())
    }
}

/// The driver binary for `browser`: from PATH, then the places distributions put it.
pub fn find_driver(browser: BrowserKind) -> Result<Found, Error> {
    let name = match browser {
        BrowserKind::Chrome => "chromedriver",
        BrowserKind::Firefox => "geckodriver",
    };
    find_program(&[name], &well_known_locations(browser)).ok_or_else(|| {
        let hint = match browser {
            BrowserKind::Chrome => "install chromium and its driver (Debian: `apt-get install chromium chromium-driver`)",
            BrowserKind::Firefox => "install firefox and geckodriver (`cargo install geckodriver`)",
        };
        Error::BrowserUnavailable(format!(
            "no {name} found on PATH or where distributions put it: {hint}, or pass `--webdriver URL`"
        ))
    })
}

/// Finds the first of `names` on PATH, else the first of `extra` that exists.
pub fn find_program(names: &[&str], extra: &[PathBuf]) -> Option<Found> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| is_executable(candidate))
        .map(|path| Found {
            path,
            from: FoundIn::Path,
        });
    on_path.or_else(|| {
        extra
            .iter()
            .find(|candidate| is_executable(candidate))
            .map(|path| Found {
                path: path.clone(),
                from: FoundIn::WellKnownLocation,
            })
    })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        path.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
