//! A simulator for tests (feature `harness`): one per test, on a port of its own, with
//! the server's state as the test's source of truth. Outcomes are proven from what the
//! server recorded ([`AccountView`], typed), never only from what a client printed.
//!
//! [`Site`] is the async harness: the simulator, a browser-like client (a cookie jar, no
//! redirects followed) and its control API. [`Sim`] wraps a `Site` in a runtime of its own
//! for tests that are not async themselves (they run a binary and wait for it). Accounts
//! are configured in the control API's JSON shape (`PUT /__sim/accounts/{email}` takes
//! only the fields it changes); what happened to them is read back typed.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::{
    AccountSpec, AccountView, PolicyLink, PolicyShape, PolicyView, SimConfig, SimHandle, Simulator,
};

/// The password [`Sim::with_account`] gives its account unless the options say otherwise.
pub const PASSWORD: &str = "correct horse battery staple";

/// A running simulator, a browser-like client of it, and its control API.
pub struct Site {
    handle: SimHandle,
    jar: Arc<Jar>,
    /// Keeps cookies and does not follow redirects, so a test sees each answer.
    browser: reqwest::Client,
    /// Carries no cookies: the control API is not a member's browser.
    control: reqwest::Client,
}

/// One answer of the site, read in full.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Location` header; panics without one.
    #[track_caller]
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no Location header (status {})", self.status))
    }

    #[track_caller]
    pub fn has(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected `{needle}` in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "did not expect `{needle}` in:\n{}",
            self.body
        );
        self
    }

    /// Every `Set-Cookie` header, as sent.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

impl Site {
    /// Starts a simulator; panics if it cannot (a test cannot go on without it).
    pub async fn start(config: SimConfig) -> Site {
        let handle = Simulator::start(config)
            .await
            .expect("the simulator starts");
        let jar = Arc::new(Jar::default());
        let browser = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Site {
            handle,
            jar,
            browser,
            control: reqwest::Client::new(),
        }
    }

    /// A simulator with these accounts.
    pub async fn with_accounts(accounts: Vec<AccountSpec>) -> Site {
        Site::start(SimConfig {
            accounts,
            ..SimConfig::default()
        })
        .await
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> url::Url {
        self.handle.base_url()
    }

    /// A path on the site.
    pub fn url(&self, path: &str) -> url::Url {
        self.base_url()
            .join(path)
            .expect("a path joins the base URL")
    }

    /// The browser-like client: cookies kept, redirects not followed.
    pub fn browser(&self) -> &reqwest::Client {
        &self.browser
    }

    /// Sends a request of the browser-like client and reads the answer in full.
    pub async fn page(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("the simulator answers");
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("a body"),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.page(self.browser.get(self.url(path))).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.page(self.browser.post(self.url(path)).form(form))
            .await
    }

    /// A cookie the browser-like client holds for the site.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let cookies = self.jar.cookies(&self.base_url())?;
        cookies
            .to_str()
            .ok()?
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The account as the server sees it; panics when there is no such account.
    #[track_caller]
    pub fn account(&self, email: &str) -> AccountView {
        self.try_account(email)
            .unwrap_or_else(|| panic!("the simulator has no account `{email}`"))
    }

    /// The account as the server sees it, if it exists.
    pub fn try_account(&self, email: &str) -> Option<AccountView> {
        self.handle.account(email)
    }

    /// Creates the account or replaces all its options, in process; its counters and
    /// sessions stay.
    pub fn put_account(&self, spec: AccountSpec) -> AccountView {
        let email = spec.email.clone();
        self.handle.put_account(spec);
        self.account(&email)
    }

    /// Creates the account or changes only the fields given, through the control API
    /// (`PUT /__sim/accounts/{email}`), and returns it as the server now sees it.
    pub async fn put(&self, email: &str, fields: Value) -> AccountView {
        let url = self.url(&format!("__sim/accounts/{email}"));
        let response = self
            .control
            .put(url.clone())
            .json(&fields)
            .send()
            .await
            .expect("the control API answers");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "PUT {url}: {status}: {body}");
        self.account(email)
    }

    /// Taps "Yes" in the app for a pending approval (`POST /__sim/accounts/{email}/approve`);
    /// false when none is pending yet.
    pub async fn approve(&self, email: &str) -> bool {
        let url = self.url(&format!("__sim/accounts/{email}/approve"));
        let response = self
            .control
            .post(url)
            .send()
            .await
            .expect("the control API answers");
        response.status().is_success()
    }

