//! `login [--headed]`: sign in once, interactively when LinkedIn wants a person, and keep the
//! session so that later runs (cron, timers) do not sign in at all.

use std::time::Duration;

use crate::browser::{self, SessionOptions, WebDriver, wait};
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::page::Page;
use crate::linkedin::{session, signin};
use crate::progress::{StepStyle, Steps};

/// How long a person has to get through a checkpoint in the visible browser.
const PERSON_DEADLINE: Duration = Duration::from_secs(300);

pub async fn exec(settings: &Settings) -> Result<u8, Error> {
    let account = settings.single_account()?;
    let chain = settings.secret_chain();
    let credentials = chain.credentials(&account.email).await?;
    let cancel = browser::shutdown_on_signal();
    let driver = WebDriver::start(
        settings.webdriver.as_ref(),
        account.browser,
        &settings.browser_args,
        Some(&settings.state_dir),
    )
    .await?;
    let steps = StepStyle::for_run(settings.quiet).steps(&account.email);
    let options = SessionOptions {
        browser: account.browser,
        headed: settings.headed,
        timeout: settings.timeout,
    };
    let result = driver
        .session(options, &cancel, async |client| {
            let page = Page {
                client,
                base: account.base_url.clone(),
                timeout: settings.timeout,
                artifacts_dir: settings.artifacts_dir.clone(),
                account: account.email.clone(),
            };
            match signin::sign_in(&page, &credentials, &steps).await {
                Ok(()) => {}
                Err(Error::NeedsPerson { checkpoint, .. }) if settings.headed => {
                    steps.step(&format!(
                        "{}: complete it in the browser window",
                        checkpoint.what_to_do()
                    ));
                    wait_for_person(&page, &steps).await?;
                }
                Err(err) => return Err(err),
            }
            let fresh = session::capture(&page).await?;
            chain.store_session(&account.email, &fresh).await?;
            Ok(())
        })
        .await;
    driver.stop();
    result?;
    println!(
        "signed in as {}: the session is kept for the next runs",
        account.email
    );
    Ok(0)
}

/// Waits until the person has finished the checkpoint (the page proves a session), with a
/// countdown, within `PERSON_DEADLINE`.
async fn wait_for_person(page: &Page<'_>, steps: &Steps) -> Result<(), Error> {
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
