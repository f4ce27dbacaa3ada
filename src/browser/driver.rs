//! The WebDriver server process the tool starts when no `--webdriver` is given.
//!
//! The driver runs in a process group of its own, so that stopping it also stops every
//! browser it launched, on every path: an explicit `stop`, an error, a panic (through
//! `Drop`) and Ctrl-C (which reaches only our process group, and is handled by the caller).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use url::Url;

use crate::cli::BrowserKind;
use crate::error::Error;

use super::wait;

/// How long a freshly started driver may take to answer `/status`.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A driver process we started, stopped when this value is stopped or dropped.
#[derive(Debug)]
pub struct LocalDriver {
    child: Option<Child>,
    url: Url,
    binary: PathBuf,
}

impl LocalDriver {
    /// Starts the driver for `browser` on a free loopback port and waits until it answers.
    pub async fn start(browser: BrowserKind) -> Result<LocalDriver, Error> {
        let binary = find_driver(browser)?;
        let port = free_port().map_err(|err| {
            Error::BrowserUnavailable(format!("cannot find a free loopback port: {err}"))
        })?;
        let mut command = Command::new(&binary);
        match browser {
            BrowserKind::Chrome => command.arg(format!("--port={port}")),
            BrowserKind::Firefox => command.args(["--port", &port.to_string()]),
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().map_err(|err| {
            Error::BrowserUnavailable(format!(
                "cannot start {}: {err}; install it (Debian: `apt-get install chromium chromium-driver`) or pass `--webdriver URL`",
                binary.display()
            ))
        })?;
        let url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("a loopback URL");
        let mut driver = LocalDriver {
            child: Some(child),
            url,
            binary,
        };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let ready = wait::until(
            "the WebDriver server to listen",
            DRIVER_START_TIMEOUT,
            async || {
                let exited = driver
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten());
                if let Some(status) = exited {
                    return Err(format!("it exited with {status}"));
                }
                Ok(tokio::net::TcpStream::connect(address)
                    .await
                    .ok()
                    .map(|_| ()))
            },
        )
        .await;
        if let Err(why) = ready {
            driver.stop();
            return Err(Error::BrowserUnavailable(format!(
                "{} did not start: {why}; run `linkedin-optout doctor`",
                driver.binary.display()
            )));
        }
        tracing::debug!(driver = %driver.binary.display(), url = %driver.url, "driver started");
        Ok(driver)
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Stops the driver and every browser it started (its whole process group).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        #[cfg(unix)]
        {
            let group = child.id() as libc::pid_t;
            // SAFETY: kill(2) with a negative pid signals the process group we created for
            // the driver; it touches no memory of ours.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = child.kill();
        let _ = child.wait();
        tracing::debug!(driver = %self.binary.display(), "driver stopped");
    }
}

impl Drop for LocalDriver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The driver binary for `browser`: from PATH, then the places distributions put it.
pub fn find_driver(browser: BrowserKind) -> Result<PathBuf, Error> {
    let (names, extra): (&[&str], &[&str]) = match browser {
        BrowserKind::Chrome => (
            &["chromedriver"],
            &[
                "/usr/lib/chromium/chromedriver",
                "/usr/lib/chromium-browser/chromedriver",
            ],
        ),
        BrowserKind::Firefox => (&["geckodriver"], &[]),
    };
    find_program(names, extra).ok_or_else(|| {
        let hint = match browser {
            BrowserKind::Chrome => "install chromium and its driver (Debian: `apt-get install chromium chromium-driver`)",
            BrowserKind::Firefox => "install firefox and geckodriver (`cargo install geckodriver`)",
        };
        Error::BrowserUnavailable(format!(
            "no {} found on PATH: {hint}, or pass `--webdriver URL`",
            names[0]
        ))
    })
}

/// Finds the first of `names` on PATH, else the first of `extra` that exists.
pub fn find_program(names: &[&str], extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .chain(extra.iter().map(PathBuf::from))
        .find(|candidate| is_executable(candidate))
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
