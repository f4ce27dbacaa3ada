//! `audit`: read every catalogued switch (or those `--setting` names) for each selected
//! account and change nothing; a table per account, the objection route last, exit 3 when
//! any switch is on.

use crate::config::Settings;
use crate::error::Error;
use crate::ops;
use crate::ops::audit::Audited;
use crate::output::{Line, Output, Printed, json_of};

pub async fn exec(settings: &Settings) -> Result<u8, Error> {
    let audited = ops::audit::run(settings).await?;
    Output::for_settings(settings).print(&audited);
    let code = ops::audit::exit_code(&audited.finished.reports);
    audited.finished.record(settings).await;
    Ok(code)
}

impl Audited {
    /// The one line that names the route for data the switches do not reach.
    fn objection_route(&self) -> String {
        format!(
            "Switching off does not reach data already used: object to that with LinkedIn's Data Processing Objection Form, {} (`linkedin-optout objection` writes the text and names LinkedIn's other routes).",
            self.objection_form
        )
    }

    fn on_means(&self, switch: &str) -> &str {
        self.catalogue
            .get(switch)
            .map_or("", |switch| switch.on.as_str())
    }
}

/// One object per account and switch with `--json` (the keys of `status --json`); otherwise
/// a table per account (switch, state, what "on" means), a line per switch that could not be
/// read, and the objection route.
impl Printed for Audited {
    fn json_lines(&self) -> Vec<String> {
        self.finished.reports.iter().map(json_of).collect()
    }

    fn human(&self) -> Vec<Line> {
        let reports = &self.finished.reports;
        let mut lines = Vec::new();
        let mut accounts: Vec<&str> = Vec::new();
        for report in reports {
            if !accounts.contains(&report.account.as_str()) {
                accounts.push(&report.account);
            }
        }
        for account in accounts {
            let own: Vec<_> = reports.iter().filter(|r| r.account == account).collect();
            lines.push(Line::Out(format!("{account}:")));
            let rows: Vec<[String; 3]> = own
                .iter()
                .map(|report| {
                    [
                        report.setting.clone(),
                        state(report),
                        self.on_means(&report.setting).to_string(),
                    ]
                })
                .collect();
            let table = crate::report::table(["SETTING", "STATE", "ON MEANS"], &rows);
            lines.extend(table.lines().map(|line| Line::Out(format!("  {line}"))));
            for report in own.iter().filter(|report| !is_read(report)) {
                lines.push(Line::Out(format!("  {}", report.summary())));
            }
        }
        lines.push(Line::Out(self.objection_route()));
        lines
    }

    /// With `--json` the route goes to stderr: stdout holds only the reports' objects.
    fn notes(&self) -> Vec<String> {
        vec![self.objection_route()]
    }

    fn is_news(&self) -> bool {
        self.finished.reports.iter().any(|report| report.is_news())
    }
}

/// Whether the switch's state was read (on, off, or not offered).
fn is_read(report: &crate::report::AccountReport) -> bool {
    use crate::linkedin::outcome::Outcome;
    matches!(
        report.outcome,
        Outcome::AlreadyOff | Outcome::WouldOptOut | Outcome::NotOffered
    )
}

/// The state column: what was read, or the outcome that kept it from being read.
fn state(report: &crate::report::AccountReport) -> String {
    use crate::linkedin::outcome::Outcome;
    match report.outcome {
        Outcome::AlreadyOff => "off".to_string(),
        Outcome::WouldOptOut => "ON".to_string(),
        Outcome::NotOffered => "not offered".to_string(),
        failure => format!("? ({failure})"),
    }
}
