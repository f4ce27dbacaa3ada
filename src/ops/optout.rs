//! The opt-out (or its dry run) over the selected accounts, as a command runs it: one run at
//! a time per config, the accounts' flows, then the history and the notify command.

use super::run::{self, CredentialSource, RunOptions};
use crate::config::Settings;
use crate::error::Error;
use crate::linkedin::flow::Plan;
use crate::notify;
use crate::report::AccountReport;
use crate::state::{self, history, lock::RunLock};

/// A finished run of the selected accounts, still holding the config's run lock until it is
/// recorded.
pub struct Finished {
    /// One report per account, in the order selected.
    pub reports: Vec<AccountReport>,
    _lock: Option<RunLock>,
}

impl Finished {
    /// The process exit code: the highest of the accounts'.
    pub fn exit_code(&self) -> u8 {
        run::exit_code(&self.reports)
    }

    /// Appends the run to the history and tells the notify command (when there is one and
    /// something to tell); then releases the run lock.
    pub async fn record(self, settings: &Settings) {
        if let Err(err) = history::append(&settings.state_dir, &self.reports) {
            state::warn_not_kept(
                &history::path(&settings.state_dir),
                "this run's history",
                &format!("{err:#}"),
            );
        }
        if let Some(command) = &settings.notify_command {
            notify::notify(command, &self.reports, &settings.alerts).await;
        }
    }
}

/// Runs `plan` for every selected account, each in its own browser session.
pub async fn run(settings: &Settings, plan: Plan) -> Result<Finished, Error> {
    let accounts = settings.require_accounts()?;
    // An unwritable state directory costs this run its history and lock, never its job.
    let state_writable = state::check_writable(&settings.state_dir);
    // Held until the run is recorded, on every path; the OS frees it if we die.
    let lock = match RunLock::acquire(&settings.state_dir, &settings.config_path) {
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
    Ok(Finished {
        reports,
        _lock: lock,
    })
}
