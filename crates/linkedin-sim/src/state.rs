//! Everything the simulated site remembers: accounts with their counters, sessions,
//! sign-in form tokens and open checkpoints. One mutex guards it all, never held across
//! an `.await`; with a state file, every change that matters is written back at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use rand::Rng as _;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

use crate::spec::{
    AccountSpec, Checkpoint, Faults, Interstitial, SECOND_SWITCH_KEY, SecondSwitch, SwitchState,
};
use crate::switches::{ADS_BEYOND_LINKEDIN, AI, SHARE_DATA, SWITCHES};

/// What the control API (and [`crate::SimHandle::account`]) shows of an account: its
/// options, flattened, plus what happened to it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub spec: AccountSpec,
    /// Completed sign-ins (checkpoints passed, sessions created).
    pub sign_ins: u64,
    /// Writes the settings API accepted, including ones it then did not keep.
    pub setting_writes: u64,
    /// Writes the settings API accepted, per switch, for every switch the site serves
    /// (`data-for-ai-improvement` is `setting_writes`). A switch that moved along with
    /// another (ads-beyond-linkedin turning share-data-with-select-partners off) was not
    /// written.
    #[serde(default)]
    pub switch_writes: BTreeMap<String, u64>,
    pub cookie_consent: Option<Consent>,
    /// The code an open email-PIN checkpoint waits for.
    pub pending_pin: Option<String>,
    pub active_sessions: usize,
    /// Requests attributed to the account (its sessions, or pre-sign-in pages it styles).
    pub requests: u64,
    /// Answers posted to the account's interstitial (a phone number, a code, or "Skip").
    pub interstitial_answers: u64,
    /// Times the member was shown the Data Processing Objection Form (TS-DPRO).
    #[serde(default)]
    pub objection_form_views: u64,
    /// Data Processing Objection Forms (TS-DPRO) the member sent.
    #[serde(default)]
    pub objection_submits: u64,
}

/// The answer to the cookie banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Accepted,
    Denied,
}

/// Why a password sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginError {
    UnknownEmail,
    WrongPassword,
}

/// Why the settings API refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaveError {
    NotOffered,
    Fails,
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub email: String,
    /// `ajax:` and digits, without the quotes the cookie carries; also the CSRF token.
    pub jsessionid: String,
    uses: u32,
    /// Where the "Remember me" prompt continues to, while it is pending.
    pub remember_target: Option<String>,
}

/// An open checkpoint at `/checkpoint/challenge/<token>`.
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    pub email: String,
    pub kind: Checkpoint,
    /// Where a passed checkpoint continues to.
    pub target: String,
    pub pin: Option<String>,
    pub approved: bool,
}

/// The cookies of a new session.
pub(crate) struct NewSession {
    pub li_at: String,
    pub jsessionid: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Counters {
    sign_ins: u64,
    setting_writes: u64,
    /// By switch name, the AI switch excepted (it is `setting_writes`).
    #[serde(default)]
    switch_writes: BTreeMap<String, u64>,
    cookie_consent: Option<Consent>,
    requests: u64,
    #[serde(default)]
    interstitial_answers: u64,
    #[serde(default)]
    objection_form_views: u64,
    #[serde(default)]
    objection_submits: u64,
}

struct Account {
    spec: AccountSpec,
    counters: Counters,
}

#[derive(Default)]
struct Inner {
    /// Keyed by lower-case email: LinkedIn does not care about the case.
    accounts: BTreeMap<String, Account>,
    /// Pre-sign-in pages cannot know the visitor, so they look like this account wants.
    last_configured: Option<String>,
    sessions: HashMap<String, Session>,
    login_tokens: HashSet<String>,
    challenges: HashMap<String, Challenge>,
}

/// How one request fails, by the account's faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestFault {
    /// The connection is cut before any answer.
    Drop,
    /// HTTP 503.
    ServerError,
}

pub(crate) struct SimState {
    inner: Mutex<Inner>,
    state_file: Option<PathBuf>,
    /// Woken whenever an account's options change (for the `hold_setting_page` and `hold_save`
    /// faults).
    changed: tokio::sync::Notify,
    /// The public privacy policy page, the site's and nobody's account's.
    pub policy: crate::policy::PolicyPage,
}

