//! `demo`: the whole opt-out, walked as a member would, against a demo account on the
//! built-in simulator, in headless Chromium. No keyring, no network: a newcomer's first run.
//! It needs the cargo feature `simulator` (on by default).

#[cfg(feature = "simulator")]
use linkedin_sim::{AccountSpec, SimConfig, SimHandle, Simulator};
#[cfg(feature = "simulator")]
use secrecy::SecretString;

#[cfg(feature = "simulator")]
use crate::browser::BrowserKind;
#[cfg(feature = "simulator")]
use crate::config::AccountSettings;
use crate::config::Settings;
use crate::error::Error;
#[cfg(feature = "simulator")]
use crate::linkedin::flow::{Mode, Plan};
#[cfg(feature = "simulator")]
use crate::ops::run::{self, CredentialSource, RunOptions};
#[cfg(feature = "simulator")]
use crate::output::Output;
#[cfg(feature = "simulator")]
use crate::progress::StepStyle;
#[cfg(feature = "simulator")]
use crate::secrets::Credentials;

#[cfg(feature = "simulator")]
const DEMO_ACCOUNT: &str = "demo@example.com";

#[cfg(not(feature = "simulator"))]
pub async fn exec(_settings: &Settings) -> Result<u8, Error> {
    Err(super::simulator::not_built_in("demo"))
}

#[cfg(feature = "simulator")]
pub async fn exec(settings: &Settings) -> Result<u8, Error> {
    let password = format!("demo-{:016x}", rand::random::<u64>());
    let spec: AccountSpec = format!("{DEMO_ACCOUNT}:{password}")
        .parse()
        .map_err(|err| Error::Other(anyhow::anyhow!("demo account: {err}")))?;
    let simulator = Simulator::start(SimConfig {
        accounts: vec![spec],
        ..SimConfig::default()
    })
    .await?;
    // The demo's story is for a person: with `--json` it goes to stderr, and stdout carries
    // only the report's JSON.
    let say = |line: String| {
        if settings.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    say(format!(
        "simulator:  LinkedIn look-alike at {}",
        simulator.base_url()
    ));
    say(format!(
        "account:    {DEMO_ACCOUNT} (a demo account; LinkedIn's default: setting on)"
    ));
    say(format!(
        "before:     the server says {}",
        server_state(&simulator)
    ));
    let credentials = Credentials {
        email: DEMO_ACCOUNT.to_string(),
        password: SecretString::from(password),
        totp_secret: None,
    };
    let account = AccountSettings {
        email: DEMO_ACCOUNT.to_string(),
        base_url: simulator.base_url(),
        browser: BrowserKind::Chrome,
        switches: vec![settings.catalogue.default_switch().clone()],
    };
    let mut options = RunOptions::new(
        settings,
        Plan {
            mode: Mode::OptOut,
            walk: true,
        },
    );
    // The demo's account is made up: nothing of it belongs among the member's receipts.
    options.receipts_keep = None;
    if matches!(options.style, StepStyle::Silent) {
        options.style = StepStyle::Lines;
    }
    let cancel = crate::browser::shutdown_on_signal();
    let reports = run::run_accounts(
        std::slice::from_ref(&account),
        &options,
        CredentialSource::Given(&credentials),
        &cancel,
    )
    .await;
    for report in &reports {
        Output {
            json: settings.json,
            quiet: false,
        }
        .print(report);
    }
    say(format!(
        "after:      the server says {}",
        server_state(&simulator)
    ));
    simulator.shutdown().await;
    Ok(run::exit_code(&reports))
}

/// The simulator's own record of the setting, the proof the tool's report is checked against.
#[cfg(feature = "simulator")]
fn server_state(simulator: &SimHandle) -> String {
    let view = simulator
        .account(DEMO_ACCOUNT)
        .and_then(|view| serde_json::to_value(view).ok())
        .unwrap_or_default();
    let saves = view["setting_writes"].as_u64().unwrap_or(0);
    format!(
        "the setting is {} ({saves} save{} accepted)",
        view["ai_training"].as_str().unwrap_or("unknown"),
        if saves == 1 { "" } else { "s" }
    )
}
