//! `objection [--open]`: switching off covers only later use. Prints LinkedIn's routes for
//! data already used (the Data Processing Objection Form, the deletion request, the Data
//! Protection Officer, "Get a copy of your data") and an objection text naming each selected
//! account; `--open` then opens the objection form, signed in, for the member to send.

use crate::cli::ObjectionArgs;
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::linkedin::objection::{ACCOUNT_PLACEHOLDER, ClosedBy, SignedInWith};
use crate::ops;
use crate::ops::objection::{Opened, Routes};
use crate::output::{Line, Output, Printed, json_of};

pub async fn exec(settings: &Settings, args: &ObjectionArgs) -> Result<u8, Error> {
    let output = Output::for_settings(settings);
    // The text first: the member pastes it while the form is open.
    output.print(&ops::objection::routes(settings, args.open)?);
    if args.open {
        output.print(&ops::objection::open(settings).await?);
    }
    Ok(exit::OFF)
}

/// One object per account with `--json`; a block per account otherwise.
impl Printed for Routes {
    fn json_lines(&self) -> Vec<String> {
        self.0.iter().map(json_of).collect()
    }

    fn human(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        for (i, route) in self.0.iter().enumerate() {
            if i > 0 {
                lines.push(Line::Out(String::new()));
            }
            let whose = match &route.account {
                Some(account) => format!("for {account}"),
                None => "(no account is configured: fill in yours)".to_string(),
            };
            lines.extend([
                Line::Out(
                    "Switching off covers only later use: data LinkedIn has already used stays used. To object to its use, send LinkedIn's Data Processing Objection Form (TS-DPRO):"
                        .to_string(),
                ),
                Line::Out(format!("  {}", route.form_url)),
                Line::Out(
                    "To have LinkedIn delete data that your settings cannot delete, send its deletion request (TS-DDF):"
                        .to_string(),
                ),
                Line::Out(format!("  {}", route.deletion_form_url)),
                Line::Out(
                    "To reach LinkedIn's Data Protection Officer, for example when an answer does not come, use its form (TSO-DPO):"
                        .to_string(),
                ),
                Line::Out(format!("  {}", route.dpo_form_url)),
                Line::Out("To see what LinkedIn holds, ask for \"Get a copy of your data\":".to_string()),
                Line::Out(format!("  {}", route.copy_of_data_url)),
                Line::Out(
                    "In the UK, the same switch has also covered sharing with Microsoft for its own AI training since 3 November 2025: the objection says so in a sentence that holds wherever you are."
                        .to_string(),
                ),
                Line::Out(format!(
                    "The objection {whose}, to paste into the objection form (you send it; this tool never does):"
                )),
                Line::Out(String::new()),
                Line::Out(route.text.clone()),
            ]);
            if route.account.is_none() {
                lines.push(Line::Note(format!(
                    "no account is configured: replace {ACCOUNT_PLACEHOLDER} in the text with your LinkedIn account's email address (or name it with `--account EMAIL`)"
                )));
            }
        }
        lines
    }
}

impl Printed for Opened {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        let how = match self.signed_in_with {
            SignedInWith::SavedSession => "with the saved session",
            SignedInWith::Password => "with the password (the session is kept for next time)",
        };
        let closed = match self.closed_by {
            ClosedBy::Member => "you closed the browser".to_string(),
            ClosedBy::Deadline => format!(
                "nobody closed the browser within {} minutes, so the tool closed it: if you did not send the form, run `linkedin-optout objection --open` again",
                ops::objection::OPEN_DEADLINE.as_secs() / 60
            ),
        };
        vec![Line::Out(format!(
            "opened the form for {} signed in {how}; {closed}. The tool sent nothing: only you send the form.",
            self.account
        ))]
    }
}