/// The state file's content.
#[derive(Serialize, Deserialize)]
struct Saved {
    accounts: Vec<AccountView>,
}

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl SimState {
    /// Loads the state file when there is one, then applies `accounts` on top.
    pub fn new(accounts: Vec<AccountSpec>, state_file: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut inner = Inner::default();
        if let Some(path) = state_file.as_deref().filter(|p| p.exists()) {
            for mut view in load(path)?.accounts {
                view.switch_writes.remove(AI);
                let counters = Counters {
                    sign_ins: view.sign_ins,
                    setting_writes: view.setting_writes,
                    switch_writes: view.switch_writes,
                    cookie_consent: view.cookie_consent,
                    requests: view.requests,
                    interstitial_answers: view.interstitial_answers,
                    objection_form_views: view.objection_form_views,
                    objection_submits: view.objection_submits,
                };
                inner.last_configured = Some(key(&view.spec.email));
                inner.accounts.insert(
                    key(&view.spec.email),
                    Account {
                        spec: stored(view.spec),
                        counters,
                    },
                );
            }
        }
        let state = Self {
            inner: Mutex::new(inner),
            state_file,
            changed: tokio::sync::Notify::new(),
            policy: crate::policy::PolicyPage::default(),
        };
        for spec in accounts {
            state.put(spec);
        }
        Ok(state)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic in a handler must not take the whole simulator down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the state file after a change. Failing to save is logged, not fatal: the
    /// site keeps serving what it has in memory.
    fn save(&self, inner: &Inner) {
        let Some(path) = &self.state_file else { return };
        let saved = Saved {
            accounts: inner.accounts.values().map(|a| inner.view(a)).collect(),
        };
        if let Err(error) = store(path, &saved) {
            tracing::warn!(path = %path.display(), %error, "could not write the simulator state");
        }
    }

    /// Creates the account or replaces its options; counters and sessions stay. The AI
    /// switch's state is `ai_training`: an entry for it in `switches` is dropped.
    pub fn put(&self, spec: AccountSpec) -> AccountView {
        let spec = stored(spec);
        let mut inner = self.lock();
        let k = key(&spec.email);
        match inner.accounts.get_mut(&k) {
            Some(account) => account.spec = spec,
            None => {
                inner.accounts.insert(
                    k.clone(),
                    Account {
                        spec,
                        counters: Counters::default(),
                    },
                );
            }
        }
        inner.last_configured = Some(k.clone());
        self.save(&inner);
        let view = inner.view(&inner.accounts[&k]);
        drop(inner);
        self.changed.notify_waiters();
        view
    }

    /// Returns once the account's `held` fault (`hold_setting_page`, `hold_save`) is off.
    pub async fn wait_while_held(&self, email: &str, held: fn(&Faults) -> bool) {
        loop {
            // Registered before the check, so that a change in between is not missed.
            let changed = self.changed.notified();
            if !self.spec(email).is_some_and(|s| held(&s.faults)) {
                return;
            }
            changed.await;
        }
    }

    /// Applies the given JSON fields over the account's options (creating it with
    /// defaults first). Fields of the view that are not options are ignored, so a view
    /// read with GET can be sent back; anything else is an error.
    pub fn patch(
        &self,
        email: &str,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<AccountView, String> {
        const READ_ONLY: [&str; 12] = [
            "email",
            "has_totp_secret",
            "sign_ins",
            "setting_writes",
            "switch_writes",
            "cookie_consent",
            "pending_pin",
            "active_sessions",
            "requests",
            "interstitial_answers",
            "objection_form_views",
            "objection_submits",
        ];
        let current = self
            .lock()
            .accounts
            .get(&key(email))
            .map(|a| a.spec.clone())
            .unwrap_or_else(|| AccountSpec::new(email));
        let serde_json::Value::Object(mut merged) =
            serde_json::to_value(&current).map_err(|e| e.to_string())?
        else {
            unreachable!("an AccountSpec serializes to an object");
        };
        let ai_given = fields.get("ai_training").cloned();
        for (name, value) in fields {
            if READ_ONLY.contains(&name.as_str()) {
                continue;
            }
            let slot = merged
                .get_mut(&name)
                .ok_or_else(|| format!("unknown account field `{name}`"))?;
            // Faults merge field by field, like the account itself.
            match (slot, value) {
                (serde_json::Value::Object(have), serde_json::Value::Object(given)) => {
                    have.extend(given)
                }
                (slot, value) => *slot = value,
            }
        }
        // The AI switch is one of the switches: its entry there is its `ai_training`.
        let ai_switch = merged
            .get_mut("switches")
            .and_then(serde_json::Value::as_object_mut)
            .and_then(|switches| switches.remove(AI));
        if let Some(state) = ai_switch {
            if ai_given.as_ref().is_some_and(|given| *given != state) {
                return Err(format!(
                    "`ai_training` and `switches.{AI}` disagree: give the AI switch's state once"
                ));
            }
            merged.insert("ai_training".into(), state);
        }
        let spec: AccountSpec =
            serde_json::from_value(serde_json::Value::Object(merged)).map_err(|e| e.to_string())?;
        spec.check_switches()?;
        Ok(self.put(spec))
    }

    pub fn view(&self, email: &str) -> Option<AccountView> {
        let inner = self.lock();
        inner.accounts.get(&key(email)).map(|a| inner.view(a))
    }

    pub fn views(&self) -> Vec<AccountView> {
        let inner = self.lock();
        inner.accounts.values().map(|a| inner.view(a)).collect()
    }

    pub fn spec(&self, email: &str) -> Option<AccountSpec> {
        self.lock()
            .accounts
            .get(&key(email))
            .map(|a| a.spec.clone())
    }

    /// The account whose options style pages that precede sign-in.
    pub fn presenting_account(&self) -> Option<AccountSpec> {
        let inner = self.lock();
        let k = inner.last_configured.as_ref()?;
        inner.accounts.get(k).map(|a| a.spec.clone())
    }

    /// Counts a request against the account; returns the latency to inject.
    /// Counts a request concerning `email`; returns its latency in milliseconds, and how it
    /// must fail, if it must (using up one of `connections_dropped`, else of `server_errors`).
    pub fn count_request(&self, email: &str) -> (u64, Option<RequestFault>) {
        let mut inner = self.lock();
        match inner.accounts.get_mut(&key(email)) {
            Some(account) => {
                account.counters.requests += 1;
                let faults = &mut account.spec.faults;
                let fault = if faults.connections_dropped > 0 {
                    faults.connections_dropped -= 1;
                    Some(RequestFault::Drop)
                } else if faults.server_errors > 0 {
                    faults.server_errors -= 1;
                    Some(RequestFault::ServerError)
                } else {
                    None
                };
                (faults.latency_ms, fault)
            }
            None => (0, None),
        }
    }

    pub fn issue_login_token(&self) -> String {
        let token = format!("ajax:{}", random_digits(19));
        self.lock().login_tokens.insert(token.clone());
        token
    }

    pub fn login_token_known(&self, token: &str) -> bool {
        self.lock().login_tokens.contains(token)
    }

    pub fn check_password(&self, email: &str, password: &str) -> Result<AccountSpec, LoginError> {
        let inner = self.lock();
        let account = inner
            .accounts
            .get(&key(email))
            .ok_or(LoginError::UnknownEmail)?;
        if account.spec.password == password {
            Ok(account.spec.clone())
        } else {
            Err(LoginError::WrongPassword)
        }
    }

    /// Signs the account in: a new session and one more sign-in on the counter.
    pub fn start_session(&self, email: &str, remember_target: Option<String>) -> NewSession {
        let mut inner = self.lock();
        let k = key(email);
        if let Some(account) = inner.accounts.get_mut(&k) {
            account.counters.sign_ins += 1;
        }
        let new = NewSession {
            li_at: format!("AQEDA{}", random_token(120)),
            jsessionid: format!("ajax:{}", random_digits(19)),
        };
        inner.sessions.insert(
            new.li_at.clone(),
            Session {
                email: k,
                jsessionid: new.jsessionid.clone(),
                uses: 0,
                remember_target,
            },
        );
        self.save(&inner);
        new
    }

    /// The session behind a `li_at`, without counting a use of it.
    pub fn peek_session(&self, li_at: &str) -> Option<Session> {
        self.lock().sessions.get(li_at).cloned()
    }

    /// The session behind a `li_at` for a member request: counts the use and ends the
    /// session when the account's `session_expires_after` fault says it has expired.
    pub fn authenticate(&self, li_at: &str) -> Option<(Session, AccountSpec)> {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(li_at)?;
        session.uses += 1;
        let (uses, session) = (session.uses, session.clone());
        let spec = inner.accounts.get(&session.email)?.spec.clone();
        if spec
            .faults
            .session_expires_after
            .is_some_and(|limit| uses > limit)
        {
            inner.sessions.remove(li_at);
            return None;
        }
        Some((session, spec))
    }

    /// Answers the "Remember me" prompt: returns where to go next.
    pub fn take_remember_target(&self, li_at: &str) -> Option<String> {
        self.lock().sessions.get_mut(li_at)?.remember_target.take()
    }

    pub fn end_session(&self, li_at: &str) {
        self.lock().sessions.remove(li_at);
    }

    /// Signs the account out everywhere; `false` if there is no such account.
    pub fn revoke_sessions(&self, email: &str) -> bool {
        let mut inner = self.lock();
        let k = key(email);
        if !inner.accounts.contains_key(&k) {
            return false;
        }
        inner.sessions.retain(|_, s| s.email != k);
        true
    }

    pub fn open_challenge(&self, email: &str, kind: Checkpoint, target: String) -> String {
        let mut inner = self.lock();
        let k = key(email);
        // A new attempt supersedes the account's earlier checkpoints, so there is only
        // ever one pending PIN to show.
        inner.challenges.retain(|_, c| c.email != k);
        let token = format!("AgE{}", random_token(60));
        let pin = (kind == Checkpoint::EmailPin).then(|| random_digits(6));
        inner.challenges.insert(
            token.clone(),
            Challenge {
                email: k,
                kind,
                target,
                pin,
                approved: false,
            },
        );
        token
    }

    pub fn challenge(&self, token: &str) -> Option<Challenge> {
        self.lock().challenges.get(token).cloned()
    }

    pub fn close_challenge(&self, token: &str) {
        self.lock().challenges.remove(token);
    }

    /// Approves the account's open app-approval checkpoints; `false` if there was none.
    pub fn approve(&self, email: &str) -> bool {
        let k = key(email);
        let mut approved = false;
        for challenge in self.lock().challenges.values_mut() {
            if challenge.email == k && challenge.kind == Checkpoint::AppApproval {
                challenge.approved = true;
                approved = true;
            }
        }
        approved
    }

    /// A write through the settings API to the switch served under `key` for the account,
    /// or to the second AI switch (`SECOND_SWITCH_KEY`). The faults `save_fails` and
    /// `save_not_kept` concern the AI switch only. Switching ads-beyond-linkedin off also
    /// switches share-data-with-select-partners off, as LinkedIn says it does.
    pub fn write_setting(&self, email: &str, key: &str, value: bool) -> Result<(), SaveError> {
        let mut inner = self.lock();
        let account = inner
            .accounts
            .get_mut(&self::key(email))
            .ok_or(SaveError::NotOffered)?;
        let state = if value {
            SwitchState::On
        } else {
            SwitchState::Off
        };
        if key == SECOND_SWITCH_KEY {
            if account.spec.second_switch == SecondSwitch::Absent {
                return Err(SaveError::NotOffered);
            }
            account.spec.second_switch = if value {
                SecondSwitch::On
            } else {
                SecondSwitch::Off
            };
            self.save(&inner);
            return Ok(());
        }
        let switch = account
            .spec
            .switch_by_key(key)
            .filter(|s| account.spec.switch_state(s.name) != SwitchState::NotOffered)
            .ok_or(SaveError::NotOffered)?;
        if switch.name == AI {
            if account.spec.faults.save_fails {
                return Err(SaveError::Fails);
            }
            account.counters.setting_writes += 1;
            if !account.spec.faults.save_not_kept {
                account.spec.ai_training = state;
            }
        } else {
            *account
                .counters
                .switch_writes
                .entry(switch.name.to_owned())
                .or_default() += 1;
            account.spec.switches.insert(switch.name.to_owned(), state);
            if switch.name == ADS_BEYOND_LINKEDIN
                && !value
                && account.spec.switch_state(SHARE_DATA) != SwitchState::NotOffered
            {
                account
                    .spec
                    .switches
                    .insert(SHARE_DATA.to_owned(), SwitchState::Off);
            }
        }
        self.save(&inner);
        Ok(())
    }

    /// The `session_ends_before_save` fault, taken: `true` once, then the fault is off.
    pub fn take_session_end(&self, email: &str) -> bool {
        let mut inner = self.lock();
        let Some(account) = inner.accounts.get_mut(&key(email)) else {
            return false;
        };
        let fault = std::mem::take(&mut account.spec.faults.session_ends_before_save);
        if fault {
            self.save(&inner);
        }
        fault
    }

    /// The interstitial waiting for the account's answer, if any.
    pub fn pending_interstitial(&self, email: &str) -> Option<Interstitial> {
        let inner = self.lock();
        let account = inner.accounts.get(&key(email))?;
        (account.spec.interstitial != Interstitial::None
            && account.counters.interstitial_answers == 0)
            .then_some(account.spec.interstitial)
    }

    pub fn answer_interstitial(&self, email: &str) {
        let mut inner = self.lock();
        if let Some(account) = inner.accounts.get_mut(&key(email)) {
            account.counters.interstitial_answers += 1;
            self.save(&inner);
        }
    }

    /// Counts the Data Processing Objection Form shown to the member (`sent`: false) or sent
    /// by them (`sent`: true).
    pub fn record_objection(&self, email: &str, sent: bool) {
        let mut inner = self.lock();
        if let Some(account) = inner.accounts.get_mut(&key(email)) {
            let counter = match sent {
                false => &mut account.counters.objection_form_views,
                true => &mut account.counters.objection_submits,
            };
            *counter += 1;
            self.save(&inner);
        }
    }

    pub fn record_consent(&self, email: &str, consent: Consent) {
        let mut inner = self.lock();
        if let Some(account) = inner.accounts.get_mut(&key(email)) {
            account.counters.cookie_consent = Some(consent);
            self.save(&inner);
        }
    }
}

impl Inner {
    fn view(&self, account: &Account) -> AccountView {
        let k = key(&account.spec.email);
        let pending_pin = self
            .challenges
            .values()
            .filter(|c| c.email == k)
            .find_map(|c| c.pin.clone());
        let mut spec = account.spec.clone();
        spec.switches = SWITCHES
            .iter()
            .map(|s| (s.name.to_owned(), account.spec.switch_state(s.name)))
            .collect();
        let switch_writes = SWITCHES
            .iter()
            .map(|s| {
                let writes = match s.name {
                    AI => account.counters.setting_writes,
                    name => account
                        .counters
                        .switch_writes
                        .get(name)
                        .copied()
                        .unwrap_or(0),
                };
                (s.name.to_owned(), writes)
            })
            .collect();
        AccountView {
            spec,
            sign_ins: account.counters.sign_ins,
            setting_writes: account.counters.setting_writes,
            switch_writes,
            cookie_consent: account.counters.cookie_consent,
            pending_pin,
            active_sessions: self.sessions.values().filter(|s| s.email == k).count(),
            requests: account.counters.requests,
            interstitial_answers: account.counters.interstitial_answers,
            objection_form_views: account.counters.objection_form_views,
            objection_submits: account.counters.objection_submits,
        }
    }
}

/// The options as the site keeps them: the AI switch's state only as `ai_training`.
fn stored(mut spec: AccountSpec) -> AccountSpec {
    spec.switches.remove(AI);
    spec
}

fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn load(path: &Path) -> anyhow::Result<Saved> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the state file `{}`", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("the state file `{}` is not valid", path.display()))
}

/// Writes through a temporary file so a crash never leaves half a state file; the file
/// holds the accounts' passwords, so only its owner can read it (0600).
fn store(path: &Path, saved: &Saved) -> anyhow::Result<()> {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(saved)?;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&tmp)?.write_all(text.as_bytes())?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
