//! `receipts [--account A] [--json]`: every receipt kept, newest first; `receipts export
//! [--account A] DIR`: the same as one self-contained page with the files beside it.
//!
//! As with `history`, `--account` and `--setting` filter only when given on the command line.

use crate::cli::{GlobalArgs, ReceiptsArgs, ReceiptsCommand};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::ops;
use crate::ops::receipts::{Exported, Receipts};
use crate::output::{Line, Output, Printed, json_of, json_sorted};
use crate::state::receipts::Stored;

pub async fn exec(
    settings: &Settings,
    global: &GlobalArgs,
    args: ReceiptsArgs,
) -> Result<u8, Error> {
    let output = Output::for_settings(settings);
    let filter = ops::history::Filter::typed(global, &args.filters);
    match args.command {
        Some(ReceiptsCommand::Export(export)) => {
            output.print(&ops::receipts::export(settings, &filter, &export.dir)?);
        }
        None => output.print(&ops::receipts::list(settings, &filter)?),
    }
    Ok(exit::OFF)
}

/// One object per receipt with `--json`; a table otherwise.
impl Printed for Receipts {
    fn json_lines(&self) -> Vec<String> {
        self.listed().map(|listed| json_sorted(&listed)).collect()
    }

    fn human(&self) -> Vec<Line> {
        if self.stored.is_empty() {
            return vec![Line::Note(format!(
                "no receipts yet: a run that reads the setting keeps one (receipts: {})",
                self.root.display()
            ))];
        }
        table(&self.stored)
            .lines()
            .map(|line| Line::Out(line.to_string()))
            .collect()
    }
}

impl Printed for Exported {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        let mut lines = vec![Line::Out(format!(
            "wrote {} ({} receipt{}, files beside it)",
            self.index.display(),
            self.receipts,
            if self.receipts == 1 { "" } else { "s" }
        ))];
        if self.problems > 0 {
            lines.push(Line::Note(format!(
                "the page names {} damaged or missing file{} of the receipts directory",
                self.problems,
                if self.problems == 1 { "" } else { "s" }
            )));
        }
        lines
    }
}

/// One row per receipt: time, account, setting, state, and its two files.
fn table(stored: &[Stored]) -> String {
    let rows: Vec<[String; 6]> = stored
        .iter()
        .map(|s| {
            let r = &s.receipt;
            [
                r.time.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
                r.account.clone(),
                r.setting.clone(),
                r.state.to_string(),
                s.png.display().to_string(),
                s.json.display().to_string(),
            ]
        })
        .collect();
    crate::report::table(
        ["TIME (UTC)", "ACCOUNT", "SETTING", "STATE", "PNG", "JSON"],
        &rows,
    )
}
