//! Starting or joining a WebDriver server: the one place a run, `login` and `doctor` get one.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use url::Url;

use crate::browser::BrowserKind;
use crate::browser::WebDriver;
use crate::config::Settings;
use crate::error::Error;

/// Where the WebDriver server is, and how the browsers it starts are started.
#[derive(Debug, Clone, Copy)]
pub struct DriverPlace<'a> {
    /// `--webdriver`: a running server to join; `None` starts the browser's own driver.
    pub webdriver: Option<&'a Url>,
    pub browser_args: &'a [String],
    /// Where a started driver's processes are recorded (for the next run to end what a killed
    /// one left); `None` records nothing (a check that starts no browser of a run's).
    pub state_dir: Option<&'a Path>,
}

impl<'a> DriverPlace<'a> {
    /// The place the settings name, its processes recorded in their state directory.
    pub fn of_settings(settings: &'a Settings) -> DriverPlace<'a> {
        DriverPlace {
            webdriver: settings.webdriver.as_ref(),
            browser_args: &settings.browser_args,
            state_dir: Some(&settings.state_dir),
        }
    }
}

/// Starts the driver of `browser`, or joins the `--webdriver` server; the caller stops it.
pub async fn start_one(place: DriverPlace<'_>, browser: BrowserKind) -> Result<WebDriver, Error> {
    WebDriver::start(
        place.webdriver,
        browser,
        place.browser_args,
        place.state_dir,
    )
    .await
}

/// The WebDriver servers of one command: one per browser kind, each started (or joined) once,
/// and all stopped together.
pub struct Drivers {
    by_browser: HashMap<BrowserKind, Result<WebDriver, Error>>,
}

impl Drivers {
    /// Starts (or joins) a server for each browser in `browsers`. A server that cannot be
    /// had is kept as its error, for each account that needs it to report.
    pub async fn start(
        place: DriverPlace<'_>,
        browsers: impl IntoIterator<Item = BrowserKind>,
    ) -> Drivers {
        let mut by_browser = HashMap::new();
        for browser in browsers {
            if let Entry::Vacant(slot) = by_browser.entry(browser) {
                slot.insert(start_one(place, browser).await);
            }
        }
        Drivers { by_browser }
    }

    /// The server for `browser`, or why there is none.
    pub fn get(&self, browser: BrowserKind) -> Result<&WebDriver, Error> {
        match self.by_browser.get(&browser) {
            Some(Ok(driver)) => Ok(driver),
            Some(Err(err)) => Err(Error::BrowserUnavailable(err.to_string())),
            None => Err(Error::BrowserUnavailable(format!(
                "no WebDriver server was started for {browser:?}"
            ))),
        }
    }

    /// Stops every server this command started (a joined one keeps running).
    pub fn stop(self) {
        for driver in self.by_browser.into_values().flatten() {
            driver.stop();
        }
    }
}
