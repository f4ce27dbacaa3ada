//! Running the opt-out over the selected accounts: one browser session each (so no cookie
//! crosses accounts), up to `--parallel` at once, one report per account whatever happens.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::driver::{DriverPlace, Drivers};
use super::session::{self, PageOptions};
use crate::browser::WebDriver;
use crate::config::{AccountSettings, Settings};
use crate::error::Error;
use crate::linkedin::evidence::{self, Evidence};
use crate::linkedin::flow::{self, Access, Findings, Plan};
use crate::linkedin::outcome::{Outcome, SettingState};
use crate::progress::StepStyle;
use crate::report::{AccountReport, SETTING};
use crate::secrets::{Credentials, SecretChain};
use crate::state::cooldown;
use crate::state::history::{self, HistoryRecord};
use crate::state::receipts::{self, Verdict};

/// Where the accounts' passwords come from.
pub enum CredentialSource<'a> {
    /// The configured chain: credentials file, systemd credentials, OS keyring.
    Chain(&'a SecretChain),
    /// Known already (the demo's simulated account).
    Given(&'a Credentials),
}

/// Everything about a run that is the same for every account.
pub struct RunOptions {
    pub plan: Plan,
    /// Where cool-downs are recorded.
    pub state_dir: PathBuf,
    /// Each account's browser session and page.
    pub page: PageOptions,
    pub webdriver: Option<Url>,
    pub browser_args: Vec<String>,
    pub parallel: usize,
    pub style: StepStyle,
    /// Keep a receipt of every state read, and this many besides those of a change (in
    /// `<state_dir>/receipts`); `None` keeps none (the demo's made-up account).
    pub receipts_keep: Option<usize>,
}

impl RunOptions {
    pub fn new(settings: &Settings, plan: Plan) -> RunOptions {
        RunOptions {
            plan,
            state_dir: settings.state_dir.clone(),
            page: PageOptions::for_settings(settings),
            webdriver: settings.webdriver.clone(),
            browser_args: settings.browser_args.clone(),
            parallel: settings.parallel,
            style: StepStyle::for_run(settings.quiet),
            receipts_keep: Some(settings.receipts_keep),
        }
    }
}

/// Runs every account and returns their reports in the order given.
pub async fn run_accounts(
    accounts: &[AccountSettings],
    options: &RunOptions,
    source: CredentialSource<'_>,
    cancel: &CancellationToken,
) -> Vec<AccountReport> {
    let place = DriverPlace {
        webdriver: options.webdriver.as_ref(),
        browser_args: &options.browser_args,
        state_dir: Some(&options.state_dir),
    };
    let drivers = Drivers::start(place, accounts.iter().map(|account| account.browser)).await;
    let source = &source;
    let drivers_ref = &drivers;
    let reports = futures_util::stream::iter(accounts)
        .map(|account| async move {
            let started = Instant::now();
            let mut findings = Findings::default();
            let mut evidence = None;
            let result = match drivers_ref.get(account.browser) {
                Ok(driver) => {
                    let found = (&mut findings, &mut evidence);
                    run_one(driver, account, options, source, cancel, found).await
                }
                Err(err) => Err(err),
            };
            let mut report = report(account, result, findings, started.elapsed());
            if let Some(keep) = options.receipts_keep {
                report.receipt = keep_receipt(&options.state_dir, &report, evidence, keep);
            }
            report
        })
        .buffered(options.parallel.max(1))
        .collect::<Vec<_>>()
        .await;
    drivers.stop();
    reports
}

async fn run_one(
    driver: &WebDriver,
    account: &AccountSettings,
    options: &RunOptions,
    source: &CredentialSource<'_>,
    cancel: &CancellationToken,
    (findings, evidence): (&mut Findings, &mut Option<Evidence>),
) -> Result<Outcome, Error> {
    let steps = options.style.steps(&account.email);
    let looked_up;
    let (credentials, saved_session, chain) = match source {
        CredentialSource::Chain(chain) => {
            looked_up = chain.credentials(&account.email).await?;
            let saved = match chain.session(&account.email).await {
                Ok(saved) => saved,
                Err(err) => {
                    tracing::warn!("cannot read the saved session, signing in instead: {err}");
                    None
                }
            };
            (&looked_up, saved, Some(*chain))
        }
        CredentialSource::Given(credentials) => (*credentials, None, None),
    };
    let access = Access {
        credentials,
        saved_session: saved_session.as_ref(),
        cool_down_until: cooldown::until(&options.state_dir, &account.email),
    };
    // A stop until the running cool-down's end is the cool-down's: say where it is kept.
    let cool_down_until = access.cool_down_until;
    let is_cool_down = move |retry_at: &jiff::Timestamp| Some(*retry_at) == cool_down_until;
    let with_note = |err: Error| match err {
        Error::Throttled {
            account: email,
            mut why,
            retry_at,
        } if is_cool_down(&retry_at) => {
            why.push_str(&cooldown::note(&options.state_dir, &account.email));
            Error::Throttled {
                account: email,
                why,
                retry_at,
            }
        }
        other => other,
    };
    // Without a saved session the run would have to sign in: do not even start a browser.
    if let (None, Some(cooling_down)) = (access.saved_session, access.cooling_down()) {
        return Err(with_note(cooling_down));
    }
    let mut result = session::with_page(driver, account, &options.page, cancel, async |page| {
        // Debug builds only (the tests' binary): a panic on demand, inside an open session,
        // for the test that a bug still closes the browser and ends as exit 1, never 101.
        #[cfg(debug_assertions)]
        if std::env::var_os("LINKEDIN_OPTOUT_TEST_PANIC").is_some() {
            panic!("LINKEDIN_OPTOUT_TEST_PANIC is set");
        }
        let bound = crate::run_bound::bound(options.page.timeout);
        let flow = flow::run(page, &access, options.plan, &steps, findings);
        let outcome = match crate::run_bound::within(bound, flow).await {
            Ok(outcome) => outcome,
            // Every step is bounded on its own; this catches a site that keeps each one
            // busy until just before its deadline. The session still closes.
            Err(reached) => match reached.error(&steps.current(), account.base_url.as_str()) {
                // A page not understood names where it was, with what the browser saw.
                Error::PageNotUnderstood { what, .. } => Err(page.not_understood(what).await),
                other => Err(other),
            },
        };
        // The page still shows what was just read from a fresh load: the receipt's proof.
        if options.receipts_keep.is_some()
            && matches!(
                findings.after,
                SettingState::On | SettingState::Off | SettingState::NotOffered
            )
        {
            match evidence::capture(page, findings.after).await {
                Ok(taken) => *evidence = Some(taken),
                Err(err) => tracing::warn!("cannot take the receipt's screenshot: {err}"),
            }
        }
        // A save that did not stick is a page to look at, like one not understood.
        let outcome = match outcome {
            Err(Error::DidNotStick {
                detail,
                artifacts: None,
            }) => Err(Error::DidNotStick {
                detail,
                artifacts: page.save_artifacts().await,
            }),
            outcome => outcome,
        };
        // Keep a fresh sign-in's session, even when the run failed after it.
        if let (true, Some(chain)) = (findings.signed_in, chain) {
            match session::keep(page, chain, &account.email).await {
                Ok(()) => {}
                Err(Error::Secrets(crate::secrets::SecretError::SessionNotSaved {
                    path,
                    detail,
                })) => {
                    crate::state::warn_not_kept(
                        &path,
                        "the browser session for the next run",
                        &detail,
                    );
                }
                Err(Error::Secrets(err)) => {
                    tracing::warn!("cannot keep the session for the next run: {err}")
                }
                Err(err) => tracing::warn!("cannot read the session cookies: {err}"),
            }
        }
        outcome
    })
    .await;
    match &mut result {
        Err(Error::Throttled { retry_at, .. }) if !is_cool_down(retry_at) => {
            cooldown::record(&options.state_dir, &account.email, *retry_at);
        }
        Err(Error::BrowserDied { step, .. }) => *step = steps.current(),
        _ => {}
    }
    result.map_err(with_note)
}

/// Writes the receipt of `evidence` (when the run read the setting) and applies retention
/// to the account's receipts; returns the receipt's `.json`. A receipt that cannot be
/// written is a warning, never a failed run.
fn keep_receipt(
    state_dir: &std::path::Path,
    report: &AccountReport,
    evidence: Option<Evidence>,
    keep: usize,
) -> Option<PathBuf> {
    let written = evidence.and_then(|evidence| {
        let verdict = Verdict {
            account: &report.account,
            setting: &report.setting,
            outcome: report.outcome,
            drift: is_drift(state_dir, report),
        };
        receipts::write(state_dir, &verdict, &evidence)
            .inspect_err(|err| {
                crate::state::warn_not_kept(
                    &receipts::root(state_dir),
                    "the receipt of this run",
                    &format!("{err:#}"),
                );
            })
            .ok()
    });
    if let Err(err) = receipts::prune(state_dir, &report.account, keep) {
        tracing::warn!("cannot remove old receipts: {err:#}");
    }
    written
}

/// Whether `report` is drift by the history's own definition (`history::mark_drift`).
fn is_drift(state_dir: &std::path::Path, report: &AccountReport) -> bool {
    let mut records = history::read(state_dir).unwrap_or_default();
    records.retain(|record| record.account == report.account);
    records.push(HistoryRecord::new(report, jiff::Timestamp::now()));
    history::mark_drift(records)
        .last()
        .is_some_and(|marked| marked.drift)
}

fn report(
    account: &AccountSettings,
    result: Result<Outcome, Error>,
    findings: Findings,
    elapsed: Duration,
) -> AccountReport {
    let (outcome, exit_code, message) = match result {
        Ok(outcome) => (outcome, outcome.exit_code(), success_message(outcome)),
        Err(err) => (
            Outcome::from(&err),
            err.exit_code(),
            crate::error::chain(&err),
        ),
    };
    AccountReport {
        account: account.email.clone(),
        setting: SETTING.to_string(),
        before: findings.before,
        after: findings.after,
        outcome,
        changed: findings.changed,
        message,
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        exit_code,
        receipt: None,
    }
}

fn success_message(outcome: Outcome) -> String {
    match outcome {
        Outcome::OptedOut => "switched off (it was on), and read off again after a reload",
        Outcome::AlreadyOff => "off; nothing changed",
        Outcome::WouldOptOut => {
            "ON: `linkedin-optout optout` switches it off (dry run: nothing changed)"
        }
        Outcome::NotOffered => {
            "LinkedIn does not offer this setting to this account: nothing to switch off"
        }
        _ => "done",
    }
    .to_string()
}

/// The process exit code for several accounts: the highest.
pub fn exit_code(reports: &[AccountReport]) -> u8 {
    reports.iter().map(|r| r.exit_code).max().unwrap_or(0)
}
