//! How every command prints its report: human text, `--json` (one JSON object per line), or
//! `--quiet` (only news), the same way for each.
//!
//! A command's report says what it has to tell ([`Printed`]); `Output` alone decides how that
//! reaches stdout. Results go to stdout; notes a person should see whatever the format
//! (a warning, "nothing recorded yet") go to stderr, and `--quiet` never hides them.

use serde::Serialize;

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
                Line::Out(_) => None,
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
    pub fn for_settings(settings: &Settings) -> Output {
        Output {
            json: settings.json,
            quiet: settings.quiet,
        }
    }

    /// Prints `report` in this format.
    pub fn print(&self, report: &impl Printed) {
        let news = !self.quiet || report.is_news();
        if self.json {
            for note in report.notes() {
                eprintln!("{note}");
            }
            if news {
                for line in report.json_lines() {
                    println!("{line}");
                }
            }
            return;
        }
        for line in report.human() {
            match line {
                Line::Out(text) if news => println!("{text}"),
                Line::Out(_) => {}
                Line::Note(text) => eprintln!("{text}"),
            }
        }
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
