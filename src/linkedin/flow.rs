//! One account's opt-out, start to end: sign in, reach the setting, read it, switch it off
//! unless this is a dry run, and verify after a reload.

use super::page::Page;
use super::rules::Marker;
use super::setting::{self, Reached, Switched};
use super::{session, signin};
use crate::error::Error;
use crate::linkedin::outcome::{Outcome, SettingState};
use crate::progress::Steps;
use crate::secrets::{Credentials, StoredSession};

/// What the run is allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    OptOut,
    DryRun,
}

/// How the run goes about it.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub mode: Mode,
    /// Always walk Settings & Privacy > Data privacy instead of opening the setting's URL.
    pub walk: bool,
}

/// How the run gets in: a saved session when there is one, else (or when it has expired)
/// the password, unless LinkedIn throttled sign-ins recently.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    pub credentials: &'a Credentials,
    pub saved_session: Option<&'a StoredSession>,
    pub cool_down_until: Option<jiff::Timestamp>,
    /// An earlier switch's run in this browser session got in: go straight to the setting
    /// (and sign in again only if LinkedIn asks).
    pub signed_in_already: bool,
    /// The page this switch is on is loaded already, as fresh as a load: the switch before
    /// it lives there too, and its run left the page as loaded (it only read it, or its last
    /// act was the reload that verified it). It is read from there, not loaded again.
    pub page_loaded: bool,
}

/// What the run saw, kept as it goes, so that a failure still reports what was known.
#[derive(Debug, Clone, Copy)]
pub struct Findings {
    pub before: SettingState,
    pub after: SettingState,
    pub changed: bool,
    /// The run signed in with the password: its session is worth keeping.
    pub signed_in: bool,
    /// The run got in (a saved session restored, or signed in): a failure after this is the
    /// setting page's, not the account's.
    pub entered: bool,
}

impl Default for Findings {
    fn default() -> Self {
        Findings {
            before: SettingState::Unknown,
            after: SettingState::Unknown,
            changed: false,
            signed_in: false,
            entered: false,
        }
    }
}

impl Access<'_> {
    /// The error to stop with instead of signing in, while LinkedIn's throttling lasts.
    pub fn cooling_down(&self) -> Option<Error> {
        let until = self
            .cool_down_until
            .filter(|until| *until > jiff::Timestamp::now())?;
        Some(Error::Throttled {
            account: self.credentials.email.clone(),
            why: "it throttled an earlier sign-in; this run did not try".to_string(),
            retry_at: until,
        })
    }
}

/// Signs in with the password, unless LinkedIn asked us to keep away for now.
async fn sign_in(
    page: &Page<'_>,
    access: &Access<'_>,
    steps: &Steps,
    findings: &mut Findings,
) -> Result<(), Error> {
    if let Some(cooling_down) = access.cooling_down() {
        return Err(cooling_down);
    }
    signin::sign_in(page, access.credentials, steps).await?;
    findings.signed_in = true;
    Ok(())
}

/// Gets into the setting's page, signed in.
async fn reach_signed_in(
    page: &Page<'_>,
    access: &Access<'_>,
    plan: Plan,
    steps: &Steps,
    findings: &mut Findings,
) -> Result<Reached, Error> {
    match (access.signed_in_already, access.saved_session) {
        (true, _) => {}
        (false, Some(saved)) => {
            steps.step("reusing the saved session");
            session::restore(page, saved).await?;
        }
        (false, None) => sign_in(page, access, steps, findings).await?,
    }
    findings.entered = true;
    let reached = if access.page_loaded {
        setting::reach_here(page, plan.walk, steps).await?
    } else {
        setting::reach(page, plan.walk, steps).await?
    };
    if reached != Reached::SignedOut || findings.signed_in {
        return Ok(reached);
    }
    tracing::info!("the saved session has expired or was revoked: signing in with the password");
    sign_in(page, access, steps, findings).await?;
    setting::reach(page, plan.walk, steps).await
}

/// Runs the whole opt-out (or dry run) for one account in `page`'s browser.
pub async fn run(
    page: &Page<'_>,
    access: &Access<'_>,
    plan: Plan,
    steps: &Steps,
    findings: &mut Findings,
) -> Result<Outcome, Error> {
    let marker = match reach_signed_in(page, access, plan, steps, findings).await? {
        Reached::Switch(marker) => marker,
        Reached::NotOffered => {
            findings.before = SettingState::NotOffered;
            findings.after = SettingState::NotOffered;
            return Ok(Outcome::NotOffered);
        }
        Reached::SignedOut => {
            return Err(page
                .not_understood("LinkedIn asked to sign in again right after signing in")
                .await);
        }
    };
    findings.before = setting::read(page, marker).await?;
    steps.step(&format!("the setting is {}", findings.before));
    match (findings.before, plan.mode) {
        (SettingState::Off, _) => {
            findings.after = SettingState::Off;
            Ok(Outcome::AlreadyOff)
        }
        (_, Mode::DryRun) => {
            findings.after = findings.before;
            Ok(Outcome::WouldOptOut)
        }
        (_, Mode::OptOut) => {
            switch_off_and_verify(page, access, plan, marker, steps, findings).await
        }
    }
}

/// Switches the setting off and verifies it after a reload. When the session ended before
/// the save (the save or the reload met the sign-in page), signs in again, reaches the
/// setting, and switches it off once more if it still reads on: at most once per run. A save
/// refused while still signed in is not retried.
async fn switch_off_and_verify(
    page: &Page<'_>,
    access: &Access<'_>,
    plan: Plan,
    mut marker: Marker,
    steps: &Steps,
    findings: &mut Findings,
) -> Result<Outcome, Error> {
    let mut signed_in_again = false;
    loop {
        let switched = setting::switch_off(page, marker, steps).await;
        // Verify even after a failed save: the reload shows what LinkedIn kept.
        let verified = match switched {
            Ok(Switched::SignedOut) => None,
            _ => setting::verify(page, marker, steps).await?,
        };
        if let Some(after) = verified {
            findings.after = after;
            switched?;
            return match after {
                SettingState::Off => {
                    findings.changed = true;
                    Ok(Outcome::OptedOut)
                }
                _ => Err(Error::DidNotStick {
                    detail: "it read on again after a reload".to_string(),
                    artifacts: None,
                }),
            };
        }
        if signed_in_again {
            return Err(page
                .not_understood("LinkedIn ended the session again right after signing in again")
                .await);
        }
        signed_in_again = true;
        tracing::info!("the session ended before the save was verified: signing in again");
        sign_in(page, access, steps, findings).await?;
        marker = match setting::reach(page, plan.walk, steps).await? {
            Reached::Switch(marker) => marker,
            _ => {
                return Err(page
                    .not_understood("after signing in again, the setting's page shows no switch")
                    .await);
            }
        };
        if setting::read(page, marker).await? == SettingState::Off {
            findings.after = SettingState::Off;
            findings.changed = true;
            return Ok(Outcome::OptedOut);
        }
    }
}
