//! `credentials set|check|remove`: an account's password (and TOTP secret and browser
//! session) in the OS keyring; `check` looks at a credentials file instead when one is in
//! effect, since that is where a run would read the password.
//!
//! Secrets are read only from a terminal without echo or from standard input, never from
//! the command line, and never printed. `set` also records the account in the config file,
//! because a keyring cannot be listed.

use std::io::{BufRead, IsTerminal as _};

use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;

use crate::cli::{CredentialsCommand, CredentialsRemoveArgs, CredentialsSetArgs};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::ops;
use crate::ops::credentials::{Checked, Removed, Stored};
use crate::output::{Line, Output, Printed, json_sorted};
use crate::secrets::{KEYRING_SERVICE, SecretSource};

pub async fn exec(settings: &Settings, command: CredentialsCommand) -> Result<u8, Error> {
    let output = Output::for_settings(settings);
    match command {
        CredentialsCommand::Set(args) => {
            let account = settings.single_account()?.email.as_str();
            let (password, totp_secret) = read_secrets(account, &args)?;
            let stored = ops::credentials::set(settings, &password, totp_secret.as_ref()).await?;
            output.print(&stored);
        }
        CredentialsCommand::Check => {
            let mut checked = ops::credentials::check(settings).await?;
            output.print(&checked);
            if let Some(failure) = checked.failure.take() {
                return Err(failure);
            }
        }
        CredentialsCommand::Remove(args) => {
            let forget = args.forget || ask_to_forget(settings, &args)?;
            output.print(&ops::credentials::remove(settings, forget).await?);
        }
    }
    Ok(exit::OFF)
}

/// Success is no news: `--quiet` prints nothing.
impl Printed for Stored {
    fn json_lines(&self) -> Vec<String> {
        vec![json_sorted(self)]
    }

    fn human(&self) -> Vec<Line> {
        let what = if self.totp_secret {
            "the password and TOTP secret"
        } else {
            "the password"
        };
        let config_note = if self.added_to_config {
            format!(" and added the account to {}", self.config.display())
        } else {
            String::new()
        };
        vec![Line::Out(format!(
            "stored {what} for {} in the OS keyring (service `{KEYRING_SERVICE}`){config_note}",
            self.account
        ))]
    }

    fn is_news(&self) -> bool {
        false
    }
}

/// An unusable source says so only as the command's error (and in `--json`); a usable one is
/// no news.
impl Printed for Checked {
    fn json_lines(&self) -> Vec<String> {
        vec![json_sorted(self)]
    }

    fn human(&self) -> Vec<Line> {
        let account = &self.account;
        if !self.usable {
            return Vec::new();
        }
        let line = match &self.source {
            SecretSource::Keyring => {
                let holds = |present: Option<bool>, what: &str| {
                    if present == Some(true) {
                        format!("a {what}")
                    } else {
                        format!("no {what}")
                    }
                };
                format!(
                    "{account}: the OS keyring (service `{KEYRING_SERVICE}`) is reachable and holds {}, {} and {}",
                    holds(self.password, "password"),
                    holds(self.totp_secret, "TOTP secret"),
                    holds(self.session, "browser session"),
                )
            }
            source => {
                let totp = if self.totp_secret == Some(true) {
                    "a password and a TOTP secret"
                } else {
                    "a password and no TOTP secret"
                };
                format!("{account}: the {source} holds {totp}")
            }
        };
        vec![Line::Out(line)]
    }

    fn is_news(&self) -> bool {
        !self.usable
    }
}

