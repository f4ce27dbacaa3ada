//! `optout [--dry-run] [--walk]`: switch the setting off for each selected account and
//! verify it after a reload; with `--dry-run`, only report it. Every run is recorded in the
//! history, and the notify command hears of anything worth knowing.

use std::time::Duration;

use crate::cli::OptoutArgs;
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::flow::{Mode, Plan};
use crate::notify;
use crate::report::Output;
use crate::run::{self, CredentialSource, RunOptions};
use crate::state::{self, history, lock::RunLock};

/// How long the notify command may take before it is stopped.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(60);

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
    // An unwritable state directory costs this run its history and lock, never its job.
    let state_writable = state::check_writable(&settings.state_dir);
    // Held until this function returns, on every path; the OS frees it if we die.
    let _lock = match RunLock::acquire(&settings.state_dir, &settings.config_path) {
        Ok(lock) => Some(lock),
        // Already said, once: the state directory cannot be written.
        Err(Error::Other(_)) if !state_writable => None,
        Err(err) => return Err(err),
    };
    let secrets = settings.secret_chain();
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
    if let Err(err) = history::append(&settings.state_dir, &reports) {
        state::warn_not_kept(
            &history::path(&settings.state_dir),
            "this run's history",
            &format!("{err:#}"),
        );
    }
    if let Some(command) = &settings.notify_command {
        notify::notify(command, &reports, NOTIFY_TIMEOUT).await;
    }
    Ok(run::exit_code(&reports))
}
