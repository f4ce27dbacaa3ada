//! `policy check`: read LinkedIn's public privacy policy in the browser and list each link to
//! a settings page or a help form that the catalogue and the objection do not know, once.
//! Exit 3 when one is new; a page that could not be checked is a warning, exit 0.

use crate::cli::PolicyCommand;
use crate::config::Settings;
use crate::error::Error;
use crate::ops;
use crate::ops::policy::{PolicyCheck, Status};
use crate::output::{Line, Output, Printed, json_of};

pub async fn exec(settings: &Settings, command: PolicyCommand) -> Result<u8, Error> {
    match command {
        PolicyCommand::Check => {
            let checked = ops::policy::check(settings).await?;
            Output::for_settings(settings).print(&Told {
                check: &checked,
                seen_file: ops::policy::seen_file(settings),
            });
            Ok(checked.exit_code())
        }
    }
}

/// A check as a command tells it: the new links, what became of the page, and where the
/// links told are kept.
pub struct Told<'a> {
    pub check: &'a PolicyCheck,
    pub seen_file: std::path::PathBuf,
}

impl Told<'_> {
    /// The lines a person reads: the new links (results), and a warning when the page could
    /// not be checked.
    fn lines(&self) -> Vec<Line> {
        let check = self.check;
        if let Some(warning) = &check.warning {
            return vec![Line::Note(format!(
                "warning: {warning} (a warning, not a failure: the next check looks again)"
            ))];
        }
        let earlier = match check.earlier_links.len() {
            0 => String::new(),
            n => format!(
                "; {n} it does not know {} reported by an earlier check (`--json` lists {})",
                if n == 1 { "was" } else { "were" },
                if n == 1 { "it" } else { "them" }
            ),
        };
        if check.new_links.is_empty() {
            return vec![Line::Out(format!(
                "LinkedIn's privacy policy ({}) links no settings page or help form that the tool does not know ({} that it knows){earlier}.",
                check.page_url, check.known_links
            ))];
        }
        let count = check.new_links.len();
        let mut lines = vec![Line::Out(format!(
            "LinkedIn's privacy policy ({}) links {count} {} that the tool does not know{earlier}:",
            check.page_url,
            if count == 1 { "page" } else { "pages" }
        ))];
        lines.extend(
            check
                .new_links
                .iter()
                .map(|link| Line::Out(format!("  {}  \"{}\"", link.url, link.text))),
        );
        lines.push(Line::Out(format!(
            "Open {} in your browser: LinkedIn may have added a switch, and new ones start on. Each link is reported this once (kept in {}).",
            if count == 1 { "it" } else { "each" },
            self.seen_file.display()
        )));
        lines
    }
}

/// One object with `--json`: the check's keys.
impl Printed for Told<'_> {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self.check)]
    }

    fn human(&self) -> Vec<Line> {
        self.lines()
    }

    fn is_news(&self) -> bool {
        !self.check.new_links.is_empty()
    }
}

/// A check inside another command's run (the scheduled `optout`): every line is a note, so
/// that it reaches the person in every format (stdout keeps the run's own results) and under
/// `--quiet`; a check with nothing new says nothing.
pub struct InRun<'a>(pub Told<'a>);

impl Printed for InRun<'_> {
    fn json_lines(&self) -> Vec<String> {
        Vec::new()
    }

    fn human(&self) -> Vec<Line> {
        let check = self.0.check;
        if check.status == Status::Checked && check.new_links.is_empty() {
            return Vec::new();
        }
        self.0
            .lines()
            .into_iter()
            .map(|line| match line {
                Line::Out(text) | Line::Note(text) | Line::Document(text) => Line::Note(text),
            })
            .collect()
    }
}