/// On a terminal, without `--forget`, asks whether to take the account out of the config
/// file too (only when the file names it). Elsewhere the answer is no: a script says
/// `--forget` when it means it.
fn ask_to_forget(settings: &Settings, args: &CredentialsRemoveArgs) -> Result<bool, Error> {
    if args.forget || !std::io::stdin().is_terminal() || !ops::credentials::in_config(settings)? {
        return Ok(false);
    }
    let account = &settings.single_account()?.email;
    eprint!(
        "Also take {account} out of {}, so that no run acts on it any more? [y/N] ",
        settings.config_path.display()
    );
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|err| Error::Usage(format!("cannot read the answer: {err}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

/// Success is no news; an account left in the config file is, since every run will stop
/// for it: a note that says so and how to take it out.
impl Printed for Removed {
    fn json_lines(&self) -> Vec<String> {
        vec![json_sorted(self)]
    }

    fn human(&self) -> Vec<Line> {
        let account = &self.account;
        let removed: Vec<&str> = [
            (self.deleted.password, "password"),
            (self.deleted.totp_secret, "TOTP secret"),
            (self.deleted.session, "browser session"),
        ]
        .into_iter()
        .filter_map(|(present, what)| present.then_some(what))
        .collect();
        let mut lines = vec![Line::Out(if removed.is_empty() {
            format!("nothing was stored for {account}: nothing to remove")
        } else {
            format!("removed the {} of {account}", join(&removed))
        })];
        let config = self.config.display();
        if self.named_by_schedule {
            lines.push(Line::Note(format!(
                "warning: the schedule installed for {config} names `--account {account}`, so it still acts on {account}: `linkedin-optout schedule remove`, or `schedule install` again without it"
            )));
        }
        if self.forgotten {
            lines.push(Line::Out(format!("took {account} out of {config}")));
        } else if self.in_config {
            lines.push(Line::Note(format!(
                "warning: {account} stays in {config}, so every run (a scheduled one too) stops for it with exit 5: `linkedin-optout credentials remove --forget --account {account}` takes it out"
            )));
        }
        lines
    }

    fn is_news(&self) -> bool {
        false
    }
}

/// The password (prompted on a terminal, or the first line of stdin) and, when asked for,
/// the TOTP secret (the next line of stdin).
fn read_secrets(
    account: &str,
    args: &CredentialsSetArgs,
) -> Result<(SecretString, Option<SecretString>), Error> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let password = if args.password_stdin {
        read_line(&mut lines, "password")?
    } else if std::io::stdin().is_terminal() {
        let typed = Zeroizing::new(
            rpassword::prompt_password(format!("LinkedIn password for {account}: "))
                .map_err(|err| Error::Usage(format!("cannot read the password: {err}")))?,
        );
        non_empty(typed.as_str(), "password")?
    } else {
        return Err(Error::Usage(
            "standard input is not a terminal, so the password cannot be prompted for: pipe it in with `--password-stdin`".into(),
        ));
    };
    let totp_secret = if args.totp_secret_stdin {
        Some(read_line(&mut lines, "TOTP secret")?)
    } else {
        None
    };
    Ok((password, totp_secret))
}

/// One line of standard input without its line ending; everything else is kept as typed.
fn read_line(input: &mut impl BufRead, what: &str) -> Result<SecretString, Error> {
    let mut line = Zeroizing::new(String::new());
    input.read_line(&mut line).map_err(|err| {
        Error::Usage(format!("cannot read the {what} from standard input: {err}"))
    })?;
    let text = line.strip_suffix('\n').unwrap_or(&line);
    let text = text.strip_suffix('\r').unwrap_or(text);
    non_empty(text, what)
}

fn non_empty(text: &str, what: &str) -> Result<SecretString, Error> {
    if text.is_empty() {
        return Err(Error::Usage(format!(
            "the {what} is empty: give it as one line on standard input, or type it at the prompt"
        )));
    }
    Ok(SecretString::from(text))
}

fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn a_line_loses_only_its_line_ending() {
        let mut input = " pass word \r\nJBSWY3DPEHPK3PXP\n".as_bytes();
        assert_eq!(
            read_line(&mut input, "password").unwrap().expose_secret(),
            " pass word "
        );
        assert_eq!(
            read_line(&mut input, "TOTP secret")
                .unwrap()
                .expose_secret(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(matches!(
            read_line(&mut input, "TOTP secret"),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(join(&["password"]), "password");
        assert_eq!(
            join(&["password", "TOTP secret", "browser session"]),
            "password, TOTP secret and browser session"
        );
    }
}
