//! One look at the page, and the few actions the flow takes on it.
//!
//! A look (`Page::look`) is one script round trip that reports the URL, the HTTP status of
//! the document and which markers from `rules` are there, so the flow decides from data, not
//! from a chain of element lookups. Scripts are named constants compiled into the binary.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable as _};
use fantoccini::{Client, Locator, error::CmdError};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::artifacts;
use super::catalogue::Switch;
use super::rules::{DIALOG_PRIMARY, MARKERS, Marker, SESSION_COOKIE, texts};
use crate::browser::wait::{self, WaitError};
use crate::error::Error;

/// The elements that are the setting's switch: those `css` matches, plus the control that a
/// label matching `labelCss` names (by `for`, or by wrapping it). Shared by the scripts below.
macro_rules! find_switches_js {
    () => {
        r#"
function findSwitches(css, labelCss) {
  const found = new Set(document.querySelectorAll(css));
  if (labelCss) for (const label of document.querySelectorAll(labelCss)) {
    if (label.control) found.add(label.control);
  }
  return Array.from(found);
}
"#
    };
}

/// Reports the document's URL, status and readiness and, for each marker, how many elements
/// match and how many of them are visible; and how many elements are the setting's switch.
const LOOK_SCRIPT: &str = concat!(
    find_switches_js!(),
    r#"
const [markers, switchCss, switchLabelCss] = arguments;
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
  setting_switches: findSwitches(switchCss, switchLabelCss).length,
  page_token: window.__linkedinOptoutToken || null,
};
"#
);

/// The network error Chromium's error page shows (`ERR_CONNECTION_REFUSED`), if any.
const ERROR_PAGE_CODE_SCRIPT: &str = r#"
const found = (document.documentElement.innerText || '').match(/\bERR_[A-Z_]+/);
return found ? found[0] : null;
"#;

/// How often, and after how long a first pause, a page is loaded again while LinkedIn is
/// unreachable (then 2×, 4×… the pause, all within the run's timeout).
const UNREACHABLE_RETRIES: usize = 3;
const UNREACHABLE_FIRST_PAUSE: Duration = Duration::from_millis(500);

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

/// The switch's state as the page shows it (WAI-ARIA 1.2): `checked` for a native checkbox,
/// otherwise `aria-checked`, then `aria-pressed`; `"mixed"` or missing is unknown, never off.
const SWITCH_STATE_SCRIPT: &str = concat!(
    find_switches_js!(),
    r#"
const [css, labelCss] = arguments;
const all = findSwitches(css, labelCss);
if (all.length !== 1) return { count: all.length };
const el = all[0];
const tri = v => v === 'true' ? true : v === 'false' ? false : null;
const aria = el.getAttribute('aria-checked');
const native = el instanceof HTMLInputElement && el.type === 'checkbox';
let on = native ? el.checked : tri(aria);
if (on === null && !native) on = tri(el.getAttribute('aria-pressed'));
return {
  count: 1,
  on,
  // A native checkbox flips at once; a page that sets `aria-checked` after the server
  // answered has not confirmed until the two agree.
  agrees: !native || aria === null || tri(aria) === el.checked,
  busy: el.getAttribute('aria-busy') === 'true' || el.disabled === true,
  element: el,
};
"#
);

/// The label a member clicks for a switch that is hidden under it.
const SWITCH_LABEL_SCRIPT: &str = r#"
const [el] = arguments;
return (el.labels && el.labels[0]) || el.closest('label');
"#;

/// The primary action of the topmost visible modal dialog: by the dialog's own markers in
/// order, else a button whose text is one of `texts`. `null` when there is none.
const DIALOG_PRIMARY_SCRIPT: &str = r#"
const [dialogCss, primaryCss, texts] = arguments;
const visible = el => {
  const style = getComputedStyle(el);
  return el.getClientRects().length && style.visibility !== 'hidden' && style.display !== 'none';
};
const dialogs = Array.from(document.querySelectorAll(dialogCss)).filter(visible);
if (!dialogs.length) return null;
const dialog = dialogs[dialogs.length - 1];
for (const css of primaryCss) {
  const found = Array.from(dialog.querySelectorAll(css)).filter(visible);
  if (found.length) return found[0];
}
const norm = s => s.replace(/\s+/g, ' ').trim().toLowerCase().replace(/’/g, "'");
const wanted = texts.map(norm);
return Array.from(dialog.querySelectorAll('button, [role=button]'))
  .filter(visible)
  .find(el => wanted.includes(norm(el.textContent || ''))) || null;
