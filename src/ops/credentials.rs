//! `credentials set|check|remove`'s sequences: an account's password (and TOTP secret and
//! browser session) in the OS keyring; `check` looks at a credentials file instead when one
//! is in effect, since that is where a run would read the password. Secrets come in from
//! the command (a terminal or stdin) and never go out in a report.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Serialize;

use crate::config::{self, Settings};
use crate::error::Error;
use crate::secrets::{SecretError, SecretSource, validate_totp_secret};

/// `credentials set`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub account: String,
    pub source: SecretSource,
    /// Always true: a password that could not be stored fails the command.
    pub password: bool,
    pub totp_secret: bool,
    /// Whether the account was new to the config file.
    pub added_to_config: bool,
    #[serde(skip)]
    pub config: PathBuf,
}

/// `credentials check`'s report: what the source a run would read holds.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub account: String,
    pub source: SecretSource,
    pub usable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<bool>,
    /// Only a keyring keeps the session beside the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<bool>,
    /// Why the source cannot be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the command exits with after the report: the source is unusable or holds no
    /// password.
    #[serde(skip)]
    pub failure: Option<Error>,
}

/// `credentials remove`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    pub account: String,
    pub source: SecretSource,
    pub deleted: RemovedEntries,
    /// Whether the account was taken out of the config file (`--forget`, or yes to the
    /// question).
    pub forgotten: bool,
    /// Whether the config file still names the account: then every run acts on it, and
    /// stops with exit 5 until a password is stored again.
    pub in_config: bool,
    #[serde(skip)]
    pub config: PathBuf,
    /// The schedule installed for this config names the account itself (`--account`): it
    /// acts on it whatever the config file says.
    #[serde(skip)]
    pub named_by_schedule: bool,
}

/// Which of an account's entries were there and are gone.
#[derive(Debug, Clone, Serialize)]
pub struct RemovedEntries {
    pub password: bool,
    pub totp_secret: bool,
    pub session: bool,
}

/// Stores `password` (and `totp_secret`) for the one selected account in the keyring, and
/// records the account in the config file (a keyring cannot be listed).
pub async fn set(
    settings: &Settings,
    password: &SecretString,
    totp_secret: Option<&SecretString>,
) -> Result<Stored, Error> {
    let account = settings.single_account()?.email.as_str();
    // Checked before anything is written, so a bad secret leaves the keyring as it was.
    if let Some(secret) = totp_secret {
        validate_totp_secret(secret)?;
    }
    let chain = settings.secret_chain();
    let keyring = chain.keyring();
    keyring.set_password(account, password).await?;
    if let Some(secret) = totp_secret {
        keyring.set_totp(account, secret).await?;
    }
    let added_to_config = config::record_account(&settings.config_path, account)?;
    Ok(Stored {
        account: account.to_string(),
        source: SecretSource::Keyring,
        password: true,
        totp_secret: totp_secret.is_some(),
        added_to_config,
        config: settings.config_path.clone(),
    })
}

/// Checks the source a run would read the one selected account's password from: the
/// credentials file or systemd credential when one is in effect, else the keyring.
pub async fn check(settings: &Settings) -> Result<Checked, Error> {
    let account = settings.single_account()?.email.clone();
    let chain = settings.secret_chain();
    let source = chain.source();
    let checked = |usable, password, totp_secret, session, failure: Option<Error>| Checked {
        account: account.clone(),
        source: source.clone(),
        usable,
        password,
        totp_secret,
        session,
        error: failure
            .as_ref()
            .filter(|_| !usable)
            .map(|err| err.to_string()),
        failure,
    };
    let report = match source {
        SecretSource::Keyring => match chain.keyring().check(&account).await {
            Ok(status) => {
                let missing = (!status.has_password).then(|| {
                    Error::from(SecretError::Missing {
                        account: account.clone(),
                    })
                });
                checked(
                    true,
                    Some(status.has_password),
                    Some(status.has_totp),
                    Some(status.has_session),
                    missing,
                )
            }
            Err(err) => checked(false, None, None, None, Some(err.into())),
        },
        _ => match chain.credentials(&account).await {
            Ok(credentials) => checked(
                true,
                Some(true),
                Some(credentials.totp_secret.is_some()),
                None,
                None,
            ),
            Err(err) => checked(false, None, None, None, Some(err.into())),
        },
    };
    Ok(report)
}

/// Whether the config file names the one selected account (`credentials remove` asks
/// whether to take it out only then).
pub fn in_config(settings: &Settings) -> Result<bool, Error> {
    let account = settings.single_account()?.email.as_str();
    Ok(config::names_account(&settings.config_path, account))
}

/// Deletes the one selected account's password, TOTP secret and saved session, and with
/// `forget` takes the account out of the config file too.
pub async fn remove(settings: &Settings, forget: bool) -> Result<Removed, Error> {
    let account = settings.single_account()?.email.as_str();
    let chain = settings.secret_chain();
    let deleted = chain.keyring().delete(account).await?;
    let session_file = chain.forget_session_file(account)?;
    let forgotten = forget && config::forget_account(&settings.config_path, account)?;
    Ok(Removed {
        account: account.to_string(),
        source: SecretSource::Keyring,
        deleted: RemovedEntries {
            password: deleted.password,
            totp_secret: deleted.totp,
            session: deleted.session || session_file,
        },
        forgotten,
        in_config: config::names_account(&settings.config_path, account),
        config: settings.config_path.clone(),
        named_by_schedule: named_by_schedule(&settings.config_path, account),
    })
}

/// Whether the crontab line installed for `config_path` names `account` with `--account`
/// (a crontab that cannot be read names nobody).
fn named_by_schedule(config_path: &std::path::Path, account: &str) -> bool {
    let Ok(crontab) = crate::schedule::read_crontab() else {
        return false;
    };
    crate::schedule::find_line(&crontab, &crate::schedule::marker(config_path)).is_some_and(
        |line| {
            let words: Vec<&str> = line
                .split_whitespace()
                .map(|word| word.trim_matches(['\'', '"']))
                .collect();
            words.windows(2).any(|pair| {
                pair[0] == "--account" && crate::input::normal_email(pair[1]) == account
            })
        },
    )
}
