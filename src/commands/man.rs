//! `man`: the manual page in roff, from the clap definition plus the sections clap does not
//! know (exit status, files, environment), which come from the tables below.

use clap::CommandFactory as _;
use roff::{Roff, bold, roman};

use crate::cli::Cli;
use crate::error::{Error, exit};
use crate::output::{Document, Output};

/// Where the tool keeps things, as the man page lists them (`~` is the user's home; the
/// directories follow the XDG variables when they are set).
const FILES: &[(&str, &str)] = &[
    (
        "~/.config/linkedin-optout/config.toml",
        "the config file (TOML): accounts, settings, webdriver, browser, timeout, notify_command",
    ),
    (
        "~/.local/state/linkedin-optout/history.jsonl",
        "one JSON line per account, switch and run; `linkedin-optout history` reads it",
    ),
    (
        "~/.local/state/linkedin-optout/sessions/",
        "saved sessions when the password comes from a read-only file (mode 0600)",
    ),
    (
        "~/.local/state/linkedin-optout/artifacts/",
        "a screenshot and the HTML of a page that was not understood (mode 0700)",
    ),
    (
        "~/.local/state/linkedin-optout/receipts/",
        "a screenshot and a JSON record of every state read after a reload (`linkedin-optout receipts`)",
    ),
    (
        "~/.local/state/linkedin-optout/cron.log",
        "the output of the runs that `schedule install` puts in the crontab",
    ),
];

/// The environment variables the tool reads.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "LINKEDIN_OPTOUT_BASE_URL",
        "where LinkedIn is, as --base-url",
    ),
    (
        "LINKEDIN_OPTOUT_WEBDRIVER",
        "a running WebDriver server, as --webdriver",
    ),
    ("LINKEDIN_OPTOUT_CONFIG", "the config file, as --config"),
    (
        "LINKEDIN_OPTOUT_DRIVER_LOCATIONS",
        "driver files to try after PATH, separated by `:` (empty: none), for tests and unusual installs",
    ),
    (
        "LINKEDIN_OPTOUT_RUN_BOUND",
        "one account's page flow may take this many seconds in all instead of 12 × (--timeout + 5), for tests",
    ),
    (
        "CREDENTIALS_DIRECTORY",
        "a systemd credential `linkedin-optout` in it holds the password (LoadCredential=)",
    ),
    (
        "DBUS_SESSION_BUS_ADDRESS",
        "the session bus that reaches the keyring; without it, $XDG_RUNTIME_DIR/bus is used",
    ),
    ("RUST_LOG", "log filter, overriding -v"),
];

pub fn exec(output: &Output) -> Result<u8, Error> {
    let page = render().map_err(|err| Error::Other(err.into()))?;
    output.print(&Document::new("man", page));
    Ok(exit::OFF)
}

/// The whole page as roff text.
pub fn render() -> std::io::Result<String> {
    let man = clap_mangen::Man::new(Cli::command());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    let codes: Vec<(String, &str)> = exit::MEANINGS
        .iter()
        .map(|(code, meaning)| (code.to_string(), *meaning))
        .collect();
    section(
        &mut page,
        "EXIT STATUS",
        codes.iter().map(|(c, m)| (c.as_str(), *m)),
    )?;
    section(&mut page, "FILES", FILES.iter().copied())?;
    section(&mut page, "ENVIRONMENT", ENVIRONMENT.iter().copied())?;
    man.render_version_section(&mut page)?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// A section of tagged paragraphs: the term in bold, its meaning below.
fn section<'a>(
    out: &mut Vec<u8>,
    title: &str,
    entries: impl Iterator<Item = (&'a str, &'a str)>,
) -> std::io::Result<()> {
    let mut roff = Roff::new();
    roff.control("SH", [title]);
    for (term, meaning) in entries {
        roff.control("TP", []);
        roff.text([bold(term)]);
        roff.text([roman(meaning)]);
    }
    roff.to_writer(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_every_exit_code_file_and_variable() {
        let page = render().unwrap();
        for heading in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
            assert!(page.contains(heading), "{heading}");
        }
        for heading in [".SH \"EXIT STATUS\"", ".SH FILES", ".SH ENVIRONMENT"] {
            assert!(page.contains(heading), "{heading}");
        }
        for (code, _) in exit::MEANINGS {
            assert!(
                page.contains(&format!("\\fB{code}\\fR")),
                "exit code {code}"
            );
        }
        assert!(page.contains("LINKEDIN_OPTOUT_WEBDRIVER"));
        assert!(page.contains("history.jsonl"));
    }
}
