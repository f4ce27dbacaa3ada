//! `schedule` (being written).

use crate::cli::ScheduleCommand;
use crate::config::Settings;
use crate::error::Error;

pub async fn exec(_settings: &Settings, _command: ScheduleCommand) -> Result<u8, Error> {
    Err(Error::Usage("not wired yet".into()))
}
