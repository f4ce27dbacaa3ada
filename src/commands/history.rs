//! `history` (being written).

use crate::config::Settings;
use crate::error::Error;

pub async fn exec(_settings: &Settings) -> Result<u8, Error> {
    Err(Error::Usage("not wired yet".into()))
}
