//! `optout [--dry-run] [--walk]`: switch the setting off for each selected account and
//! verify it after a reload; with `--dry-run`, only report it. Every run is recorded in the
//! history, and the notify command hears of anything worth knowing. With `--watch-policy` (the
//! scheduled job), LinkedIn's privacy policy is also checked once a week.

use crate::cli::OptoutArgs;
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::flow::{Mode, Plan};
use crate::ops;
use crate::output::Output;

pub async fn exec(settings: &Settings, args: &OptoutArgs) -> Result<u8, Error> {
    let plan = Plan {
        mode: if args.dry_run {
            Mode::DryRun
        } else {
            Mode::OptOut
        },
        walk: args.walk.walk,
    };
    let finished = ops::optout::run(settings, plan).await?;
    let output = Output::for_settings(settings);
    for report in &finished.reports {
        output.print(report);
    }
    let code = finished.exit_code();
    finished.record(settings).await;
    // The weekly policy watch of the scheduled job: told, never part of the exit code.
    if args.watch_policy
        && let Some(checked) = ops::policy::check_when_due(settings).await
    {
        output.print(&super::policy::InRun(super::policy::Told {
            check: &checked,
            seen_file: ops::policy::seen_file(settings),
        }));
    }
    Ok(code)
}
