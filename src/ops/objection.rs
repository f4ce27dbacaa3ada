//! `objection`'s sequences: the route for data already used (the Data Processing Objection
//! Form, the deletion request, the Data Protection Officer, "Get a copy of your data", and
//! the objection text) for each selected account; and,
//! with `--open`, the form in a visible browser signed in as the member, left for them to
//! read and send. The tool never sends it.

use std::time::Duration;

use serde::Serialize;
use url::Url;

use super::driver::{self, DriverPlace};
use super::login::wait_for_person;
use super::session::{self, PageOptions};
use crate::browser;
use crate::config::{AccountSettings, Settings};
use crate::error::Error;
use crate::linkedin::objection::{self, ClosedBy, SignedInWith};
use crate::linkedin::page::Page;
use crate::linkedin::signin;
use crate::progress::Steps;
use crate::secrets::SecretChain;

/// How long the form stays open for the member before the tool closes the browser itself.
pub const OPEN_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The route for one account (or, with none configured, for whoever fills in the
/// placeholder): one `--json` object each.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    /// `None` when no account is configured: the text holds a placeholder instead.
    pub account: Option<String>,
    /// The Data Processing Objection Form (TS-DPRO).
    pub form_url: Url,
    /// The request to delete data that settings cannot delete (TS-DDF).
    pub deletion_form_url: Url,
    /// The Data Protection Officer's form (TSO-DPO).
    pub dpo_form_url: Url,
    /// "Get a copy of your data".
    pub copy_of_data_url: Url,
    /// The objection, ready to paste into the form.
    pub text: String,
}

/// `objection`'s report: the route of every selected account.
#[derive(Debug, Clone, Serialize)]
pub struct Routes(pub Vec<Route>);

/// `objection --open`'s report: the form was shown to the member and the browser is closed.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    pub account: String,
    pub form_url: Url,
    pub signed_in_with: SignedInWith,
    pub closed_by: ClosedBy,
}

/// The route of each selected account; with none, one route whose text holds a placeholder.
/// With `open`, first makes sure the form can be opened (one account, a display), so that a
/// usage error comes before anything is printed.
pub fn routes(settings: &Settings, open: bool) -> Result<Routes, Error> {
    if open {
        ready_to_open(settings)?;
    }
    let route = |account: Option<&str>, base: &Url| {
        let url = |path: &str| base.join(path).expect("a relative path");
        Route {
            account: account.map(str::to_string),
            form_url: url(objection::FORM_PATH),
            deletion_form_url: url(objection::DELETION_FORM_PATH),
            dpo_form_url: url(objection::DPO_FORM_PATH),
            copy_of_data_url: url(objection::COPY_OF_DATA_PATH),
            text: objection::text(account),
        }
    };
    if settings.accounts.is_empty() {
        return Ok(Routes(vec![route(None, &settings.base_url)]));
    }
    Ok(Routes(
        settings
            .accounts
            .iter()
            .map(|account| route(Some(&account.email), &account.base_url))
            .collect(),
    ))
}

/// The one account whose form `--open` opens, once it is sure a local browser can be seen.
fn ready_to_open(settings: &Settings) -> Result<&AccountSettings, Error> {
    let account = settings.single_account()?;
    if settings.webdriver.is_none() {
        browser::require_display()?;
    }
    Ok(account)
}

/// Opens the form for the one selected account in a visible browser, signed in with its
/// saved session (or, without a working one, by signing in as `login` does), and waits until
/// the member closes the browser or `OPEN_DEADLINE` passes. The session and the driver this
/// started are closed on every path.
pub async fn open(settings: &Settings) -> Result<Opened, Error> {
    // Said before anything starts: a local browser needs a screen to be seen on.
    let account = ready_to_open(settings)?;
    let chain = settings.secret_chain();
    let saved = match chain.session(&account.email).await {
        Ok(saved) => saved,
        Err(err) => {
            tracing::warn!("cannot read the saved session, signing in instead: {err}");
            None
        }
    };
    let cancel = browser::shutdown_on_signal();
    let driver = driver::start_one(DriverPlace::of_settings(settings), account.browser).await?;
    let steps = crate::progress::StepStyle::for_run(settings.quiet).steps(&account.email);
    let options = PageOptions {
        headed: true,
        ..PageOptions::for_settings(settings)
    };
    let result = session::with_page(&driver, account, &options, &cancel, async |page| {
        let signed_in_with = match &saved {
            Some(saved) => {
                steps.step("reusing the saved session");
                if objection::open_with_saved_session(page, saved).await? {
                    SignedInWith::SavedSession
                } else {
                    tracing::info!("the saved session has expired or was revoked: signing in");
                    sign_in(page, &chain, account, &steps).await?
                }
            }
            None => sign_in(page, &chain, account, &steps).await?,
        };
        steps.step(&format!(
            "the form is open in the browser window: read it, send it yourself if you want to, then close the browser (it closes by itself after {} minutes)",
            OPEN_DEADLINE.as_secs() / 60
        ));
        let closed_by = objection::wait_until_closed(page, OPEN_DEADLINE).await;
        Ok(Opened {
            account: account.email.clone(),
            form_url: page.url_for(objection::FORM_PATH),
            signed_in_with,
            closed_by,
        })
    })
    .await;
    driver.stop();
    result
}

/// Signs in as `login` does (a person finishes any checkpoint in the visible browser), keeps
/// the session for the next runs, and opens the form.
async fn sign_in(
    page: &Page<'_>,
    chain: &SecretChain,
    account: &AccountSettings,
    steps: &Steps,
) -> Result<SignedInWith, Error> {
    let credentials = chain.credentials(&account.email).await?;
    match signin::sign_in(page, &credentials, steps).await {
        Ok(()) => {}
        Err(Error::NeedsPerson { checkpoint, .. }) => {
            steps.step(&format!(
                "{}: complete it in the browser window",
                checkpoint.what_to_do()
            ));
            wait_for_person(page, steps).await?;
        }
        Err(err) => return Err(err),
    }
    if let Err(err) = session::keep(page, chain, &account.email).await {
        tracing::warn!("the session could not be kept for the next runs: {err}");
    }
    if objection::open_signed_in(page).await? {
        return Ok(SignedInWith::Password);
    }
    Err(page
        .not_understood("LinkedIn asked to sign in again right after signing in")
        .await)
}
