//! `rules show`: the active catalogue, one row per switch, with where each came from.

use crate::cli::RulesCommand;
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::ops;
use crate::ops::rules::{BUILT_IN, Rules};
use crate::output::{Line, Output, Printed, json_of};

pub fn exec(settings: &Settings, command: RulesCommand) -> Result<u8, Error> {
    match command {
        RulesCommand::Show => {
            Output::for_settings(settings).print(&ops::rules::show(settings));
            Ok(exit::OFF)
        }
    }
}

/// One object per switch with `--json`; a table otherwise.
impl Printed for Rules {
    fn json_lines(&self) -> Vec<String> {
        self.rules.iter().map(json_of).collect()
    }

    fn human(&self) -> Vec<Line> {
        let rows: Vec<[String; 5]> = self
            .rules
            .iter()
            .map(|rule| {
                let from = if rule.source == BUILT_IN {
                    "built in".to_string()
                } else {
                    let fields: Vec<String> = rule
                        .overridden
                        .iter()
                        .map(|field| {
                            serde_json::to_value(field)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        })
                        .collect();
                    format!("{} ({})", rule.source, fields.join(", "))
                };
                [
                    rule.switch.name.clone(),
                    format!("/{}", rule.switch.page_path()),
                    match rule.switch.key_is {
                        crate::linkedin::catalogue::KeyIs::AriaLabelledby => {
                            rule.switch.key.clone()
                        }
                        crate::linkedin::catalogue::KeyIs::Id => format!("#{}", rule.switch.key),
                    },
                    from,
                    rule.switch.on.clone(),
                ]
            })
            .collect();
        let mut lines: Vec<Line> =
            crate::report::table(["NAME", "PAGE", "KEY", "FROM", "ON MEANS"], &rows)
                .lines()
                .map(|line| Line::Out(line.to_string()))
                .collect();
        if let Some(file) = &self.file {
            lines.push(Line::Note(format!("overrides from {}", file.display())));
        }
        lines
    }
}
