//! One look at the page, and the few actions the flow takes on it.
//!
//! A look (`Page::look`) is one script round trip that reports the URL, the HTTP status of
//! the document and which markers from `rules` are there, so the flow decides from data, not
//! from a chain of element lookups. Scripts are named constants compiled into the binary.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator, error::CmdError};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::artifacts;
use super::rules::{MARKERS, Marker};
use crate::browser::wait::{self, WaitError};
use crate::error::Error;

/// Reports the document's URL, status and readiness and, for each marker, how many elements
/// match and how many of them are visible.
const LOOK_SCRIPT: &str = r#"
const [markers] = arguments;
const seen = {};
for (const [name, css] of markers) {
  let present = 0, visible = 0;
  for (const el of document.querySelectorAll(css)) {
    present++;
    const style = getComputedStyle(el);
    if (el.getClientRects().length && style.visibility !== 'hidden' && style.display !== 'none') visible++;
  }
  seen[name] = [present, visible];
}
const nav = performance.getEntriesByType('navigation')[0];
return {
  url: location.href,
  ready: document.readyState === 'complete',
  status: nav && nav.responseStatus ? nav.responseStatus : null,
  heading: ((document.querySelector('main h1, h1') || {}).textContent || '').trim(),
  alert: Array.from(document.querySelectorAll('#error-for-password, #error-for-username, [role=alert]'))
    .map(e => e.textContent.trim()).filter(t => t).join(' '),
  seen,
  page_token: window.__linkedinOptoutToken || null,
};
"#;

/// Marks the current document, so that a new document (after a navigation) is recognisable.
const MARK_DOCUMENT_SCRIPT: &str = "window.__linkedinOptoutToken = arguments[0];";

/// The index of the first element matching `css` whose text is one of `texts` (normalised).
const FIND_BY_TEXT_SCRIPT: &str = r#"
const [css, texts] = arguments;
const norm = s => s.replace(/\s+/g, ' ').trim().toLowerCase().replace(/’/g, "'");
const wanted = texts.map(norm);
const all = Array.from(document.querySelectorAll(css));
return all.findIndex(el => wanted.includes(norm(el.textContent || '')));
"#;

/// The switch's state as the page shows it.
const SWITCH_STATE_SCRIPT: &str = r#"
const [css] = arguments;
const all = Array.from(document.querySelectorAll(css));
if (all.length !== 1) return { count: all.length };
const el = all[0];
return {
  count: 1,
  checked: !!el.checked,
  aria_checked: el.getAttribute('aria-checked'),
  busy: el.getAttribute('aria-busy') === 'true' || el.disabled,
  id: el.id || null,
};
"#;

/// One look at the page.
#[derive(Debug, Deserialize)]
pub struct Look {
    pub url: Url,
    pub ready: bool,
    pub status: Option<u16>,
    pub heading: String,
    pub alert: String,
    seen: HashMap<String, (u32, u32)>,
    page_token: Option<String>,
}

impl Look {
    /// At least one element matches the marker.
    pub fn has(&self, marker: Marker) -> bool {
        self.count(marker) > 0
    }

    pub fn count(&self, marker: Marker) -> u32 {
        self.seen
            .get(&marker_name(marker))
            .map_or(0, |(present, _)| *present)
    }

    /// At least one matching element is visible.
    pub fn shows(&self, marker: Marker) -> bool {
        self.seen
            .get(&marker_name(marker))
            .is_some_and(|(_, visible)| *visible > 0)
    }

    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// This document is not the one `Page::mark_document` marked.
    pub fn page_token_is_new(&self) -> bool {
        self.page_token.is_none()
    }
}

/// The state of a switch as read from the page.
#[derive(Debug, Deserialize)]
pub struct SwitchState {
    pub count: u32,
    #[serde(default)]
    pub checked: bool,
    #[serde(default)]
    pub aria_checked: Option<String>,
    #[serde(default)]
    pub busy: bool,
    #[serde(default)]
    pub id: Option<String>,
}

impl SwitchState {
    /// The page has confirmed the state: nothing in flight, and `aria-checked` (which the
    /// page sets after the server answered) agrees with `checked`.
    pub fn settled(&self) -> bool {
        !self.busy
            && self
                .aria_checked
                .as_deref()
                .is_none_or(|aria| (aria == "true") == self.checked)
    }
}

fn marker_name(marker: Marker) -> String {
    format!("{marker:?}")
}

/// The browser tab the flow works in, with the run's base URL and timeout.
pub struct Page<'c> {
    pub client: &'c Client,
    pub base: Url,
    pub timeout: Duration,
    pub artifacts_dir: PathBuf,
    pub account: String,
}