"#;

/// The links of the page that match `css`, in page order (those in `<main>` when it has
/// any), each with whether its text is one of `texts`.
const SETTINGS_LINKS_SCRIPT: &str = r#"
const [css, texts] = arguments;
const norm = s => s.replace(/\s+/g, ' ').trim().toLowerCase().replace(/’/g, "'");
const wanted = texts.map(norm);
const inMain = document.querySelectorAll('main ' + css.split(',').join(', main '));
const links = inMain.length ? inMain : document.querySelectorAll(css);
const seen = new Set();
const out = [];
for (const a of links) {
  const href = a.href.split('#')[0];
  if (seen.has(href)) continue;
  seen.add(href);
  out.push({ href, known_title: wanted.includes(norm(a.textContent || '')) });
}
return out;
"#;

/// WebDriver's key for an element in a script's answer.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One look at the page.
#[derive(Debug, Deserialize)]
pub struct Look {
    pub url: Url,
    pub ready: bool,
    pub status: Option<u16>,
    pub heading: String,
    pub alert: String,
    seen: HashMap<String, (u32, u32)>,
    /// Elements that are the setting's switch (labelled by its key).
    pub setting_switches: u32,
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

    /// How many matching elements are visible.
    pub fn visible_count(&self, marker: Marker) -> u32 {
        self.seen
            .get(&marker_name(marker))
            .map_or(0, |(_, visible)| *visible)
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
    /// `None`: the page does not say (no `checked`, `aria-checked` missing or `"mixed"`).
    #[serde(default)]
    pub on: Option<bool>,
    #[serde(default)]
    agrees: bool,
    #[serde(default)]
    busy: bool,
    #[serde(default)]
    element: Option<serde_json::Value>,
}

impl SwitchState {
    /// The page has confirmed the state: nothing in flight, the state known, and (for a
    /// native checkbox) `aria-checked`, which the page sets after the server answered,
    /// agreeing with `checked`.
    pub fn settled(&self) -> bool {
        !self.busy && self.on.is_some() && self.agrees
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
    /// The switch the flow acts on, from the active catalogue: its page, key and titles.
    pub switch: Switch,
}

impl<'c> Page<'c> {
    /// The same browser and account, acting on `switch`.
    pub fn for_switch(&self, switch: &Switch) -> Page<'c> {
        Page {
            client: self.client,
            base: self.base.clone(),
            timeout: self.timeout,
            artifacts_dir: self.artifacts_dir.clone(),
            account: self.account.clone(),
            switch: switch.clone(),
        }
    }

    /// The selectors of `marker`: the switch's own from its catalogue entry, the others from
    /// `MARKERS`.
    pub fn css(&self, marker: Marker) -> String {
        match marker {
            Marker::SettingSwitch => self.switch.switch_css(),
            Marker::SettingLink => self.switch.link_css(),
            _ => marker.css().to_string(),
        }
    }

    pub fn url_for(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("paths in rules are relative URLs")
    }

    /// Opens `path` (relative to the base URL) and waits until the page has loaded; a
    /// network failure or a server error is tried again a few times (`Error::Unreachable`).
    pub async fn open(&self, path: &str) -> Result<Look, Error> {
        self.open_url(&self.url_for(path)).await
    }

    /// Reloads the page from the server and waits until it has loaded, trying again like
    /// `open`.
    pub async fn reload(&self) -> Result<Look, Error> {
        self.again_while_unreachable(async |hung| {
            if let Err(err) = self.client.refresh().await {
                let url = self
                    .client
                    .current_url()
                    .await
                    .unwrap_or_else(|_| self.base.clone());
                return Err(self.load_error(&url, err, hung).await);
            }
            let look = self.settled_look().await?;
            self.arrive(look).await
        })
        .await
    }

