//! The browser: a WebDriver server (ours or the user's) and sessions that always close.
//!
//! A dropped fantoccini `Client` does not reliably end its session, so the only way to get a
//! session is `WebDriver::session`, which closes it on success, error, panic and Ctrl-C, and
//! removes the fresh profile it made for it.

pub mod driver;
pub mod port;
pub mod profile;
pub mod reaper;
pub mod transport;
pub mod wait;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::error::{CmdError, NewSessionError};
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder};
use futures_util::FutureExt as _;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::error::Error;
use crate::security;
use driver::LocalDriver;

/// Which browser to drive (`--browser`, `browser =` in the config file).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BrowserKind {
    Chrome,
    Firefox,
}

/// Where sessions come from: the user's WebDriver server or a driver we started.
pub struct WebDriver {
    remote: Option<Url>,
    browser: BrowserKind,
    /// The driver we started (`None` with a remote server), started again for the next
    /// session if it died.
    local: tokio::sync::Mutex<Option<LocalDriver>>,
    /// Where our driver's process group is recorded while it runs.
    state_dir: Option<PathBuf>,
    /// Extra browser arguments from the user (`--browser-arg`).
    browser_args: Vec<String>,
}

/// How each session's browser is set up.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    pub browser: BrowserKind,
    pub headed: bool,
    /// `--timeout`: the session's page-load and script timeouts.
    pub timeout: Duration,
}

/// How long a dead browser may take to say so, when the tool asks after a failed command.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

impl WebDriver {
    /// Uses `remote` when given, else starts the driver for `browser` on loopback. With
    /// `state_dir`, our driver's process group is recorded there while it runs, and what an
    /// earlier run recorded there and left running is ended first.
    pub async fn start(
        remote: Option<&Url>,
        browser: BrowserKind,
        browser_args: &[String],
        state_dir: Option<&Path>,
    ) -> Result<WebDriver, Error> {
        let local = match remote {
            Some(_) => None,
            None => {
                if browser == BrowserKind::Chrome && security::running_as_root() {
                    tracing::warn!("{}", security::ROOT_SANDBOX_WARNING);
                }
                if let Some(dir) = state_dir {
                    crate::state::processes::end_outlived(dir);
                }
                Some(LocalDriver::start(browser, state_dir).await?)
            }
        };
        Ok(WebDriver {
            remote: remote.map(|url| crate::input::with_trailing_slash(url.clone())),
            browser,
            local: tokio::sync::Mutex::new(local),
            state_dir: state_dir.map(Path::to_path_buf),
            browser_args: browser_args.to_vec(),
        })
    }

    /// Where sessions are requested; our driver is started again if it has died.
    pub async fn url(&self) -> Result<Url, Error> {
        if let Some(remote) = &self.remote {
            return Ok(remote.clone());
        }
        let mut local = self.local.lock().await;
        if let Some(driver) = local.as_mut()
            && driver.is_running()
        {
            return Ok(driver.url().clone());
        }
        tracing::info!("starting the WebDriver server again");
        let driver = LocalDriver::start(self.browser, self.state_dir.as_deref()).await?;
        let url = driver.url().clone();
        *local = Some(driver);
        Ok(url)
    }

    /// `url` (from `url()`) as it may be shown: without credentials, and for our own driver
    /// without its secret path.
    pub fn shown(&self, url: &Url) -> String {
        match &self.remote {
            Some(_) => security::for_display(url),
            None => format!(
                "the local driver on 127.0.0.1:{}",
                url.port().unwrap_or_default()
            ),
        }
    }

    /// Stops the driver we started, if any (dropping does the same).
    pub fn stop(mut self) {
        if let Some(mut local) = self.local.get_mut().take() {
            local.stop();
        }
    }

