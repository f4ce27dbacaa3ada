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
use crate::linkedin::flow::{self, Access, Findings, Mode, Plan};
use crate::linkedin::outcome::{Outcome, SettingState};
use crate::linkedin::page::Page;
use crate::progress::StepStyle;
use crate::report::AccountReport;
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

/// Runs every account and returns their reports in the order given: one per account and
/// chosen switch, in the order chosen.
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
            let mut runs = Vec::new();
            let stopped = match drivers_ref.get(account.browser) {
                Ok(driver) => run_one(driver, account, options, source, cancel, &mut runs).await,
                Err(err) => Err(err),
            };
            let mut reports = reports_of(account, runs, stopped);
            // The demo's made-up account has no past and keeps no receipt.
            if let Some(keep) = options.receipts_keep {
                let history = account_history(&options.state_dir, &account.email);
                for (report, _) in &mut reports {
                    judge(&history, report, options.plan.mode);
                }
                keep_receipts(&options.state_dir, &account.email, &mut reports, keep);
            }
            reports
                .into_iter()
                .map(|(report, _)| report)
                .collect::<Vec<_>>()
        })
        .buffered(options.parallel.max(1))
        .collect::<Vec<_>>()
        .await;
    drivers.stop();
    reports.into_iter().flatten().collect()
}

/// One chosen switch's run within its account's browser session.
struct SwitchRun {
    switch: String,
    result: Result<Outcome, Error>,
    findings: Findings,
    /// What the page showed after the last fresh load, for the receipt.
    evidence: Option<Evidence>,
    elapsed: Duration,
}

impl SwitchRun {
    /// Whether the account's other switches are still worth reaching after this one: it got
    /// in, and what went wrong concerns this switch's page alone (not understood, not
    /// offered, a save that did not stick). A failure to get in, a browser or a network that
    /// failed, or LinkedIn asking for a person would fail every switch the same way, and
    /// would only sign in again and again.
    fn lets_others_go_on(&self) -> bool {
        match &self.result {
            Ok(_) => true,
            Err(err) => {
                self.findings.entered
                    && matches!(
                        err,
                        Error::PageNotUnderstood { .. }
                            | Error::TimedOut { .. }
                            | Error::NotOffered { .. }
                            | Error::DidNotStick { .. }
                            | Error::PageCommand(_)
                    )
            }
        }
    }
}

/// Runs `account`'s chosen switches in turn in one browser session, signed in once, each
/// read (and verified) by its own page load; each switch's run goes into `runs` as it ends.
/// `Err` is what stopped the account before every switch had its run.
async fn run_one(
    driver: &WebDriver,
    account: &AccountSettings,
    options: &RunOptions,
    source: &CredentialSource<'_>,
    cancel: &CancellationToken,
    runs: &mut Vec<SwitchRun>,
) -> Result<(), Error> {
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
        signed_in_already: false,
        page_loaded: false,
    };
    // A stop until the running cool-down's end is the cool-down's: say where it is kept. A
    // new throttling starts a cool-down; a dying browser is named with the step it was in.
    let cool_down_until = access.cool_down_until;
    let finish = |err: &mut Error| match err {
        Error::Throttled { why, retry_at, .. } if Some(*retry_at) == cool_down_until => {
            why.push_str(&cooldown::note(&options.state_dir, &account.email));
        }
        Error::Throttled { retry_at, .. } => {
            cooldown::record(&options.state_dir, &account.email, *retry_at);
        }
        Error::BrowserDied { step, .. } => *step = steps.current(),
        _ => {}
    };
    // Without a saved session the run would have to sign in: do not even start a browser.
    if let (None, Some(mut cooling_down)) = (access.saved_session, access.cooling_down()) {
        finish(&mut cooling_down);
        return Err(cooling_down);
    }
    let session_runs = &mut *runs;
    let mut result = session::with_page(driver, account, &options.page, cancel, async |first| {
        // Debug builds only (the tests' binary): a panic on demand, inside an open session,
        // for the test that a bug still closes the browser and ends as exit 1, never 101.
        #[cfg(debug_assertions)]
        if std::env::var_os("LINKEDIN_OPTOUT_TEST_PANIC").is_some() {
            panic!("LINKEDIN_OPTOUT_TEST_PANIC is set");
        }
        let mut access = access;
        let mut signed_in = false;
        // The page the last switch's run left loaded, as fresh as a load.
        let mut loaded: Option<String> = None;
        for (index, switch) in account.switches.iter().enumerate() {
            steps.at_switch(index + 1, account.switches.len());
            access.page_loaded = loaded.as_deref() == Some(switch.page_path().as_str());
            let page = first.for_switch(switch);
            let mut run = run_switch(&page, &access, options, &steps).await;
            // A failed command may be the browser's or the driver's death: named as such, it
            // stops the account instead of failing every switch after it.
            if let Err(err) = run.result {
                run.result = Err(driver.who_died(first.client, account.browser, err).await);
            }
            signed_in |= run.findings.signed_in;
            access.signed_in_already |= run.findings.entered;
            loaded = matches!(
                run.result,
                Ok(Outcome::AlreadyOff | Outcome::OptedOut | Outcome::WouldOptOut)
            )
            .then(|| switch.page_path());
            let go_on = run.lets_others_go_on();
            session_runs.push(run);
            if !go_on {
                break;
            }
        }
        // Keep a fresh sign-in's session, even when the run failed after it.
        if let (true, Some(chain)) = (signed_in, chain) {
            keep_session(first, chain, &account.email).await;
        }
        Ok(())
    })
    .await;
    for run in runs.iter_mut() {
        if let Err(err) = &mut run.result {
            finish(err);
        }
    }
    if let Err(err) = &mut result {
        finish(err);
    }
    result
}

