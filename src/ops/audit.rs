//! `audit`'s sequence: every catalogued switch (or those `--setting` names) read for each
//! selected account, in one browser session each, nothing changed; then what "on" means for
//! each, and where to object to the use of data the switches no longer reach.

use url::Url;

use super::optout::{self, Finished};
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::catalogue::Catalogue;
use crate::linkedin::flow::{Mode, Plan};
use crate::linkedin::objection;
use crate::report::AccountReport;

/// A finished audit: the dry run's reports (one per account and switch), still holding the
/// run lock until recorded, and what the table needs besides.
pub struct Audited {
    pub finished: Finished,
    /// The active catalogue: what "on" lets LinkedIn do, for each switch.
    pub catalogue: Catalogue,
    /// The Data Processing Objection Form under the first account's base URL.
    pub objection_form: Url,
}

/// Reads the chosen switches of every selected account: the whole catalogue unless
/// `--setting` named some.
pub async fn run(settings: &Settings) -> Result<Audited, Error> {
    let mut settings = settings.clone();
    if !settings.switches_typed {
        let every = settings.catalogue.switches();
        for account in &mut settings.accounts {
            account.switches = every.clone();
        }
    }
    let base = settings
        .accounts
        .first()
        .map_or(&settings.base_url, |account| &account.base_url);
    let objection_form = base.join(objection::FORM_PATH).expect("a relative path");
    let plan = Plan {
        mode: Mode::DryRun,
        walk: false,
    };
    let finished = optout::run(&settings, plan).await?;
    Ok(Audited {
        finished,
        catalogue: settings.catalogue,
        objection_form,
    })
}

/// The audit's exit code: the highest of its switches', as for `status` (README, "What each
/// outcome does"): 3 when any switch is on, 0 when all are off or not offered, and a
/// failure's own code when a switch could not be read.
pub fn exit_code(reports: &[AccountReport]) -> u8 {
    super::run::exit_code(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;
    use crate::linkedin::outcome::{Outcome, SettingState};

    fn report(setting: &str, outcome: Outcome) -> AccountReport {
        AccountReport {
            account: "a@example.com".to_string(),
            setting: setting.to_string(),
            before: SettingState::Unknown,
            after: SettingState::Unknown,
            outcome,
            changed: false,
            drift: false,
            last_off: None,
            message: String::new(),
            duration_ms: 0,
            exit_code: outcome.exit_code(),
            receipt: None,
            past: Default::default(),
        }
    }

    #[test]
    fn an_audit_exits_3_when_any_switch_is_on_and_a_switch_not_offered_counts_as_off() {
        let off = report("ads-by-age", Outcome::AlreadyOff);
        let absent = report("member-cookies", Outcome::NotOffered);
        let on = report("ads-by-gender", Outcome::WouldOptOut);
        let unread = report("interest-categories", Outcome::PageNotUnderstood);
        assert_eq!(exit_code(&[off.clone(), absent.clone()]), exit::OFF);
        assert_eq!(
            exit_code(&[off.clone(), on.clone(), absent]),
            exit::FOUND_ON
        );
        // A switch that could not be read is never taken for off.
        assert_eq!(exit_code(&[off, on, unread]), exit::PAGE_NOT_UNDERSTOOD);
    }
}