    /// Runs `work` in a new browser session with a fresh profile, and closes the session
    /// whatever happens: when `work` ends, fails or panics, or when `cancel` fires. When
    /// the browser or our driver died under it, says which (`Error::BrowserDied`).
    pub async fn session<T>(
        &self,
        options: SessionOptions,
        cancel: &CancellationToken,
        work: impl AsyncFnOnce(&Client) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let local = self.remote.is_none();
        if local && options.headed {
            require_display()?;
        }
        let url = self.url().await?;
        // Our own fresh profile for a local Chromium, so that nothing survives the session
        // even when the browser is killed; remote drivers make their own.
        let profile = match (local, options.browser) {
            (true, BrowserKind::Chrome) => Some(profile::create()?),
            _ => None,
        };
        if let Some(profile) = &profile {
            self.record_profile(profile.path()).await;
        }
        let capabilities = capabilities(
            options,
            local,
            profile.as_ref().map(|p| p.path()),
            &self.browser_args,
        );
        let limit = crate::run_bound::command_limit(options.timeout);
        let shown = self.shown(&url);
        let client = tokio::select! {
            connected = connect(&url, &shown, capabilities, limit) => connected?,
            () = cancel.cancelled() => return Err(Error::Interrupted),
        };
        let work = async {
            set_timeouts(&client, options.timeout).await?;
            work(&client).await
        };
        let outcome = tokio::select! {
            done = AssertUnwindSafe(work).catch_unwind() => Some(done),
            () = cancel.cancelled() => None,
        };
        let outcome = match outcome {
            Some(Ok(Err(err))) => Some(Ok(Err(self.who_died(&client, options.browser, err).await))),
            other => other,
        };
        // A server that stopped answering must not hold the run here either.
        match tokio::time::timeout(limit, client.close()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!("closing the browser session failed: {err}"),
            Err(_) => tracing::warn!(
                "closing the browser session failed: the WebDriver server at {shown} did not answer within {} s",
                limit.as_secs()
            ),
        }
        drop(profile);
        match outcome {
            None => Err(Error::Interrupted),
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        }
    }

    /// Adds a session's profile to our driver's process record: the proof, for a later run,
    /// that a browser process left running is this run's.
    async fn record_profile(&self, profile: &Path) {
        let local = self.local.lock().await;
        if let Some(record) = local.as_ref().and_then(LocalDriver::record)
            && let Err(err) = record.add_profile(profile)
        {
            crate::state::warn_not_kept(
                record.path(),
                "the record of the browser's processes",
                &err,
            );
        }
    }

