//! The policy watch's sequences: open LinkedIn's public privacy policy in a browser (no
//! account, nothing signed in), list the links to settings pages and help forms that the
//! catalogue and the objection do not know, and tell each one once (what was told is kept in
//! the state directory, `state::seen`). `policy check` runs it at once, `doctor --policy` as
//! one of its checks, and the scheduled `optout --watch-policy` when the last check is a week
//! old.
//!
//! The policy page unreachable, or changed beyond recognition, is a warning in the report,
//! never a failed run: the watch is a lookout, not the job.

use serde::Serialize;
use url::Url;

use super::driver::{self, DriverPlace};
use super::session::{self, PageOptions, Site};
use crate::browser::{self, BrowserKind};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::linkedin::policy::{self, POLICY_PATH, Verdict};
use crate::state::seen::{self, PolicyLinks};

/// How often the scheduled run checks the policy.
pub const EVERY: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// What the artifacts of a policy page not recognised are filed under: no account is
/// involved.
const ARTIFACTS_NAME: &str = "privacy-policy";

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The page was read and recognised.
    Checked,
    /// The page could not be loaded (network, server errors, no answer).
    Unreachable,
    /// The page loaded but is not the policy as the watch knows it.
    NotRecognised,
}

/// A watched link of the policy that the tool does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyLink {
    /// As the page links it.
    pub url: Url,
    /// How it was compared with what the tool knows (`linkedin::policy::compared_form`).
    pub compared_as: String,
    /// What the link reads.
    pub text: String,
}

/// One check of the policy page: its `--json` object.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyCheck {
    pub page_url: Url,
    pub status: Status,
    /// Links the tool does not know, told for the first time.
    pub new_links: Vec<PolicyLink>,
    /// Links the tool does not know that an earlier check told already, still on the page.
    pub earlier_links: Vec<PolicyLink>,
    /// How many of the page's watched links the tool knows.
    pub known_links: usize,
    /// Why the page could not be checked (`unreachable`, `not_recognised`); `None` when it was.
    pub warning: Option<String>,
}

impl PolicyCheck {
    /// 3 when a link is new (news a monitor can read, not a failure); 0 otherwise, a page
    /// that could not be checked included (a warning).
    pub fn exit_code(&self) -> u8 {
        if self.new_links.is_empty() {
            exit::OFF
        } else {
            exit::FOUND_ON
        }
    }
}

/// Where the links told are kept, for the member who wants them told again.
pub fn seen_file(settings: &Settings) -> std::path::PathBuf {
    seen::policy_links_path(&settings.state_dir)
}

/// Checks the policy page now. Only what is not the page's fault fails: a browser that cannot
/// be had (exit 8), an interruption.
pub async fn check(settings: &Settings) -> Result<PolicyCheck, Error> {
    let (base, browser) = site_of(settings);
    let page_url = base.join(POLICY_PATH).expect("a relative path");
    let known = policy::known_forms(&settings.catalogue, &base);
    let cancel = browser::shutdown_on_signal();
    let driver = driver::start_one(DriverPlace::of_settings(settings), browser).await?;
    let site = Site {
        base: &base,
        browser,
        name: ARTIFACTS_NAME,
    };
    let options = PageOptions::for_settings(settings);
    let read = session::with_site_page(&driver, site, &options, &cancel, async |page| {
        let bound = crate::run_bound::bound(options.timeout);
        let reading = match crate::run_bound::within(bound, policy::read(page)).await {
            Ok(reading) => reading?,
            Err(reached) => return Err(reached.error("reading the privacy policy", base.as_str())),
        };
        Ok(match reading.verdict(&base, &known) {
            Verdict::NotRecognised(why) => {
                let saved = page.save_artifacts().await;
                Verdict::NotRecognised(match saved {
                    Some(dir) => {
                        format!("{why}; what the browser saw is saved in {}", dir.display())
                    }
                    None => why,
                })
            }
            read => read,
        })
    })
    .await;
    driver.stop();
    let (status, verdict) = match read {
        Ok(Verdict::Read { known, unknown }) => (Status::Checked, Ok((known, unknown))),
        Ok(Verdict::NotRecognised(why)) => (Status::NotRecognised, Err(why)),
        Err(err @ (Error::Unreachable { .. } | Error::TimedOut { .. })) => {
            (Status::Unreachable, Err(err.to_string()))
        }
        Err(err @ Error::PageNotUnderstood { .. }) => (Status::NotRecognised, Err(err.to_string())),
        Err(err) => return Err(err),
    };
    let mut seen = PolicyLinks::load(&settings.state_dir);
    let earlier = seen.page(page_url.as_str()).cloned().unwrap_or_default();
    let report = match verdict {
        Ok((known, unknown)) => {
            let (earlier_links, new_links): (Vec<PolicyLink>, Vec<PolicyLink>) = unknown
                .into_iter()
                .map(|(compared_as, link)| PolicyLink {
                    url: link.url,
                    compared_as,
                    text: link.text,
                })
                .partition(|link| earlier.links.contains_key(&link.compared_as));
            PolicyCheck {
                page_url: page_url.clone(),
                status,
                new_links,
                earlier_links,
                known_links: known,
                warning: None,
            }
        }
        Err(why) => PolicyCheck {
            page_url: page_url.clone(),
            status,
            new_links: Vec::new(),
            earlier_links: Vec::new(),
            known_links: 0,
            warning: Some(format!(
                "could not check LinkedIn's privacy policy ({page_url}): {why}"
            )),
        },
    };
    seen.record_check(
        page_url.as_str(),
        jiff::Timestamp::now(),
        report
            .new_links
            .iter()
            .map(|link| (link.compared_as.clone(), link.url.to_string())),
    );
    if let Err(err) = seen.save(&settings.state_dir) {
        crate::state::warn_not_kept(
            &seen_file(settings),
            "the privacy policy links seen (they will be reported again)",
            &err,
        );
    }
    Ok(report)
}

/// Checks the policy page when the last check is `EVERY` old or more (or there was none);
/// `None` when it is not due, or when the check could not run at all (said in a warning):
/// the scheduled run's own outcome never depends on it.
pub async fn check_when_due(settings: &Settings) -> Option<PolicyCheck> {
    let (base, _) = site_of(settings);
    let page_url = base.join(POLICY_PATH).expect("a relative path");
    let seen = PolicyLinks::load(&settings.state_dir);
    if !seen.is_due(page_url.as_str(), EVERY, jiff::Timestamp::now()) {
        tracing::debug!("the privacy policy was checked less than a week ago");
        return None;
    }
    match check(settings).await {
        Ok(checked) => Some(checked),
        Err(err) => {
            tracing::warn!("could not check LinkedIn's privacy policy ({page_url}): {err}");
            None
        }
    }
}

/// The site the policy is read on: the first selected account's (its base URL and browser),
/// as `audit` names its objection form, else the configured base URL in Chromium.
fn site_of(settings: &Settings) -> (Url, BrowserKind) {
    match settings.accounts.first() {
        Some(account) => (account.base_url.clone(), account.browser),
        None => (settings.base_url.clone(), BrowserKind::Chrome),
    }
}
