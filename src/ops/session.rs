//! A browser session for one account: opened on a WebDriver server, its `Page` built once,
//! closed whatever happens; and the signed-in session kept for the next run.

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use url::Url;

use crate::browser::BrowserKind;
use crate::browser::{SessionOptions, WebDriver};
use crate::config::{AccountSettings, Settings};
use crate::error::Error;
use crate::linkedin::catalogue::Switch;
use crate::linkedin::page::{Page, browser_error};
use crate::linkedin::session;
use crate::secrets::SecretChain;

/// How each account's browser session and page are set up.
#[derive(Debug, Clone)]
pub struct PageOptions {
    pub headed: bool,
    /// `--timeout`: every page condition, and the session's page-load and script timeouts.
    pub timeout: Duration,
    /// Where a page not understood is saved.
    pub artifacts_dir: PathBuf,
    /// The switch a page starts on, from the active catalogue (a run builds one page per
    /// chosen switch from it: `Page::for_switch`).
    pub switch: Switch,
}

impl PageOptions {
    pub fn for_settings(settings: &Settings) -> PageOptions {
        PageOptions {
            headed: settings.headed,
            timeout: settings.timeout,
            artifacts_dir: settings.artifacts_dir.clone(),
            switch: settings.catalogue.default_switch().clone(),
        }
    }
}

/// Runs `work` on a fresh page of `account`'s site in a new browser session on `driver`; the
/// session closes whatever happens (see `WebDriver::session`).
pub async fn with_page<T>(
    driver: &WebDriver,
    account: &AccountSettings,
    options: &PageOptions,
    cancel: &CancellationToken,
    work: impl AsyncFnOnce(&Page<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let site = Site {
        base: &account.base_url,
        browser: account.browser,
        name: &account.email,
    };
    with_site_page(driver, site, options, cancel, work).await
}

/// A site a page is opened on: its base URL, the browser, and the name its failure artifacts
/// are filed under (an account; a public page's own name when no account is involved).
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub base: &'a Url,
    pub browser: BrowserKind,
    pub name: &'a str,
}

/// Runs `work` on a fresh page of `site` (a fresh profile: nothing signed in) in a new
/// browser session on `driver`; the session closes whatever happens.
pub async fn with_site_page<T>(
    driver: &WebDriver,
    site: Site<'_>,
    options: &PageOptions,
    cancel: &CancellationToken,
    work: impl AsyncFnOnce(&Page<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let session_options = SessionOptions {
        browser: site.browser,
        headed: options.headed,
        timeout: options.timeout,
    };
    driver
        .session(session_options, cancel, async |client| {
            let page = Page {
                client,
                base: site.base.clone(),
                timeout: options.timeout,
                artifacts_dir: options.artifacts_dir.clone(),
                account: site.name.to_string(),
                switch: options.switch.clone(),
            };
            work(&page).await
        })
        .await
}

/// Opens a headless session of `browser` on `driver` and loads a blank page in it: proof
/// that a run's sessions can start there.
pub async fn probe(
    driver: &WebDriver,
    browser: BrowserKind,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<(), Error> {
    let options = SessionOptions {
        browser,
        headed: false,
        timeout,
    };
    driver
        .session(options, cancel, async |client| {
            client.goto("about:blank").await.map_err(browser_error)
        })
        .await
}

/// Keeps the page's signed-in session in `chain` for `email`'s next runs.
pub async fn keep(page: &Page<'_>, chain: &SecretChain, email: &str) -> Result<(), Error> {
    let fresh = session::capture(page).await?;
    chain.store_session(email, &fresh).await?;
    Ok(())
}
