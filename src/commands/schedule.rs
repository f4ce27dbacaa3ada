//! `schedule install|show|remove`: this tool's line in the user's crontab (see `ops::schedule`).

use crate::cli::{GlobalArgs, ScheduleCommand};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::ops;
use crate::ops::schedule::{Installed, Removed, Shown, Verdict};
use crate::output::{Line, Output, Printed, json_of};

pub async fn exec(
    settings: &Settings,
    global: &GlobalArgs,
    command: ScheduleCommand,
) -> Result<u8, Error> {
    let output = Output::for_settings(settings);
    match command {
        ScheduleCommand::Install(args) => {
            let installed =
                ops::schedule::install(settings, global, &args.every, args.at.as_deref())?;
            output.print(&installed);
            Ok(exit::OFF)
        }
        ScheduleCommand::Show => {
            let shown = ops::schedule::show(settings, global)?;
            output.print(&shown);
            Ok(match shown.verdict {
                Verdict::UpToDate | Verdict::Stale => exit::OFF,
                Verdict::Broken | Verdict::NotInstalled => exit::OTHER,
            })
        }
        ScheduleCommand::Remove => {
            output.print(&ops::schedule::remove(settings)?);
            Ok(exit::OFF)
        }
    }
}

impl Printed for Installed {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        vec![
            Line::Out(format!("installed in your crontab:\n{}", self.line)),
            Line::Out(self.next.shown.clone()),
        ]
    }
}

impl Printed for Shown {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        let Some(line) = &self.line else {
            let mut lines = vec![Line::Note(format!(
                "no schedule installed for config {}: add one with `linkedin-optout schedule install`",
                self.config.display()
            ))];
            lines.extend(self.last_reading_lines());
            return lines;
        };
        let mut lines = vec![Line::Out(line.clone()), Line::Out(self.next.shown.clone())];
        lines.extend(self.last_reading_lines());
        let why = self.why.as_deref().unwrap_or_default();
        match self.verdict {
            Verdict::Stale => lines.push(Line::Note(format!(
                "stale: {why}; run `linkedin-optout schedule install` with the options you want to write it again"
            ))),
            Verdict::Broken => lines.push(Line::Note(format!(
                "broken: {why}; run `linkedin-optout schedule install` again, or `linkedin-optout schedule remove`"
            ))),
            Verdict::UpToDate | Verdict::NotInstalled => {}
        }
        lines
    }
}

impl Shown {
    /// Each account's last successful reading, and a note for one no run has read for long.
    fn last_reading_lines(&self) -> Vec<Line> {
        self.last_readings
            .iter()
            .map(|reading| {
                let line = format!("last successful reading: {}", reading.line());
                if reading.stale {
                    Line::Note(format!(
                        "{line}: that is too long ago; the schedule may not be running (see cron.log in the state directory, and `linkedin-optout doctor`)"
                    ))
                } else {
                    Line::Out(line)
                }
            })
            .collect()
    }
}

impl Printed for Removed {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        vec![Line::Out(if self.removed {
            format!("removed the schedule for config {}", self.config.display())
        } else {
            format!(
                "no schedule was installed for config {}: nothing to remove",
                self.config.display()
            )
        })]
    }
}
