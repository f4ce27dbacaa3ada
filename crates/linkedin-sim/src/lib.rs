//! A local look-alike of the LinkedIn pages the tool visits, for tests and for trying
//! the tool without touching linkedin.com.
//!
//! It serves LinkedIn's own paths (`/login`, `/checkpoint/…`, `/feed/`,
//! `/mypreferences/d/…`, the settings API) with the markup described in
//! `linkedin-dom.md`, for any number of configured accounts, and lets tests inject what
//! goes wrong on the real site: checkpoints, throttling, status 999/429, slow answers,
//! saves that fail or do not stick, sessions that expire (also right before a save), a
//! moved or missing setting, every data-use switch of linkedin-dom.md on its own page (each
//! on, off or not offered, renamed or moved; see `switches.rs`), the EU cookie banner,
//! German, French, Spanish and Russian pages, switches of every ARIA kind, a confirmation
//! dialog, a second AI switch, and interstitials after sign-in.
//!
//! Pages shown before sign-in (sign-in page, authwall, throttle notice) cannot know who
//! is about to sign in, so their presentation (login variant, locale, cookie banner,
//! latency) follows the account created or updated most recently. Tests therefore
//! configure one account per simulator.
//!
//! Where linkedin-dom.md is silent the simulator chooses, and says so here:
//! - the classic sign-in page always carries both error slots (`#error-for-username`,
//!   `#error-for-password`, `role=alert`), hidden and empty until there is an error, so
//!   only their text tells that sign-in failed;
//! - an account that is not offered the setting does not see it listed under Data
//!   privacy, and its page (reached by URL) shows a notice instead of the switch;
//! - checkpoint forms post to `/checkpoint/challenge/verify` with a `challengeId`;
//! - the app-approval page polls `/checkpoint/challenge/<token>/status` and reloads once
//!   approved; loading the challenge page after approval completes the sign-in;
//! - interstitials live at `/check/add-phone` and `/check/confirm-email` and post back there;
//! - the confirmation dialog is an artdeco `role=alertdialog` modal; the second AI switch is
//!   `allowDataForAIPoweredFeatures`, saved like the setting at
//!   `/mysettings-api/settingsApiSettings/<key>`;
//! - a save whose session has ended answers 401 and the page then goes to `/login`.
//!
//! Under `/__sim/` a JSON control API configures accounts and reports what happened to
//! them (sign-ins, accepted setting writes, sessions, pending PIN…); see `control.rs`. It
//! also shapes the public privacy policy page (`/legal/privacy-policy`): links added to it,
//! or the page gone, redesigned beyond recognition or failing; see `policy.rs`.
//!
//! This is a crate of its own so that the boundary is the compiler's: the tool's flow knows
//! the simulator only as a base URL, and nothing here can use the tool. The tool's `demo` and
//! `simulator` commands hand it plain data ([`SimConfig`], [`AccountSpec`]).
//!
//! The handlers live in `signin.rs`, `member.rs` and `control.rs`; `router.rs` maps paths to
//! them; what they share (cookies, redirects, the page frame) is in `http.rs`, so imports run
//! one way only. With the feature `harness`, `harness` is a simulator for tests with a typed
//! client of the control API.

mod control;
#[cfg(feature = "harness")]
pub mod harness;
mod http;
mod i18n;
mod member;
mod pages;
mod policy;
mod router;
mod signin;
mod spec;
mod state;
mod switches;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use policy::{PolicyLink, PolicyShape, PolicyView};
pub use spec::{
    AccountSpec, AiTraining, Checkpoint, ConfirmDialog, DEFAULT_PASSWORD, Faults, Interstitial,
    Locale, LoginVariant, ParseAccountError, SecondSwitch, SwitchKind, SwitchState,
};
pub use state::{AccountView, Consent};
pub use switches::switch_names;

use state::SimState;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    pub accounts: Vec<AccountSpec>,
    /// Where accounts are loaded from (if the file exists) and saved after each change.
    pub state_file: Option<PathBuf>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accounts: Vec::new(),
            state_file: None,
        }
    }
}

pub struct Simulator;

impl Simulator {
    /// Binds and serves in the background until the handle is shut down or dropped.
    pub async fn start(config: SimConfig) -> anyhow::Result<SimHandle> {
        let state = Arc::new(SimState::new(config.accounts, config.state_file)?);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("could not listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router::router(state.clone());
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                // A dropped sender stops the server just like a sent signal.
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "the simulator stopped serving");
            }
        });
        Ok(SimHandle {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    state: Arc<SimState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.addr)).expect("a socket address makes a URL")
    }

    /// What `GET /__sim/accounts/{email}` shows.
    pub fn account(&self, email: &str) -> Option<AccountView> {
        self.state.view(email)
    }

    /// Creates the account or replaces its options; its counters and sessions stay.
    pub fn put_account(&self, spec: AccountSpec) {
        self.state.put(spec);
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves until Ctrl-C or SIGTERM (`linkedin-optout simulator`). Calls `announce` with the
/// address once the port is bound, so that the caller can tell scripts where it listens.
pub async fn serve_until_signal(
    config: SimConfig,
    announce: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    let handle = Simulator::start(config).await?;
    announce(handle.addr);
    shutdown_signal().await?;
    handle.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn shutdown_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn shutdown_signal() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}