    /// Runs `load` again with growing pauses while LinkedIn is unreachable (a network blip,
    /// a restarting server), a few times and within the run's timeout.
    /// A load that ran out of time is not tried again: the site had its `--timeout` to answer.
    async fn again_while_unreachable(
        &self,
        load: impl AsyncFn(&Cell<bool>) -> Result<Look, Error>,
    ) -> Result<Look, Error> {
        let _loading = crate::run_bound::waiting(crate::run_bound::Wait::PageLoad);
        let hung = Cell::new(false);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(UNREACHABLE_FIRST_PAUSE)
            .with_max_times(UNREACHABLE_RETRIES)
            .with_total_delay(Some(self.timeout));
        (|| load(&hung))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|err| !hung.get() && matches!(err, Error::Unreachable { .. }))
            .notify(|err, pause| {
                if let Error::Unreachable { why, .. } = err {
                    tracing::info!(
                        "LinkedIn did not answer ({why}): trying again in {:.1}s",
                        pause.as_secs_f32()
                    );
                }
            })
            .await
    }

    /// The error for a page load (`goto`, `refresh`) that failed: one that ran out of time
    /// means the site did not answer (exit 9, and `hung` is set so that it is not tried
    /// again); a network failure is `Error::Unreachable` too; anything else is the browser's.
    async fn load_error(&self, url: &Url, err: CmdError, hung: &Cell<bool>) -> Error {
        if let CmdError::Standard(wd) = &err
            && wd.error == fantoccini::error::ErrorStatus::Timeout
        {
            hung.set(true);
            return Error::Unreachable {
                url: self.base.to_string(),
                why: format!("{url} did not answer within {} s", self.timeout.as_secs()),
            };
        }
        match network_failure(&err.to_string()) {
            Some(why) => Error::Unreachable {
                url: self.base.to_string(),
                why,
            },
            None => self.page_error(err, &format!("{url} to load")).await,
        }
    }

