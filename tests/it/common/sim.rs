//! The simulator, in-process on a port of its own for each test, and its control API as the
//! test's source of truth: outcomes are proven from the server's state, not from what the
//! tool printed.

use linkedin_sim::{SimConfig, SimHandle, Simulator};
use serde_json::{Value, json};

pub struct Sim {
    runtime: tokio::runtime::Runtime,
    handle: Option<SimHandle>,
    client: reqwest::Client,
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
        let handle = runtime
            .block_on(Simulator::start(SimConfig::default()))
            .expect("the simulator starts");
        let sim = Sim {
            runtime,
            handle: Some(handle),
            client: reqwest::Client::new(),
        };
        for account in accounts {
            let email = account["email"].as_str().expect("an email");
            sim.put(email, account.clone());
        }
        sim
    }

    /// One account, password "pw", with extra options.
    pub fn with_account(email: &str, options: Value) -> Sim {
        let mut account = json!({"email": email, "password": PASSWORD});
        if let (Some(target), Some(extra)) = (account.as_object_mut(), options.as_object()) {
            target.extend(extra.clone());
        }
        Sim::start(&[account])
    }

    pub fn base_url(&self) -> String {
        self.handle.as_ref().unwrap().base_url().to_string()
    }

    /// The account as the server sees it (`GET /__sim/accounts/{email}`).
    pub fn account(&self, email: &str) -> Value {
        let url = format!("{}__sim/accounts/{email}", self.base_url());
        self.runtime.block_on(async {
            let response = self
                .client
                .get(&url)
                .send()
                .await
                .expect("the control API answers");
            assert!(
                response.status().is_success(),
                "GET {url}: {}",
                response.status()
            );
            response.json().await.expect("JSON")
        })
    }

    /// Creates or updates an account (`PUT /__sim/accounts/{email}`).
    pub fn put(&self, email: &str, body: Value) -> Value {
        let url = format!("{}__sim/accounts/{email}", self.base_url());
        self.runtime.block_on(async {
            let response = self
                .client
                .put(&url)
                .json(&body)
                .send()
                .await
                .expect("the control API answers");
            assert!(
                response.status().is_success(),
                "PUT {url}: {}",
                response.status()
            );
            response.json().await.expect("JSON")
        })
    }

    /// Approves a pending app approval (`POST /__sim/accounts/{email}/approve`); false when
    /// none is pending yet.
    pub fn approve(&self, email: &str) -> bool {
        let url = format!("{}__sim/accounts/{email}/approve", self.base_url());
        self.runtime.block_on(async {
            let response = self
                .client
                .post(&url)
                .send()
                .await
                .expect("the control API answers");
            response.status().is_success()
        })
    }

    /// Revokes every session of the account (`DELETE /__sim/accounts/{email}/sessions`).
    pub fn revoke_sessions(&self, email: &str) {
        let url = format!("{}__sim/accounts/{email}/sessions", self.base_url());
        self.runtime.block_on(async {
            let response = self
                .client
                .delete(&url)
                .send()
                .await
                .expect("the control API answers");
            assert!(
                response.status().is_success(),
                "DELETE {url}: {}",
                response.status()
            );
        });
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown());
        }
    }
}

/// The password every simulated test account has unless a test says otherwise.
pub const PASSWORD: &str = "correct horse battery staple";
