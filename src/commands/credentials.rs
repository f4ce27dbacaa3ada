//! `credentials set|check|delete`: an account's password (and TOTP secret and browser
//! session) in the OS keyring; `check` looks at a credentials file instead when one is in
//! effect, since that is where a run would read the password.
//!
//! Secrets are read only from a terminal without echo or from standard input, never from
//! the command line, and never printed. `set` also records the account in the config file,
//! because a keyring cannot be listed.

use std::io::{BufRead, IsTerminal as _};

use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;
use serde_json::json;

use crate::cli::{CredentialsCommand, CredentialsSetArgs};
use crate::config::{self, Settings};
use crate::error::{Error, exit};
use crate::secrets::{
    Credentials, KEYRING_SERVICE, KeyringStatus, SecretChain, SecretError, SecretSource,
    validate_totp_secret,
};

pub async fn exec(settings: &Settings, command: CredentialsCommand) -> Result<u8, Error> {
    let account = settings.single_account()?.email.as_str();
    let chain = settings.secret_chain();
    match command {
        CredentialsCommand::Set(args) => set(settings, &chain, account, &args).await,
        CredentialsCommand::Check => check(settings, &chain, account).await,
        CredentialsCommand::Delete => delete(settings, &chain, account).await,
    }
}

async fn set(
    settings: &Settings,
    chain: &SecretChain,
    account: &str,
    args: &CredentialsSetArgs,
) -> Result<u8, Error> {
    let (password, totp_secret) = read_secrets(account, args)?;
    // Checked before anything is written, so a bad secret leaves the keyring as it was.
    if let Some(secret) = &totp_secret {
        validate_totp_secret(secret)?;
    }
    let keyring = chain.keyring();
    keyring.set_password(account, &password).await?;
    if let Some(secret) = &totp_secret {
        keyring.set_totp(account, secret).await?;
    }
    let recorded = config::record_account(&settings.config_path, account)?;
    if settings.json {
        println!(
            "{}",
            json!({
                "account": account,
                "source": SecretSource::Keyring,
                "password": true,
                "totp_secret": totp_secret.is_some(),
                "added_to_config": recorded,
            })
        );
    } else if !settings.quiet {
        let what = if totp_secret.is_some() {
            "the password and TOTP secret"
        } else {
            "the password"
        };
        let config_note = if recorded {
            format!(
                " and added the account to {}",
                settings.config_path.display()
            )
        } else {
            String::new()
        };
        println!(
            "stored {what} for {account} in the OS keyring (service `{KEYRING_SERVICE}`){config_note}"
        );
    }
    Ok(exit::OFF)
}

/// Checks the source a run would read the password from: the credentials file or systemd
/// credential when one is in effect, else the keyring.
async fn check(settings: &Settings, chain: &SecretChain, account: &str) -> Result<u8, Error> {
    let source = chain.source();
    let checked = match source {
        SecretSource::Keyring => chain.keyring().check(account).await.map(Checked::Keyring),
        _ => chain.credentials(account).await.map(Checked::File),
    };
    let status = match checked {
        Ok(Checked::Keyring(status)) => status,
        Ok(Checked::File(credentials)) => {
            if settings.json {
                println!(
                    "{}",
                    json!({
                        "account": account,
                        "source": &source,
                        "usable": true,
                        "password": true,
                        "totp_secret": credentials.totp_secret.is_some(),
                    })
                );
            } else if !settings.quiet {
                let totp = if credentials.totp_secret.is_some() {
                    "a password and a TOTP secret"
                } else {
                    "a password and no TOTP secret"
                };
                println!("{account}: the {source} holds {totp}");
            }
            return Ok(exit::OFF);
        }
        Err(err) => {
            if settings.json {
                println!(
                    "{}",
                    json!({
                        "account": account,
                        "source": &source,
                        "usable": false,
                        "error": err.to_string(),
                    })
                );
            }
            return Err(err.into());
        }
    };
    if settings.json {
        println!(
            "{}",
            json!({
                "account": account,
                "source": &source,
                "usable": true,
                "password": status.has_password,
                "totp_secret": status.has_totp,
                "session": status.has_session,
            })
        );
    } else if !settings.quiet {
        let holds = |present: bool, what: &str| {
            if present {
                format!("a {what}")
            } else {
                format!("no {what}")
            }
        };
        println!(
            "{account}: the OS keyring (service `{KEYRING_SERVICE}`) is reachable and holds {}, {} and {}",
            holds(status.has_password, "password"),
            holds(status.has_totp, "TOTP secret"),
            holds(status.has_session, "browser session"),
        );
    }
    if !status.has_password {
        return Err(SecretError::Missing {
            account: account.to_string(),
        }
        .into());
    }
    Ok(exit::OFF)
}

enum Checked {
    Keyring(KeyringStatus),
    File(Credentials),
}

async fn delete(settings: &Settings, chain: &SecretChain, account: &str) -> Result<u8, Error> {
    let deleted = chain.keyring().delete(account).await?;
    let session_file = chain.forget_session_file(account)?;
    let session = deleted.session || session_file;
    if settings.json {
        println!(
            "{}",
            json!({
                "account": account,
                "source": SecretSource::Keyring,
                "deleted": {
                    "password": deleted.password,
                    "totp_secret": deleted.totp,
                    "session": session,
                },
            })
        );
    } else if !settings.quiet {
        let removed: Vec<&str> = [
            (deleted.password, "password"),
            (deleted.totp, "TOTP secret"),
            (session, "browser session"),
        ]
        .into_iter()
        .filter_map(|(present, what)| present.then_some(what))
        .collect();
        if removed.is_empty() {
            println!("nothing was stored for {account}: nothing to delete");
        } else {
            println!("deleted the {} of {account}", join(&removed));
        }
    }
    Ok(exit::OFF)
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
