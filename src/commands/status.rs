//! `status [--walk]`: the same as `optout --dry-run`.

use crate::cli::{OptoutArgs, WalkArgs};
use crate::config::Settings;
use crate::error::Error;

pub async fn exec(settings: &Settings, args: WalkArgs) -> Result<u8, Error> {
    let args = OptoutArgs {
        dry_run: true,
        walk: args,
        watch_policy: false,
    };
    super::optout::exec(settings, &args).await
}
