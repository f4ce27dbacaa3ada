//! `optout [--dry-run] [--walk]`: switch the setting off for each selected account and
//! verify it after a reload; with `--dry-run`, only report it.

use crate::cli::OptoutArgs;
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::flow::{Mode, Plan};
use crate::report::Output;
use crate::run::{self, CredentialSource, RunOptions};
use crate::secrets::SecretChain;

pub async fn exec(settings: &Settings, args: &OptoutArgs) -> Result<u8, Error> {
    let plan = Plan {
        mode: if args.dry_run {
            Mode::DryRun
        } else {
            Mode::OptOut
        },
        walk: args.walk.walk,
    };
    let accounts = settings.require_accounts()?;
    let secrets = SecretChain::from_settings(settings);
    let cancel = crate::browser::shutdown_on_signal();
    let options = RunOptions::new(settings, plan);
    let reports = run::run_accounts(
        accounts,
        &options,
        CredentialSource::Chain(&secrets),
        &cancel,
    )
    .await;
    let output = Output {
        json: settings.json,
        quiet: settings.quiet,
    };
    for report in &reports {
        report.print(output);
    }
    Ok(run::exit_code(&reports))
}