    /// Ends every session of the account (`DELETE /__sim/accounts/{email}/sessions`).
    pub async fn revoke_sessions(&self, email: &str) {
        let url = self.url(&format!("__sim/accounts/{email}/sessions"));
        let response = self
            .control
            .delete(url.clone())
            .send()
            .await
            .expect("the control API answers");
        assert!(
            response.status().is_success(),
            "DELETE {url}: {}",
            response.status()
        );
    }

    /// The privacy policy page as the server has it (`GET /__sim/policy`).
    pub async fn policy(&self) -> PolicyView {
        let url = self.url("__sim/policy");
        self.control_json(self.control.get(url)).await
    }

    /// Adds a link to the privacy policy (`POST /__sim/policy/links`), as LinkedIn would link
    /// a settings page it just added.
    pub async fn add_policy_link(&self, href: &str, text: &str) -> PolicyView {
        let url = self.url("__sim/policy/links");
        let link = PolicyLink {
            href: href.to_string(),
            text: text.to_string(),
        };
        self.control_json(self.control.post(url).json(&link)).await
    }

    /// Serves the privacy policy in `shape` from now on (`PUT /__sim/policy`).
    pub async fn set_policy_shape(&self, shape: PolicyShape) -> PolicyView {
        let url = self.url("__sim/policy");
        self.control_json(self.control.put(url).json(&json!({ "shape": shape })))
            .await
    }

    /// Sends a control API request that must succeed, and reads its JSON answer.
    async fn control_json<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> T {
        let response = request.send().await.expect("the control API answers");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|err| panic!("{err}: {body}"))
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}

/// A [`Site`] in a runtime of its own, for tests that block (they run a binary against it).
pub struct Sim {
    runtime: tokio::runtime::Runtime,
    site: Option<Site>,
}

impl Sim {
    /// Starts a simulator with the given accounts, each `{"email": …, option: value…}` in the
    /// control API's shape.
    pub fn start(accounts: &[Value]) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the simulator");
        let site = runtime.block_on(Site::start(SimConfig::default()));
        let sim = Sim {
            runtime,
            site: Some(site),
        };
        for account in accounts {
            let email = account["email"].as_str().expect("an email");
            sim.put(email, account.clone());
        }
        sim
    }

    /// One account, password [`PASSWORD`], with extra options.
    pub fn with_account(email: &str, options: Value) -> Sim {
        let mut account = json!({"email": email, "password": PASSWORD});
        if let (Some(target), Some(extra)) = (account.as_object_mut(), options.as_object()) {
            target.extend(extra.clone());
        }
        Sim::start(&[account])
    }

    /// The running site.
    pub fn site(&self) -> &Site {
        self.site
            .as_ref()
            .expect("the simulator runs until dropped")
    }

    /// `http://127.0.0.1:PORT/`, as the tool's `--base-url` takes it.
    pub fn base_url(&self) -> String {
        self.site().base_url().to_string()
    }

    /// The account as the server sees it; panics when there is no such account.
    #[track_caller]
    pub fn account(&self, email: &str) -> AccountView {
        self.site().account(email)
    }

    /// See [`Site::put`].
    pub fn put(&self, email: &str, fields: Value) -> AccountView {
        self.runtime.block_on(self.site().put(email, fields))
    }

    /// See [`Site::approve`].
    pub fn approve(&self, email: &str) -> bool {
        self.runtime.block_on(self.site().approve(email))
    }

    /// See [`Site::revoke_sessions`].
    pub fn revoke_sessions(&self, email: &str) {
        self.runtime.block_on(self.site().revoke_sessions(email));
    }

    /// See [`Site::policy`].
    pub fn policy(&self) -> PolicyView {
        self.runtime.block_on(self.site().policy())
    }

    /// See [`Site::add_policy_link`].
    pub fn add_policy_link(&self, href: &str, text: &str) -> PolicyView {
        self.runtime
            .block_on(self.site().add_policy_link(href, text))
    }

    /// See [`Site::set_policy_shape`].
    pub fn set_policy_shape(&self, shape: PolicyShape) -> PolicyView {
        self.runtime.block_on(self.site().set_policy_shape(shape))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(site) = self.site.take() {
            self.runtime.block_on(site.shutdown());
        }
    }
}