    /// Turns a failure of the browser session into `Error::BrowserDied` when our driver or
    /// the browser is gone; any other failure stays as it was. `session` applies it to the
    /// work's error; work that goes on after a failure asks first.
    pub async fn who_died(&self, client: &Client, browser: BrowserKind, err: Error) -> Error {
        if !matches!(
            err,
            Error::BrowserUnavailable(_) | Error::PageCommand(_) | Error::Other(_)
        ) {
            return err;
        }
        let probe = tokio::time::timeout(PROBE_TIMEOUT, client.windows()).await;
        let mut local = self.local.lock().await;
        // A driver that no longer takes connections is dead even before the OS has reaped
        // it: its process may still be exiting when the run sees the connection fail.
        let unreachable = matches!(
            probe,
            Ok(Err(CmdError::Failed(_)
                | CmdError::FailedC(_)
                | CmdError::Lost(_)))
        );
        if let Some(driver) = local.as_mut()
            && (unreachable || driver.exited().is_some())
        {
            let which = format!(
                "the WebDriver server ({})",
                driver
                    .binary()
                    .file_name()
                    .unwrap_or(driver.binary().as_os_str())
                    .to_string_lossy()
            );
            let detail = match driver.exited() {
                Some(status) => format!("it exited ({status})"),
                None => "it stopped taking connections".to_string(),
            };
            // Its browser may outlive it: end the whole group now.
            driver.stop();
            return Error::BrowserDied {
                which,
                step: String::new(),
                detail,
            };
        }
        match probe {
            Ok(Err(probe)) => Error::BrowserDied {
                which: match browser {
                    BrowserKind::Chrome => "the browser (Chromium)",
                    BrowserKind::Firefox => "the browser (Firefox)",
                }
                .to_string(),
                step: String::new(),
                detail: first_line(&probe.to_string()),
            },
            _ => err,
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// Starts a session, giving up when the server has not answered within `limit`.
async fn connect(
    url: &Url,
    shown: &str,
    capabilities: Capabilities,
    limit: Duration,
) -> Result<Client, Error> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|err| {
            Error::BrowserUnavailable(format!("cannot set up TLS for WebDriver: {err}"))
        })?
        .https_or_http()
        .enable_http1()
        .build();
    let mut builder = ClientBuilder::new(transport::Deadlined::new(https, limit));
    builder.capabilities(capabilities);
    let silent = || {
        Error::BrowserUnavailable(format!(
            "the WebDriver server at {shown} did not answer within {} s: check that it is running and reachable (`--webdriver`), or leave `--webdriver` out to start chromedriver",
            limit.as_secs()
        ))
    };
    // The connector bounds each answer; this bounds the whole exchange, retries included.
    match tokio::time::timeout(
        limit + Duration::from_secs(1),
        builder.connect(url.as_str()),
    )
    .await
    {
        Err(_) => Err(silent()),
        Ok(Ok(client)) => Ok(client),
        Ok(Err(err)) if new_session_no_answer(&err) => Err(silent()),
        Ok(Err(err)) => Err(Error::BrowserUnavailable(format!(
            "cannot start a browser session at {shown}: {}{}",
            hide_url_in(&err.to_string(), url, shown),
            crate::error::SEE_DOCTOR
        ))),
    }
}

/// The session's own timeouts, from `--timeout`, so that the driver never falls back to its
/// defaults (chromedriver waits 300 s for a page). No implicit wait: every wait is ours.
async fn set_timeouts(client: &Client, timeout: Duration) -> Result<(), Error> {
    let timeouts = TimeoutConfiguration::new(Some(timeout), Some(timeout), Some(Duration::ZERO));
    client
        .update_timeouts(timeouts)
        .await
        .map_err(|err| match command_no_answer(&err) {
            Some(silent) => Error::BrowserUnavailable(silent.to_string()),
            None => Error::BrowserUnavailable(format!(
                "the WebDriver server refused the session's timeouts: {err}"
            )),
        })
}

/// Whether a new session failed because the server did not answer in time.
fn new_session_no_answer(err: &NewSessionError) -> bool {
    match err {
        NewSessionError::Failed(err) => transport::no_answer(err).is_some(),
        NewSessionError::FailedC(err) => transport::no_answer(err).is_some(),
        NewSessionError::Lost(err) => transport::no_answer(err).is_some(),
        NewSessionError::UnexpectedError(err) => command_no_answer(err).is_some(),
        _ => false,
    }
}

/// The server that did not answer a command in time, if that is why it failed.
pub fn command_no_answer(err: &CmdError) -> Option<transport::NoAnswer> {
    match err {
        CmdError::Failed(err) => transport::no_answer(err),
        CmdError::FailedC(err) => transport::no_answer(err),
        CmdError::Lost(err) => transport::no_answer(err),
        _ => None,
    }
}

/// The capabilities of a headless-by-default, lean browser (public so that the benchmark's
/// floor starts exactly the same browser): no images (a check needs none),
/// no background traffic, no first-run screens.
pub fn capabilities(
    options: SessionOptions,
    local: bool,
    profile: Option<&Path>,
    extra_args: &[String],
) -> Capabilities {
    let value = match options.browser {
        BrowserKind::Chrome => {
            let mut args = vec![
                "--disable-gpu".to_string(),
                "--disable-dev-shm-usage".to_string(),
                "--disable-background-networking".to_string(),
                "--disable-component-update".to_string(),
                "--disable-sync".to_string(),
                // A crash report would carry the page's memory, the password's included.
                "--disable-crash-reporter".to_string(),
                "--no-first-run".to_string(),
                // Chromium's built-in resolver can stall a session's first navigation for
                // seconds; the system resolver does not.
                "--disable-features=AsyncDns".to_string(),
                "--window-size=1280,900".to_string(),
            ];
            if !options.headed {
                args.push("--headless=new".to_string());
                args.push("--blink-settings=imagesEnabled=false".to_string());
            }
            if local {
                // chromedriver talks to the browser over a pipe: no DevTools port that
                // another user of the machine could open.
                args.push("--remote-debugging-pipe".to_string());
            }
            if local && security::running_as_root() {
                // Chromium refuses to start as root without it (containers, CI).
                args.push("--no-sandbox".to_string());
            }
            if let Some(dir) = profile {
                args.push(format!("--user-data-dir={}", dir.display()));
            }
            args.extend(extra_args.iter().cloned());
            json!({"browserName": "chrome", "goog:chromeOptions": {"args": args}})
        }
        BrowserKind::Firefox => {
            let mut args: Vec<String> = if options.headed {
                vec![]
            } else {
                vec!["-headless".to_string()]
            };
            args.extend(extra_args.iter().cloned());
            json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "args": args,
                    "prefs": {"permissions.default.image": if options.headed { 1 } else { 2 }}
                }
            })
        }
    };
    match value {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("capabilities are a JSON object"),
    }
}

/// The error text with the server's URL (which may hold credentials or the local driver's
/// secret path) replaced by its shown form.
fn hide_url_in(text: &str, url: &Url, shown: &str) -> String {
    let full = url.as_str();
    let bare = full.trim_end_matches('/');
    text.replace(full, shown).replace(bare, shown)
}

/// Fails with what to do when no display is there to show a visible browser on.
pub fn require_display() -> Result<(), Error> {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(Error::Usage(
            "a visible browser (`--headed`, `objection --open`) needs a display and there is none (DISPLAY is unset): run it on your desktop, or over `ssh -X`".to_string(),
        ));
    }
    Ok(())
}

/// Cancelled by the first Ctrl-C or SIGTERM, so that every session closes before exit.
pub fn shutdown_on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let fired = token.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = match signal(SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    fired.cancel();
                    return;
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::warn!("interrupted: closing the browser");
        fired.cancel();
    });
    token
}
