//! `credentials set|check|delete`: the account's password in the OS keyring (being written).

use crate::cli::CredentialsCommand;
use crate::config::Settings;
use crate::error::Error;

pub async fn exec(_settings: &Settings, _command: CredentialsCommand) -> Result<u8, Error> {
    Err(Error::Usage("not wired yet".into()))
}