    /// Gets a freshly loaded page ready to use: declines the cookie banner when it is in the
    /// way (it overlays the page and intercepts clicks). The browser's own error page, or a
    /// server error, means LinkedIn was not reached (`Error::Unreachable`).
    pub async fn arrive(&self, look: Look) -> Result<Look, Error> {
        if let Some(why) = self.unreachable_why(&look).await {
            return Err(Error::Unreachable {
                url: self.base.to_string(),
                why,
            });
        }
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

    /// Why the page in `look` is not LinkedIn's answer, when it is not: the browser's error
    /// page (connection refused or reset, DNS, TLS) or an HTTP server error.
    async fn unreachable_why(&self, look: &Look) -> Option<String> {
        match look.url.scheme() {
            // Chromium's error page names the network error in its text.
            "chrome-error" => {
                let code = self
                    .client
                    .execute(ERROR_PAGE_CODE_SCRIPT, vec![])
                    .await
                    .ok()
                    .and_then(|code| code.as_str().map(str::to_string));
                Some(code.unwrap_or_else(|| "the browser could not load the page".to_string()))
            }
            // Firefox's: `about:neterror?e=dnsNotFound&u=…`.
            "about" if look.url.path() == "neterror" => network_failure(look.url.as_str()),
            _ => look
                .status
                .filter(|status| *status >= 500 && *status < 600)
                .map(|status| format!("HTTP {status}, a server error")),
        }
    }

    /// One look at the page as it is now.
    pub async fn look(&self) -> Result<Look, Error> {
        let markers: Vec<(String, String)> = MARKERS
            .iter()
            .map(|(marker, css)| (marker_name(*marker), css.to_string()))
            .chain(
                [Marker::SettingSwitch, Marker::SettingLink]
                    .map(|marker| (marker_name(marker), self.css(marker))),
            )
            .collect();
        let value = self
            .run_script(
                LOOK_SCRIPT,
                vec![
                    json!(markers),
                    json!(self.switch.switch_css()),
                    json!(self.switch.label_css()),
                ],
                "looks at the page",
            )
            .await?;
        // An answer of another shape: a document replaced while the script ran; the next
        // look tells.
        serde_json::from_value(value).map_err(|err| {
            Error::PageCommand(format!("the page look script answered oddly: {err}"))
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

    /// Looks again and again until `condition` holds, within `timeout`. Running out of time
    /// means the page is not what the rules expect: "page not understood", naming what was
    /// awaited and where, with what the browser saw saved.
    pub async fn wait_within<T>(
        &self,
        what: &str,
        timeout: Duration,
        condition: impl FnMut(&Look) -> Option<T>,
    ) -> Result<(Look, T), Error> {
        match self.poll_within(what, timeout, condition).await? {
            Some(found) => Ok(found),
            None => Err(self.timed_out(what, timeout).await),
        }
    }

    /// Like `wait_within`, but running out of time is an answer (`None`), for waits whose
    /// end is a finding ("no switch follows the title"), not a failure.
    pub async fn poll_within<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut condition: impl FnMut(&Look) -> Option<T>,
    ) -> Result<Option<(Look, T)>, Error> {
        let result = wait::until(what, timeout, async || match self.look().await {
            Ok(look) => Ok(condition(&look).map(|value| (look, value))),
            // A navigation in progress can make one look fail; the next one will tell.
            Err(Error::PageCommand(_)) => Ok(None),
            Err(err) => Err(err),
        })
        .await;
        match result {
            Ok(found) => Ok(Some(found)),
            Err(WaitError::Failed(err)) => Err(err),
            Err(WaitError::TimedOut { .. }) => Ok(None),
        }
    }

    /// A WebDriver command on the page failed. The browser's own waits (a page load, the
    /// navigation a click starts) running out of time are a wait that timed out too.
    async fn page_error(&self, err: CmdError, what: &str) -> Error {
        if err.is_timeout() || err.is_script_timeout() {
            let (url, artifacts) = self.what_the_browser_saw().await;
            return Error::TimedOut {
                url,
                what: what.to_string(),
                after: None,
                artifacts,
            };
        }
        browser_error(err)
    }

    /// The error for a wait on the page that ran out of time.
    pub async fn timed_out(&self, what: &str, timeout: Duration) -> Error {
        let (url, artifacts) = self.what_the_browser_saw().await;
        Error::TimedOut {
            url,
            what: what.to_string(),
            after: Some(timeout),
            artifacts,
        }
    }

    /// Runs one of the tool's scripts on the page. A script that throws (the page is not
    /// the one it was written for, or broke a built-in it relies on) is a page not
    /// understood, at once and with what the browser saw saved: looking again would only
    /// throw again. A script cut short by a navigation is not that: it is a `PageCommand`
    /// error, which a wait looks past.
    pub async fn run_script(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
        what: &str,
    ) -> Result<serde_json::Value, Error> {
        match self.client.execute(script, args).await {
            Ok(value) => Ok(value),
            Err(err) => match script_failure(&err) {
                Some(message) => Err(self
                    .not_understood(format!(
                        "the tool's script that {what} failed on this page ({message})"
                    ))
                    .await),
                None => Err(browser_error(err)),
            },
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
        self.run_script(
            MARK_DOCUMENT_SCRIPT,
            vec![json!(token)],
            "marks the document",
        )
        .await?;
        Ok(())
    }

    /// Clicks the first element that matches `marker`.
    pub async fn click(&self, marker: Marker) -> Result<(), Error> {
        let element = self.find(marker).await?;
        match element.click().await {
            Ok(()) => Ok(()),
            Err(err) => Err(self
                .page_error(err, &format!("a click on {marker:?}"))
                .await),
        }
    }

    /// The first element that matches `marker`; its absence means the page is not what the
    /// rules expect.
    pub(super) async fn find(
        &self,
        marker: Marker,
    ) -> Result<fantoccini::elements::Element, Error> {
        let css = self.css(marker);
        match self.client.find(Locator::Css(&css)).await {
            Ok(element) => Ok(element),
            Err(err) if err.is_no_such_element() => Err(self
                .not_understood(format!("no element for {marker:?} (`{css}`)"))
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
            .run_script(
                FIND_BY_TEXT_SCRIPT,
                vec![json!(css), json!(texts)],
                "finds a button by its text",
            )
            .await?
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

    /// Reads the switch that `marker` finds; `count` tells how many there were. For
    /// `Marker::SettingSwitch`, the control of a `<label>` with the switch's key counts too.
    pub async fn switch_state(&self, marker: Marker) -> Result<SwitchState, Error> {
        let label = (marker == Marker::SettingSwitch)
            .then(|| self.switch.label_css())
            .flatten();
        let value = self
            .run_script(
                SWITCH_STATE_SCRIPT,
                vec![json!(self.css(marker)), json!(label)],
                "reads the switch",
            )
            .await?;
        serde_json::from_value(value)
            .map_err(|err| Error::PageCommand(format!("the switch script answered oddly: {err}")))
    }

    /// Clicks the switch; when the page hides it under its label, clicks the label, as a
    /// member does.
    pub async fn click_switch(&self, marker: Marker) -> Result<(), Error> {
        let state = self.switch_state(marker).await?;
        let Some(element) = state.element.and_then(|value| self.element(value)) else {
            return Err(self
                .not_understood(format!(
                    "expected one switch for `{}`, found {}",
                    self.css(marker),
                    state.count
                ))
                .await);
        };
        let err = match element.click().await {
            Ok(()) => return Ok(()),
            Err(err) if err.is_element_not_interactable() || is_click_intercepted(&err) => {
                let label = self
                    .run_script(
                        SWITCH_LABEL_SCRIPT,
                        vec![json!(element)],
                        "finds the switch's label",
                    )
                    .await?;
                match self.element(label) {
                    Some(label) => match label.click().await {
                        Ok(()) => return Ok(()),
                        Err(err) => err,
                    },
                    None => err,
                }
            }
            Err(err) => err,
        };
        if err.is_element_not_interactable() || is_click_intercepted(&err) {
            return Err(self
                .not_understood(format!(
                    "neither the switch nor a label of it can be clicked: {err}"
                ))
                .await);
        }
        Err(self.page_error(err, "a click on the switch").await)
    }

    /// Clicks the primary action of the topmost modal dialog; false when it has none the
    /// rules know.
    pub async fn confirm_dialog(&self) -> Result<bool, Error> {
        let primary = self
            .run_script(
                DIALOG_PRIMARY_SCRIPT,
                vec![
                    json!(Marker::ModalDialog.css()),
                    json!(DIALOG_PRIMARY),
                    json!(texts::CONFIRM),
                ],
                "finds the dialog's button",
            )
            .await?;
        match self.element(primary) {
            Some(button) => match button.click().await {
                Ok(()) => Ok(true),
                Err(err) => Err(self.page_error(err, "a click on the dialog's button").await),
            },
            None => Ok(false),
        }
    }

    /// The links of `marker` on the page in page order, each with whether its text is one of
    /// `titles`.
    pub async fn links(&self, marker: Marker, titles: &[&str]) -> Result<Vec<(Url, bool)>, Error> {
        #[derive(Deserialize)]
        struct Link {
            href: Url,
            known_title: bool,
        }
        let value = self
            .run_script(
                SETTINGS_LINKS_SCRIPT,
                vec![json!(self.css(marker)), json!(titles)],
                "lists the links",
            )
            .await?;
        let links: Vec<Link> = serde_json::from_value(value).map_err(|err| {
            Error::Other(anyhow::anyhow!("the links script answered oddly: {err}"))
        })?;
        Ok(links
            .into_iter()
            .map(|link| (link.href, link.known_title))
            .collect())
    }

    /// Opens an absolute URL found on the page, and waits until it has loaded.
    pub async fn open_url(&self, url: &Url) -> Result<Look, Error> {
        self.again_while_unreachable(async |hung| {
            tracing::debug!(%url, "opening");
            if let Err(err) = self.client.goto(url.as_str()).await {
                return Err(self.load_error(url, err, hung).await);
            }
            let look = self.settled_look().await?;
            self.arrive(look).await
        })
        .await
    }

    /// Whether the browser holds LinkedIn's session cookie (`rules::SESSION_COOKIE`).
    pub async fn has_session_cookie(&self) -> Result<bool, Error> {
        let cookies = self.client.get_all_cookies().await.map_err(browser_error)?;
        Ok(cookies
            .iter()
            .any(|cookie| cookie.name() == SESSION_COOKIE && !cookie.value().is_empty()))
    }

    /// An element a script returned.
    fn element(&self, value: serde_json::Value) -> Option<fantoccini::elements::Element> {
        let id = value.get(ELEMENT_KEY)?.as_str()?.to_string();
        Some(fantoccini::elements::Element::from_element_id(
            self.client.clone(),
            id.into(),
        ))
    }

    /// A "page not understood" error naming what was missing and where, with what the
    /// browser saw saved for whoever updates the rules.
    pub async fn not_understood(&self, what: impl Into<String>) -> Error {
        let what = what.into();
        let (url, artifacts) = self.what_the_browser_saw().await;
        Error::PageNotUnderstood {
            url,
            what,
            artifacts,
        }
    }

    /// Where the browser is, and the directory its page was saved in (see
    /// `save_artifacts`), for an error about the page.
    async fn what_the_browser_saw(&self) -> (String, Option<PathBuf>) {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(_) => "(unknown)".to_string(),
        };
        (url, self.save_artifacts().await)
    }

    /// Saves a screenshot and the scrubbed HTML in a fresh directory only the user can read
    /// (the page can show the member's name; see `artifacts`), and the page's skeleton, safe
    /// to share (`crate::skeleton`).
    pub async fn save_artifacts(&self) -> Option<PathBuf> {
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
            Ok(serde_json::Value::String(html)) => {
                self.keep(&dir, "page.html", html.as_bytes());
                let skeleton =
                    crate::skeleton::redact(&html, crate::linkedin::rules::skeleton_knowledge());
                self.keep(&dir, crate::skeleton::FILE_NAME, skeleton.as_bytes());
            }
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

/// The network failure a navigation error (or Firefox's error page address) names:
/// Chromium's `net::ERR_NAME_NOT_RESOLVED`, Firefox's `about:neterror?e=connectionFailure`.
/// An aborted navigation (`ERR_ABORTED`: another one replaced it) is not one.
fn network_failure(text: &str) -> Option<String> {
    if let Some(at) = text.find("net::ERR_") {
        let code: String = text[at + "net::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        return (code != "ERR_ABORTED").then_some(code);
    }
    let at = text.find("about:neterror?")?;
    let query = &text[at + "about:neterror?".len()..];
    let kind = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("e="))
        .unwrap_or("unknown")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("unknown");
    Some(format!("the browser's network error `{kind}`"))
}

/// A WebDriver command failed: the browser or driver went away, or refused.
pub fn browser_error(err: CmdError) -> Error {
    if let Some(silent) = crate::browser::command_no_answer(&err) {
        return Error::BrowserUnavailable(silent.to_string());
    }
    match err {
        CmdError::Lost(_) | CmdError::Failed(_) | CmdError::FailedC(_) => {
            Error::BrowserUnavailable(format!(
                "lost the browser: {err}; run `linkedin-optout doctor`"
            ))
        }
        err if err.is_invalid_session_id() || err.is_no_such_window() => {
            Error::BrowserUnavailable(format!("the browser session ended: {err}"))
        }
        err => Error::PageCommand(err.to_string()),
    }
}

/// What a script of the tool threw, when it threw on its own: not when a navigation cut it
/// short (Firefox: "Document was unloaded"; Chromium: "Execution context was destroyed",
/// "Inspected target navigated or closed").
fn script_failure(err: &CmdError) -> Option<String> {
    let CmdError::Standard(wd) = err else {
        return None;
    };
    if !err.is_javascript_error() {
        return None;
    }
    let lower = wd.message.to_lowercase();
    if [
        "unloaded",
        "context was destroyed",
        "navigated",
        "cannot find context",
    ]
    .iter()
    .any(|cut_short| lower.contains(cut_short))
    {
        return None;
    }
    Some(
        wd.message
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn state(value: serde_json::Value) -> SwitchState {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_switch_is_settled_only_when_its_state_is_known_and_nothing_is_in_flight() {
        assert!(state(json!({"count": 1, "on": true, "agrees": true, "busy": false})).settled());
        assert!(state(json!({"count": 1, "on": false, "agrees": true, "busy": false})).settled());
        // `aria-checked="mixed"` or missing on a non-native switch: unknown, never off.
        assert!(!state(json!({"count": 1, "on": null, "agrees": true, "busy": false})).settled());
        assert!(!state(json!({"count": 1, "on": false, "agrees": true, "busy": true})).settled());
        // A checkbox flipped before the server answered.
        assert!(!state(json!({"count": 1, "on": false, "agrees": false, "busy": false})).settled());
    }

    #[test]
    fn network_failures_are_named_and_an_aborted_load_is_not_one() {
        assert_eq!(
            network_failure(
                "unknown error: net::ERR_NAME_NOT_RESOLVED\n  (Session info: chrome=1)"
            )
            .as_deref(),
            Some("ERR_NAME_NOT_RESOLVED")
        );
        assert_eq!(network_failure("unknown error: net::ERR_ABORTED"), None);
        assert_eq!(
            network_failure("Reached error page: about:neterror?e=dnsNotFound&u=https%3A//x/")
                .as_deref(),
            Some("the browser's network error `dnsNotFound`")
        );
        assert_eq!(network_failure("no such element"), None);
    }
}
