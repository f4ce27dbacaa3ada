//! `login [--headed]`: sign in once, interactively when LinkedIn wants a person, and keep the
//! session so that later runs (cron, timers) do not sign in at all.

use crate::config::Settings;
use crate::error::{Error, exit};
use crate::ops;
use crate::ops::login::SignedIn;
use crate::output::{Line, Output, Printed, json_of};

pub async fn exec(settings: &Settings) -> Result<u8, Error> {
    let signed_in = ops::login::login(settings).await?;
    Output::for_settings(settings).print(&signed_in);
    Ok(exit::OFF)
}

impl Printed for SignedIn {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        vec![Line::Out(format!(
            "signed in as {}: the session is kept for the next runs",
            self.account
        ))]
    }
}