impl<'c> Page<'c> {
    pub fn url_for(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("paths in rules are relative URLs")
    }

    /// Opens `path` (relative to the base URL) and waits until the page has loaded.
    pub async fn open(&self, path: &str) -> Result<Look, Error> {
        let url = self.url_for(path);
        tracing::debug!(%url, "opening");
        self.client
            .goto(url.as_str())
            .await
            .map_err(browser_error)?;
        let look = self.settled_look().await?;
        self.arrive(look).await
    }

    /// Reloads the page from the server and waits until it has loaded.
    pub async fn reload(&self) -> Result<Look, Error> {
        self.client.refresh().await.map_err(browser_error)?;
        let look = self.settled_look().await?;
        self.arrive(look).await
    }

    /// Gets a freshly loaded page ready to use: declines the cookie banner when it is in the
    /// way (it overlays the page and intercepts clicks).
    pub async fn arrive(&self, look: Look) -> Result<Look, Error> {
        if !look.shows(Marker::CookieBanner) {
            return Ok(look);
        }
        tracing::info!("declining non-essential cookies");
        self.click(Marker::CookieDeny).await?;
        self.wait_for("the cookie banner to go", |look| {
            (!look.shows(Marker::CookieBanner)).then_some(())
        })
        .await
        .map(|(look, ())| look)
    }

    /// One look at the page as it is now.
    pub async fn look(&self) -> Result<Look, Error> {
        let markers: Vec<(String, &str)> = MARKERS
            .iter()
            .map(|(marker, css)| (marker_name(*marker), *css))
            .collect();
        let value = self
            .client
            .execute(LOOK_SCRIPT, vec![json!(markers)])
            .await
            .map_err(browser_error)?;
        serde_json::from_value(value).map_err(|err| {
            Error::Other(anyhow::anyhow!(
                "the page look script answered oddly: {err}"
            ))
        })
    }

    /// A look once the document has finished loading.
    pub async fn settled_look(&self) -> Result<Look, Error> {
        self.wait_for("the page to load", |look| look.ready.then_some(()))
            .await
            .map(|(look, ())| look)
    }

    /// Looks again and again until `condition` holds, within the run's timeout.
    pub async fn wait_for<T>(
        &self,
        what: &str,
        condition: impl FnMut(&Look) -> Option<T>,
    ) -> Result<(Look, T), Error> {
        self.wait_within(what, self.timeout, condition).await
    }

