//! `history`: past runs, oldest first, with drift marked.
//!
//! `--account` and `--setting` filter only when given on the command line: the resolved
//! settings fill in the config file's choice otherwise, and a history of every account and
//! switch is what a bare `history` should show.

use crate::cli::{GlobalArgs, HistoryArgs};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::ops;
use crate::ops::history::History;
use crate::output::{Line, Output, Printed, json_of};
use crate::state::history::MarkedRecord;

pub async fn exec(
    settings: &Settings,
    global: &GlobalArgs,
    args: &HistoryArgs,
) -> Result<u8, Error> {
    let filter = ops::history::Filter::typed(global, &args.filters);
    let history = ops::history::history(settings, &filter, args.drift)?;
    Output::for_settings(settings).print(&history);
    Ok(exit::OFF)
}

/// One object per record with `--json`; a table otherwise.
impl Printed for History {
    fn json_lines(&self) -> Vec<String> {
        self.records.iter().map(json_of).collect()
    }

    fn human(&self) -> Vec<Line> {
        if self.records.is_empty() {
            return vec![Line::Note(format!(
                "no runs recorded yet (history: {})",
                self.path.display()
            ))];
        }
        table(&self.records)
            .lines()
            .map(|line| Line::Out(line.to_string()))
            .collect()
    }
}

/// One row per record: time, account, setting, before → after, outcome, and DRIFT where it
/// applies.
fn table(marked: &[MarkedRecord]) -> String {
    let rows: Vec<[String; 6]> = marked
        .iter()
        .map(|m| {
            let r = &m.record;
            [
                r.time.strftime("%Y-%m-%d %H:%MZ").to_string(),
                r.account.clone(),
                r.setting.clone(),
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
    crate::report::table(
        ["TIME (UTC)", "ACCOUNT", "SETTING", "STATE", "OUTCOME", ""],
        &rows,
    )
}
