//! What a run is doing, as it does it: a spinner per account on a terminal, plain lines
//! otherwise, nothing with `--quiet`. Always on stderr: stdout carries only results.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Where progress lines go: a spinner per account on a terminal, plain lines otherwise,
/// nothing with `--quiet`. Always stderr: stdout carries only results.
#[derive(Clone)]
pub enum StepStyle {
    Silent,
    Lines,
    Spinners(MultiProgress),
}

impl StepStyle {
    pub fn for_run(quiet: bool) -> StepStyle {
        if quiet {
            StepStyle::Silent
        } else if std::io::stderr().is_terminal() {
            StepStyle::Spinners(MultiProgress::new())
        } else {
            StepStyle::Lines
        }
    }

    pub fn steps(&self, account: &str) -> Steps {
        let spinner = match self {
            StepStyle::Spinners(multi) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix}: {msg}")
                        .expect("a valid template"),
                );
                bar.set_prefix(account.to_string());
                bar.enable_steady_tick(Duration::from_millis(120));
                Some(bar)
            }
            _ => None,
        };
        Steps {
            account: account.to_string(),
            lines: matches!(self, StepStyle::Lines),
            spinner,
            current: std::sync::Mutex::new(String::new()),
            position: std::sync::Mutex::new(None),
        }
    }
}

/// One account's progress reporter.
pub struct Steps {
    account: String,
    lines: bool,
    spinner: Option<ProgressBar>,
    /// The step in progress, for a message about a failure during it.
    current: std::sync::Mutex<String>,
    /// Which of the account's chosen switches is in progress, and how many there are.
    position: std::sync::Mutex<Option<(usize, usize)>>,
}

impl Steps {
    /// The step in progress (the last one announced), empty before the first.
    pub fn current(&self) -> String {
        self.current
            .lock()
            .map(|step| step.clone())
            .unwrap_or_default()
    }

    /// Says that the `n`th of `of` chosen switches is now in progress.
    pub fn at_switch(&self, n: usize, of: usize) {
        if let Ok(mut position) = self.position.lock() {
            *position = Some((n, of));
        }
    }

    /// A switch as progress names it: its catalogue name, and with several, its place
    /// (`ads-by-age (3/13)`).
    pub fn switch_label(&self, name: &str) -> String {
        match self.position.lock().ok().and_then(|position| *position) {
            Some((n, of)) if of > 1 => format!("{name} ({n}/{of})"),
            _ => name.to_string(),
        }
    }

    pub fn step(&self, text: &str) {
        if let Ok(mut current) = self.current.lock() {
            *current = text.to_string();
        }
        tracing::debug!(account = %self.account, "{text}");
        if let Some(bar) = &self.spinner {
            bar.set_message(text.to_string());
        } else if self.lines {
            eprintln!("{}: {text}", self.account);
        }
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }
}