/// One switch's flow on `page`, within the whole run's bound, with its receipt's evidence
/// and, for a save that did not stick, what the browser saw.
async fn run_switch(
    page: &Page<'_>,
    access: &Access<'_>,
    options: &RunOptions,
    steps: &crate::progress::Steps,
) -> SwitchRun {
    let started = Instant::now();
    let mut findings = Findings::default();
    let bound = crate::run_bound::bound(options.page.timeout);
    let flow = flow::run(page, access, options.plan, steps, &mut findings);
    let outcome = match crate::run_bound::within(bound, flow).await {
        Ok(outcome) => outcome,
        // Every step is bounded on its own; this catches a site that keeps each one busy
        // until just before its deadline. The session still closes.
        Err(reached) => match reached.error(&steps.current(), page.base.as_str()) {
            // A page not understood names where it was, with what the browser saw.
            Error::PageNotUnderstood { what, .. } => Err(page.not_understood(what).await),
            other => Err(other),
        },
    };
    // The page still shows what was just read from a fresh load: the receipt's proof.
    let mut evidence = None;
    if options.receipts_keep.is_some()
        && matches!(
            findings.after,
            SettingState::On | SettingState::Off | SettingState::NotOffered
        )
    {
        match evidence::capture(page, findings.after).await {
            Ok(taken) => evidence = Some(taken),
            Err(err) => tracing::warn!("cannot take the receipt's screenshot: {err}"),
        }
    }
    // A save that did not stick is a page to look at, like one not understood.
    let result = match outcome {
        Err(Error::DidNotStick {
            detail,
            artifacts: None,
        }) => Err(Error::DidNotStick {
            detail,
            artifacts: page.save_artifacts().await,
        }),
        outcome => outcome,
    };
    SwitchRun {
        switch: page.switch.name.clone(),
        result,
        findings,
        evidence,
        elapsed: started.elapsed(),
    }
}

/// Keeps the page's signed-in session for the next run; a session that cannot be kept is a
/// warning, never a failed run.
async fn keep_session(page: &Page<'_>, chain: &SecretChain, email: &str) {
    match session::keep(page, chain, email).await {
        Ok(()) => {}
        Err(Error::Secrets(crate::secrets::SecretError::SessionNotSaved { path, detail })) => {
            crate::state::warn_not_kept(&path, "the browser session for the next run", &detail);
        }
        Err(Error::Secrets(err)) => {
            tracing::warn!("cannot keep the session for the next run: {err}")
        }
        Err(err) => tracing::warn!("cannot read the session cookies: {err}"),
    }
}

