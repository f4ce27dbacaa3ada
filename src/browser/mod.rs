//! The browser: a WebDriver server (ours or the user's) and sessions that always close.
//!
//! A dropped fantoccini `Client` does not reliably end its session, so the only way to get a
//! session is `WebDriver::session`, which closes it on success, error, panic and Ctrl-C, and
//! removes the fresh profile it made for it.

pub mod driver;
pub mod port;
pub mod profile;
pub mod wait;

use std::panic::AssertUnwindSafe;
use std::path::Path;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use futures_util::FutureExt as _;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::cli::BrowserKind;
use crate::error::Error;
use crate::security;
use driver::LocalDriver;

/// Where sessions come from: the user's WebDriver server or a driver we started.
pub struct WebDriver {
    url: Url,
    /// The URL as it may be shown: without credentials or the local driver's secret path.
    shown: String,
    local: Option<LocalDriver>,
    /// Extra browser arguments from the user (`--browser-arg`).
    browser_args: Vec<String>,
}

/// How each session's browser is set up.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    pub browser: BrowserKind,
    pub headed: bool,
}

impl WebDriver {
    /// Uses `remote` when given, else starts the driver for `browser` on loopback.
    pub async fn start(
        remote: Option<&Url>,
        browser: BrowserKind,
        browser_args: &[String],
    ) -> Result<WebDriver, Error> {
        let (url, shown, local) = match remote {
            Some(url) => {
                let url = crate::config::with_trailing_slash(url.clone());
                let shown = security::for_display(&url);
                (url, shown, None)
            }
            None => {
                if browser == BrowserKind::Chrome && security::running_as_root() {
                    tracing::warn!("{}", security::ROOT_SANDBOX_WARNING);
                }
                let local = LocalDriver::start(browser).await?;
                let url = local.url().clone();
                let shown = format!(
                    "the local driver on 127.0.0.1:{}",
                    url.port().unwrap_or_default()
                );
                (url, shown, Some(local))
            }
        };
        Ok(WebDriver {
            url,
            shown,
            local,
            browser_args: browser_args.to_vec(),
        })
    }

    /// Where the server is, fit to show: no credentials, no secret path.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Stops the driver we started, if any (dropping does the same).
    pub fn stop(mut self) {
        if let Some(mut local) = self.local.take() {
            local.stop();
        }
    }

    /// Runs `work` in a new browser session with a fresh profile, and closes the session
    /// whatever happens: when `work` ends, fails or panics, or when `cancel` fires.
    pub async fn session<T>(
        &self,
        options: SessionOptions,
        cancel: &CancellationToken,
        work: impl AsyncFnOnce(&Client) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let local = self.local.is_some();
        if local && options.headed {
            require_display()?;
        }
        // Our own fresh profile for a local Chromium, so that nothing survives the session
        // even when the browser is killed; remote drivers make their own.
        let profile = match (local, options.browser) {
            (true, BrowserKind::Chrome) => Some(profile::create()?),
            _ => None,
        };
        let capabilities = capabilities(
            options,
            local,
            profile.as_ref().map(|p| p.path()),
            &self.browser_args,
        );
        let client = tokio::select! {
            connected = connect(&self.url, &self.shown, capabilities) => connected?,
            () = cancel.cancelled() => return Err(Error::Interrupted),
        };
        let outcome = tokio::select! {
            done = AssertUnwindSafe(work(&client)).catch_unwind() => Some(done),
            () = cancel.cancelled() => None,
        };
        if let Err(err) = client.close().await {
            tracing::warn!("closing the browser session failed: {err}");
        }
        drop(profile);
        match outcome {
            None => Err(Error::Interrupted),
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        }
    }
}

async fn connect(url: &Url, shown: &str, capabilities: Capabilities) -> Result<Client, Error> {
    let mut builder = ClientBuilder::rustls().map_err(|err| {
        Error::BrowserUnavailable(format!("cannot set up TLS for WebDriver: {err}"))
    })?;
    builder.capabilities(capabilities);
    builder.connect(url.as_str()).await.map_err(|err| {
        Error::BrowserUnavailable(format!(
            "cannot start a browser session at {shown}: {}; run `linkedin-optout doctor`",
            hide_url_in(&err.to_string(), url, shown)
        ))
    })
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

fn require_display() -> Result<(), Error> {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(Error::Usage(
            "`--headed` needs a display and there is none (DISPLAY is unset): run it on your desktop, or over `ssh -X`".to_string(),
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
