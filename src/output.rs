//! How every command prints its report: human text, `--json` (one JSON object per line), or
//! `--quiet` (only news), the same way for each.
//!
//! A command's report says what it has to tell ([`Printed`]); `Output` alone decides how that
//! reaches stdout. Results go to stdout; notes a person should see whatever the format
//! (a warning, "nothing recorded yet") go to stderr, and `--quiet` never hides them.

use std::io::Write;

use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::config::Settings;
use crate::report::AccountReport;

/// How results are printed: `--json`, `--quiet`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
}

/// One line of a report's human text, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A result: stdout.
    Out(String),
    /// A note or warning for the person: stderr, in every format.
    Note(String),
    /// A document: stdout, exactly as it is (no line break added).
    Document(String),
}

/// What a command's report has to tell.
pub trait Printed {
    /// The `--json` objects, each printed on its own line (none: nothing on stdout).
    fn json_lines(&self) -> Vec<String>;
    /// The human text, line by line.
    fn human(&self) -> Vec<Line>;
    /// Notes that go to stderr with `--json` too (the human text's `Line::Note`s, by default).
    fn notes(&self) -> Vec<String> {
        self.human()
            .into_iter()
            .filter_map(|line| match line {
                Line::Note(note) => Some(note),
                Line::Out(_) | Line::Document(_) => None,
            })
            .collect()
    }
    /// Whether there is anything to tell under `--quiet` (notes are always told).
    fn is_news(&self) -> bool {
        true
    }
}

/// A report's one `--json` object, its keys in their declared order.
pub fn json_of(report: &impl Serialize) -> String {
    serde_json::to_string(report).expect("a report serialises")
}

/// A report's one `--json` object, its keys in alphabetical order: for the commands
/// (`credentials`, `receipts`) whose objects have always printed so.
pub fn json_sorted(report: &impl Serialize) -> String {
    serde_json::to_value(report)
        .expect("a report serialises")
        .to_string()
}

impl Output {
    /// The format as typed, for the commands that need no configuration (`doctor`, the
    /// documents, `simulator`).
    pub fn for_args(global: &GlobalArgs) -> Output {
        Output {
            json: global.json,
            quiet: global.quiet,
        }
    }

    pub fn for_settings(settings: &Settings) -> Output {
        Output {
            json: settings.json,
            quiet: settings.quiet,
        }
    }

    /// Prints `report` in this format to stdout (results) and stderr (notes).
    pub fn print(&self, report: &impl Printed) {
        // A closed stdout (`| head`) or stderr loses the rest of the output, never the run.
        let _ = self.write(
            report,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr(),
        );
    }

    /// Writes `report` in this format: results to `out`, notes to `notes`.
    pub fn write(
        &self,
        report: &impl Printed,
        out: &mut impl Write,
        notes: &mut impl Write,
    ) -> std::io::Result<()> {
        let news = !self.quiet || report.is_news();
        if self.json {
            for note in report.notes() {
                writeln!(notes, "{note}")?;
            }
            if news {
                for line in report.json_lines() {
                    writeln!(out, "{line}")?;
                }
            }
            return Ok(());
        }
        for line in report.human() {
            match line {
                Line::Out(text) if news => writeln!(out, "{text}")?,
                Line::Out(_) => {}
                Line::Document(text) => write!(out, "{text}")?,
                Line::Note(text) => writeln!(notes, "{text}")?,
            }
        }
        Ok(())
    }
}

/// A document a command prints whole (the manual page, a completion script, a page
/// skeleton): as it is, or under `--json` one object that names what it is.
#[derive(Debug, Serialize)]
pub struct Document {
    /// What the text is: `man`, `completions` or `skeleton`.
    document: &'static str,
    /// The text, exactly as it prints without `--json`.
    text: String,
}

impl Document {
    pub fn new(document: &'static str, text: String) -> Document {
        Document { document, text }
    }
}

impl Printed for Document {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        vec![Line::Document(self.text.clone())]
    }
}

/// One account's result of a run: its `--json` object, or its summary line; news only when
/// something changed or was not as it should be.
impl Printed for AccountReport {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        vec![Line::Out(self.summary())]
    }

    fn is_news(&self) -> bool {
        AccountReport::is_news(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Said {
        news: bool,
    }

    impl Printed for Said {
        fn json_lines(&self) -> Vec<String> {
            vec![r#"{"a":1}"#.to_string(), r#"{"a":2}"#.to_string()]
        }

        fn human(&self) -> Vec<Line> {
            vec![
                Line::Out("result".to_string()),
                Line::Note("note".to_string()),
            ]
        }

        fn is_news(&self) -> bool {
            self.news
        }
    }

    fn written(json: bool, quiet: bool, news: bool) -> (String, String) {
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        Output { json, quiet }
            .write(&Said { news }, &mut out, &mut notes)
            .unwrap();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(notes).unwrap(),
        )
    }

    #[test]
    fn every_format_prints_the_same_report_its_way_and_notes_always_show() {
        let (human, json, quiet, both) =
            ((false, false), (true, false), (false, true), (true, true));
        let note = "note\n".to_string();
        for news in [true, false] {
            assert_eq!(
                written(human.0, human.1, news),
                ("result\n".to_string(), note.clone())
            );
            assert_eq!(
                written(json.0, json.1, news),
                ("{\"a\":1}\n{\"a\":2}\n".to_string(), note.clone())
            );
        }
        // `--quiet` leaves out what is no news, in both formats, never a note.
        assert_eq!(written(quiet.0, quiet.1, true).0, "result\n");
        assert_eq!(
            written(quiet.0, quiet.1, false),
            (String::new(), note.clone())
        );
        assert_eq!(written(both.0, both.1, false), (String::new(), note));
    }
}
