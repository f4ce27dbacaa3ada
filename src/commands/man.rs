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
        "~/.local/state/linkedin-optout/seen/policy-links.json",
        "the privacy policy's links the policy watch has reported, and when it last checked (mode 0600)",
    ),
    (
        "~/.local/state/linkedin-optout/cron.log",
        "the output of the runs that `schedule install` puts in the crontab",
    ),
];

/// The environment variables the tool reads (a test compares them with the code's).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "LINKEDIN_OPTOUT_BASE_URL",
        "where LinkedIn is, as --base-url",
    ),
    (
        "LINKEDIN_OPTOUT_WEBDRIVER",
        "a running WebDriver server, as --webdriver",
    ),
    (
        "LINKEDIN_OPTOUT_INSECURE_WEBDRIVER",
        "true: allow a plain-http WebDriver server on a network, as --insecure-webdriver",
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
    (
        "XDG_RUNTIME_DIR",
        "where the session bus is looked for when DBUS_SESSION_BUS_ADDRESS is unset (as under cron)",
    ),
    (
        "HOME, XDG_CONFIG_HOME, XDG_STATE_HOME",
        "where the config file and the state directory are (see FILES)",
    ),
    ("PATH", "where the browser and its driver are looked for"),
    (
        "DISPLAY, WAYLAND_DISPLAY",
        "a display for a visible browser (--headed, objection --open); without either, those refuse to start",
    ),
    (
        "NO_COLOR",
        "set to anything but the empty string: no colours with --color auto (the default)",
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
    commands_section(&mut page)?;
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

/// Every subcommand, at every level, on this one page: its usage, what it does and its own
/// options (the global ones are under OPTIONS). The page names no other page of this tool.
fn commands_section(out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut root = Cli::command();
    root.build();
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for command in root.get_subcommands() {
        command_entry(&mut roff, command);
    }
    roff.to_writer(out)
}

/// One subcommand's entry, then its own subcommands'.
fn command_entry(roff: &mut Roff, command: &clap::Command) {
    if command.get_name() == "help" {
        return;
    }
    let usage = command.clone().render_usage().to_string();
    roff.control("SS", [usage.trim_start_matches("Usage:").trim()]);
    let about = command
        .get_long_about()
        .or(command.get_about())
        .map(ToString::to_string)
        .unwrap_or_default();
    let aliases: Vec<&str> = command.get_visible_aliases().collect();
    let about = if aliases.is_empty() {
        about
    } else {
        format!("{about} (alias: {})", aliases.join(", "))
    };
    roff.text([roman(about)]);
    for arg in command.get_arguments() {
        if arg.is_global_set() || arg.is_hide_set() || arg.get_id() == "help" {
            continue;
        }
        roff.control("TP", []);
        roff.text([bold(flag_of(arg))]);
        let help = arg
            .get_long_help()
            .or(arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_default();
        roff.text([roman(help)]);
    }
    for sub in command.get_subcommands() {
        command_entry(roff, sub);
    }
}

/// How an argument is typed: `--long <VALUE>`, `-s, --long`, or `<NAME>` for a positional.
fn flag_of(arg: &clap::Arg) -> String {
    let value = arg
        .get_value_names()
        .map(|names| {
            names
                .iter()
                .map(|name| format!("<{name}>"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()));
    if arg.is_positional() {
        return value;
    }
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("--{long}"));
    }
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values())
        && !matches!(
            arg.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse | clap::ArgAction::Count
        );
    if takes_value {
        format!("{} {value}", names.join(", "))
    } else {
        names.join(", ")
    }
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
        for heading in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH COMMANDS"] {
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

    /// Every subcommand, nested ones too, is on the page with its own options, and the page
    /// points to no other page of this tool (there is none).
    #[test]
    fn the_page_holds_every_subcommand_and_its_options() {
        let page = render().unwrap();
        for (usage, option) in [
            ("linkedin-optout credentials remove", "\\-\\-forget"),
            ("linkedin-optout credentials set", "\\-\\-password\\-stdin"),
            ("linkedin-optout schedule install", "\\-\\-every"),
            ("linkedin-optout optout", "\\-\\-dry\\-run"),
            ("linkedin-optout receipts export", "<DIR>"),
            ("linkedin-optout simulator", "\\-\\-listen"),
        ] {
            let (_, after) = page
                .split_once(&format!(".SS \"{usage}"))
                .unwrap_or_else(|| panic!("no section for {usage}"));
            let section = after.split(".SS").next().unwrap();
            assert!(
                section.contains(option),
                "{option} under {usage}:\n{section}"
            );
            assert!(
                !section.contains("\\fB\\-\\-account"),
                "a global option under {usage}"
            );
        }
        assert!(page.contains("(alias: delete)"));
        assert!(
            !page.contains("linkedin\\-optout\\-"),
            "a reference to another page"
        );
        assert!(!page.contains("(1)"), "a reference to another page");
    }

    /// ENVIRONMENT lists every variable the code reads: each name in a `var`/`var_os`
    /// call or clap's `env = …`, and every `LINKEDIN_OPTOUT_*` name in `src/`.
    #[test]
    fn the_environment_section_lists_every_variable_the_code_reads() {
        // Read by no release build, or never read from the tool's own environment.
        const NOT_FOR_MEMBERS: &[&str] = &[
            // Only debug builds read it, to force a panic in a test.
            "LINKEDIN_OPTOUT_TEST_PANIC",
            // Set on the driver the tool starts, read from other processes' environments.
            "LINKEDIN_OPTOUT_RUN_TOKEN",
        ];
        let listed: String = ENVIRONMENT
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ");
        let mut read = std::collections::BTreeSet::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "rs") {
                    continue;
                }
                let code = std::fs::read_to_string(&path).unwrap();
                for (start, _) in code.match_indices('"') {
                    let rest = &code[start + 1..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                        .collect();
                    if name.len() < 3 || name.ends_with('_') || !rest[name.len()..].starts_with('"')
                    {
                        continue;
                    }
                    let before = &code[..start];
                    let in_call = ["var(", "var_os(", "env = "]
                        .iter()
                        .any(|call| before.ends_with(call));
                    let constant = before.trim_end().ends_with("&str =")
                        && code.contains("var_os(")
                        && name.chars().any(|c| c == '_');
                    if in_call || constant || name.starts_with("LINKEDIN_OPTOUT_") {
                        read.insert(name);
                    }
                }
            }
        }
        assert!(
            read.contains("LINKEDIN_OPTOUT_INSECURE_WEBDRIVER"),
            "{read:?}"
        );
        assert!(read.contains("DBUS_SESSION_BUS_ADDRESS"), "{read:?}");
        for name in read {
            if NOT_FOR_MEMBERS.contains(&name.as_str()) {
                continue;
            }
            assert!(
                listed.split(", ").any(|listed| listed == name),
                "{name} is read but not in the man page's ENVIRONMENT"
            );
        }
    }
}
