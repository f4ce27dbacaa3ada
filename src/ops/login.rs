//! `login`'s sequence: sign in once, with a person at the visible browser when LinkedIn asks
//! for one, and keep the session so that later runs (cron, timers) do not sign in at all.

use std::time::Duration;

use serde::Serialize;

use super::driver::{self, DriverPlace};
use super::session::{self, PageOptions};
use crate::browser::{self, wait};
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::page::Page;
use crate::linkedin::signin;
use crate::progress::{StepStyle, Steps};

/// How long a person has to get through a checkpoint in the visible browser.
const PERSON_DEADLINE: Duration = Duration::from_secs(300);

/// A sign-in whose session is kept: `login`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub account: String,
    /// Always true: a session that could not be kept fails `login` instead.
    pub session_kept: bool,
}

/// Signs the one selected account in and keeps its session.
pub async fn login(settings: &Settings) -> Result<SignedIn, Error> {
    let account = settings.single_account()?;
    let chain = settings.secret_chain();
    let credentials = chain.credentials(&account.email).await?;
    let cancel = browser::shutdown_on_signal();
    let driver = driver::start_one(DriverPlace::of_settings(settings), account.browser).await?;
    let steps = StepStyle::for_run(settings.quiet).steps(&account.email);
    let options = PageOptions::for_settings(settings);
    let result = session::with_page(&driver, account, &options, &cancel, async |page| {
        match signin::sign_in(page, &credentials, &steps).await {
            Ok(()) => {}
            Err(Error::NeedsPerson { checkpoint, .. }) if settings.headed => {
                steps.step(&format!(
                    "{}: complete it in the browser window",
                    checkpoint.what_to_do()
                ));
                wait_for_person(page, &steps).await?;
            }
            Err(err) => return Err(err),
        }
        session::keep(page, &chain, &account.email).await
    })
    .await;
    driver.stop();
    result?;
    Ok(SignedIn {
        account: account.email.clone(),
        session_kept: true,
    })
}

/// Waits until the person has finished the checkpoint (the page proves a session), with a
/// countdown, within `PERSON_DEADLINE`.
pub(super) async fn wait_for_person(page: &Page<'_>, steps: &Steps) -> Result<(), Error> {
    let started = tokio::time::Instant::now();
    let mut last_shown = u64::MAX;
    wait::until("the checkpoint to be completed", PERSON_DEADLINE, async || {
        let left = PERSON_DEADLINE.saturating_sub(started.elapsed()).as_secs();
        if left / 15 != last_shown / 15 {
            steps.step(&format!("waiting for you in the browser window: {left} s left"));
            last_shown = left;
        }
        match page.look().await {
            Ok(look) => Ok(signin::proves_session(page, &look).await?.then_some(())),
            Err(Error::PageCommand(_)) => Ok(None),
            Err(err) => Err(err),
        }
    })
    .await
    .map_err(|err| match err {
        wait::WaitError::Failed(err) => err,
        timed_out => Error::Usage(format!(
            "{timed_out}: run `linkedin-optout login --headed` again when you can complete the checkpoint"
        )),
    })
}
