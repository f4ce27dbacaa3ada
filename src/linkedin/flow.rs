//! One account's opt-out, start to end: sign in, reach the setting, read it, switch it off
//! unless this is a dry run, and verify after a reload.

use super::page::Page;
use super::setting::{self, Reached};
use super::signin;
use crate::error::{Error, Outcome};
use crate::report::{SettingState, Steps};
use crate::secrets::Credentials;

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

/// What the run saw, kept as it goes, so that a failure still reports what was known.
#[derive(Debug, Clone, Copy)]
pub struct Findings {
    pub before: SettingState,
    pub after: SettingState,
    pub changed: bool,
}

impl Default for Findings {
    fn default() -> Self {
        Findings {
            before: SettingState::Unknown,
            after: SettingState::Unknown,
            changed: false,
        }
    }
}

/// Runs the whole opt-out (or dry run) for one account in `page`'s browser.
pub async fn run(
    page: &Page<'_>,
    credentials: &Credentials,
    plan: Plan,
    steps: &Steps,
    findings: &mut Findings,
) -> Result<Outcome, Error> {
    signin::sign_in(page, credentials, steps).await?;
    let marker = match setting::reach(page, plan.walk, steps).await? {
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
            let switched = setting::switch_off(page, marker, steps).await;
            findings.changed = switched.is_ok();
            // Verify even after a failed save: the reload shows what LinkedIn kept.
            findings.after = setting::verify(page, marker, steps).await?;
            switched?;
            match findings.after {
                SettingState::Off => Ok(Outcome::OptedOut),
                _ => {
                    findings.changed = false;
                    Err(Error::DidNotStick {
                        detail: "it read on again after a reload".to_string(),
                    })
                }
            }
        }
    }
}
