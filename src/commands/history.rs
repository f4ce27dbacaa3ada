//! `history`: past runs, oldest first, with drift marked.
//!
//! `--account` filters only when given on the command line: the resolved settings fill in
//! the config file's accounts otherwise, and a history of every account is what a bare
//! `history` should show.

use crate::cli::GlobalArgs;
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::state::history::{self, MarkedRecord};

pub async fn exec(settings: &Settings, global: &GlobalArgs) -> Result<u8, Error> {
    let records = history::read(&settings.state_dir)?;
    // Drift is judged on each account's whole history, before filtering.
    let marked: Vec<MarkedRecord> = history::mark_drift(records)
        .into_iter()
        .filter(|m| {
            global.accounts.is_empty()
                || global
                    .accounts
                    .iter()
                    .any(|account| crate::input::normal_email(account) == m.record.account)
        })
        .collect();
    if marked.is_empty() {
        eprintln!(
            "no runs recorded yet (history: {})",
            history::path(&settings.state_dir).display()
        );
        return Ok(exit::OFF);
    }
    if settings.json {
        for record in &marked {
            let line = serde_json::to_string(record).map_err(anyhow::Error::from)?;
            println!("{line}");
        }
    } else {
        print!("{}", table(&marked));
    }
    Ok(exit::OFF)
}

/// One row per record: time, account, before → after, outcome, and DRIFT where it applies.
fn table(marked: &[MarkedRecord]) -> String {
    let rows: Vec<[String; 5]> = marked
        .iter()
        .map(|m| {
            let r = &m.record;
            [
                r.time.strftime("%Y-%m-%d %H:%MZ").to_string(),
                r.account.clone(),
                format!("{} → {}", r.before, r.after),
                r.outcome.to_string(),
                if m.drift {
                    "DRIFT".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    crate::report::table(["TIME (UTC)", "ACCOUNT", "SETTING", "OUTCOME", ""], &rows)
}