/// The account's reports, one per chosen switch in the order chosen, each with the evidence
/// for its receipt. A switch the run never reached reports what stopped the account: the
/// first of them in full, the others as not checked because of it.
fn reports_of(
    account: &AccountSettings,
    runs: Vec<SwitchRun>,
    stopped: Result<(), Error>,
) -> Vec<(AccountReport, Option<Evidence>)> {
    let mut reports: Vec<(AccountReport, Option<Evidence>)> = runs
        .into_iter()
        .map(|run| {
            let report = report(account, &run.switch, run.result, run.findings, run.elapsed);
            (report, run.evidence)
        })
        .collect();
    // What stopped the account around the switches' runs is the report of the first switch
    // it kept from running.
    if let (Err(err), Some(switch)) = (stopped, account.switches.get(reports.len())) {
        let stopped = report(
            account,
            &switch.name,
            Err(err),
            Findings::default(),
            Duration::ZERO,
        );
        reports.push((stopped, None));
    }
    let Some(last) = reports.last().map(|(last, _)| last.clone()) else {
        return reports;
    };
    for switch in account.switches.iter().skip(reports.len()) {
        let not_checked = AccountReport {
            setting: switch.name.clone(),
            before: SettingState::Unknown,
            after: SettingState::Unknown,
            changed: false,
            message: format!(
                "not checked: the account's run stopped ({}: {})",
                last.setting, last.message
            ),
            duration_ms: 0,
            receipt: None,
            ..last.clone()
        };
        reports.push((not_checked, None));
    }
    reports
}

/// The account's records in the history as it was before this run (none when it cannot be
/// read: that was warned about).
fn account_history(state_dir: &std::path::Path, email: &str) -> Vec<HistoryRecord> {
    let mut history = history::read(state_dir).unwrap_or_default();
    history.retain(|record| record.account == email);
    history
}

/// Sets what the account's `history` says about `report`'s switch (`past`, for the outcome
/// table), and whether it is drift, by the history's own definition (`history::mark_drift`);
/// drift is then the message's first words.
fn judge(history: &[HistoryRecord], report: &mut AccountReport, mode: Mode) {
    report.past = history::past(history, &report.setting);
    let mut records: Vec<HistoryRecord> = history
        .iter()
        .filter(|record| record.setting == report.setting)
        .cloned()
        .collect();
    records.push(HistoryRecord::new(report, jiff::Timestamp::now()));
    let marked = history::mark_drift(records).pop();
    report.last_off = marked.as_ref().and_then(|marked| marked.last_off);
    report.drift = marked.is_some_and(|marked| marked.drift);
    if let (true, Some(since)) = (report.drift, report.last_off) {
        let then = match (report.outcome, mode) {
            (Outcome::OptedOut, _) => Some("switched off again"),
            (Outcome::WouldOptOut, Mode::DryRun) => Some("still on (dry run)"),
            _ => None,
        };
        if let Some(then) = then {
            report.message = format!(
                "LinkedIn turned {} back on since {} (the last reading of it off); {then}",
                report.setting,
                since.strftime("%Y-%m-%d %H:%M UTC")
            );
        }
    }
}

/// Writes the receipt of each report whose run read its switch (its `.json` goes into the
/// report, for the history), then applies retention to the account's receipts. A receipt
/// that cannot be written is a warning, never a failed run.
fn keep_receipts(
    state_dir: &std::path::Path,
    email: &str,
    reports: &mut [(AccountReport, Option<Evidence>)],
    keep: usize,
) {
    for (report, evidence) in reports {
        let Some(evidence) = evidence.take() else {
            continue;
        };
        let verdict = Verdict {
            account: &report.account,
            setting: &report.setting,
            outcome: report.outcome,
            drift: report.drift,
        };
        report.receipt = receipts::write(state_dir, &verdict, &evidence)
            .inspect_err(|err| {
                crate::state::warn_not_kept(
                    &receipts::root(state_dir),
                    "the receipt of this run",
                    &format!("{err:#}"),
                );
            })
            .ok();
    }
    if let Err(err) = receipts::prune(state_dir, email, keep, jiff::Timestamp::now()) {
        tracing::warn!("cannot remove old receipts: {err:#}");
    }
}

fn report(
    account: &AccountSettings,
    switch: &str,
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
        setting: switch.to_string(),
        before: findings.before,
        after: findings.after,
        outcome,
        changed: findings.changed,
        drift: false,
        last_off: None,
        message,
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        exit_code,
        receipt: None,
        past: Default::default(),
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