    /// Looks again and again until `condition` holds, within `timeout`.
    pub async fn wait_within<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut condition: impl FnMut(&Look) -> Option<T>,
    ) -> Result<(Look, T), Error> {
        wait::until(what, timeout, async || match self.look().await {
            Ok(look) => Ok(condition(&look).map(|value| (look, value))),
            // A navigation in progress can make one look fail; the next one will tell.
            Err(Error::Other(_)) => Ok(None),
            Err(err) => Err(err),
        })
        .await
        .map_err(|err| self.wait_error(err))
    }

    fn wait_error(&self, err: WaitError<Error>) -> Error {
        match err {
            WaitError::Failed(err) => err,
            timed_out => Error::Other(anyhow::anyhow!("{timed_out} (timeout: `--timeout`)")),
        }
    }

    /// Clicks the first element of `marker` and waits for the next document to load.
    pub async fn click_and_follow(&self, marker: Marker) -> Result<Look, Error> {
        self.mark_document().await?;
        self.click(marker).await?;
        self.next_document().await
    }

    /// Waits for a document other than the one marked last, fully loaded.
    pub async fn next_document(&self) -> Result<Look, Error> {
        let (look, ()) = self
            .wait_for("the next page to load", |look| {
                (look.page_token_is_new() && look.ready).then_some(())
            })
            .await?;
        self.arrive(look).await
    }

    pub async fn mark_document(&self) -> Result<(), Error> {
        let token = format!("{:x}", rand::random::<u64>());
        self.client
            .execute(MARK_DOCUMENT_SCRIPT, vec![json!(token)])
            .await
            .map_err(browser_error)?;
        Ok(())
    }

    /// Clicks the first element that matches `marker`.
    pub async fn click(&self, marker: Marker) -> Result<(), Error> {
        self.find(marker)
            .await?
            .click()
            .await
            .map_err(browser_error)
    }

    /// The first element that matches `marker`; its absence means the page is not what the
    /// rules expect.
    pub(super) async fn find(
        &self,
        marker: Marker,
    ) -> Result<fantoccini::elements::Element, Error> {
        match self.client.find(Locator::Css(marker.css())).await {
            Ok(element) => Ok(element),
            Err(err) if err.is_no_such_element() => Err(self
                .not_understood(format!("no element for {marker:?} (`{}`)", marker.css()))
                .await),
            Err(err) => Err(browser_error(err)),
        }
    }

    /// Types into the first element that matches `marker`.
    pub async fn type_into(&self, marker: Marker, text: &str) -> Result<(), Error> {
        let element = self.find(marker).await?;
        element.clear().await.map_err(browser_error)?;
        element.send_keys(text).await.map_err(browser_error)
    }

    /// Clicks the first element matching `css` whose text is one of `texts`; false when none.
    pub async fn click_by_text(&self, css: &str, texts: &[&str]) -> Result<bool, Error> {
        let index = self
            .client
            .execute(FIND_BY_TEXT_SCRIPT, vec![json!(css), json!(texts)])
            .await
            .map_err(browser_error)?
            .as_i64()
            .unwrap_or(-1);
        let Ok(index) = usize::try_from(index) else {
            return Ok(false);
        };
        let elements = self
            .client
            .find_all(Locator::Css(css))
            .await
            .map_err(browser_error)?;
        match elements.get(index) {
            Some(element) => {
                element.click().await.map_err(browser_error)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Reads the switch that `marker` finds; `count` tells how many there were.
    pub async fn switch_state(&self, marker: Marker) -> Result<SwitchState, Error> {
        let value = self
            .client
            .execute(SWITCH_STATE_SCRIPT, vec![json!(marker.css())])
            .await
            .map_err(browser_error)?;
        serde_json::from_value(value)
            .map_err(|err| Error::Other(anyhow::anyhow!("the switch script answered oddly: {err}")))
    }

    /// Clicks the switch; when the page hides the input behind its label, clicks the label.
    pub async fn click_switch(&self, marker: Marker, id: Option<&str>) -> Result<(), Error> {
        let element = self.find(marker).await?;
        match element.click().await {
            Ok(()) => Ok(()),
            Err(err) if err.is_element_not_interactable() || is_click_intercepted(&err) => {
                let id = id.ok_or_else(|| browser_error(err))?;
                let label = format!("label[for='{id}']");
                self.client
                    .find(Locator::Css(&label))
                    .await
                    .map_err(browser_error)?
                    .click()
                    .await
                    .map_err(browser_error)
            }
            Err(err) => Err(browser_error(err)),
        }
    }

    /// A "page not understood" error naming what was missing and where, with what the
    /// browser saw saved for whoever updates the rules.
    pub async fn not_understood(&self, what: impl Into<String>) -> Error {
        let what = what.into();
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(_) => "(unknown)".to_string(),
        };
        let artifacts = self.save_artifacts().await;
        Error::PageNotUnderstood {
            url,
            what,
            artifacts,
        }
    }

    /// Saves a screenshot and the scrubbed HTML in a fresh directory only the user can read
    /// (the page can show the member's name; see `artifacts`).
    async fn save_artifacts(&self) -> Option<PathBuf> {
        let dir = match artifacts::create_run_dir(&self.artifacts_dir, &self.account) {
            Ok(dir) => dir,
            Err(err) => {
                tracing::warn!(
                    "cannot save what the browser saw in {}: {err}",
                    self.artifacts_dir.display()
                );
                return None;
            }
        };
        if let Ok(png) = self.client.screenshot().await {
            self.keep(&dir, "page.png", &png);
        }
        match self
            .client
            .execute(artifacts::SCRUBBED_HTML_SCRIPT, vec![])
            .await
        {
            Ok(serde_json::Value::String(html)) => self.keep(&dir, "page.html", html.as_bytes()),
            Ok(_) | Err(_) => tracing::warn!("cannot read the page's HTML to save it"),
        }
        Some(dir)
    }

    fn keep(&self, dir: &std::path::Path, name: &str, bytes: &[u8]) {
        if let Err(err) = artifacts::write_private(dir, name, bytes) {
            tracing::warn!("cannot save {}: {err}", dir.join(name).display());
        }
    }
}

fn is_click_intercepted(err: &CmdError) -> bool {
    matches!(err, CmdError::Standard(wd) if wd.error == fantoccini::error::ErrorStatus::ElementClickIntercepted)
}

/// A WebDriver command failed: the browser or driver went away, or refused.
pub fn browser_error(err: CmdError) -> Error {
    match err {
        CmdError::Lost(_) | CmdError::Failed(_) | CmdError::FailedC(_) => {
            Error::BrowserUnavailable(format!(
                "lost the browser: {err}; run `linkedin-optout doctor`"
            ))
        }
        err if err.is_invalid_session_id() || err.is_no_such_window() => {
            Error::BrowserUnavailable(format!("the browser session ended: {err}"))
        }
        err => Error::Other(anyhow::anyhow!("browser command failed: {err}")),
    }
}
