//! The order in which an account's secrets are looked for: `--credentials-file`, then the
//! systemd credential in `$CREDENTIALS_DIRECTORY`, then the OS keyring.
//!
//! The first two are for machines without a desktop session (a server, a systemd timer);
//! the keyring is for everyone else. The browser session is kept in the same store as the
//! password, except that files are read-only, so a session going with one is kept in the
//! state directory instead.

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret as _;
use serde::Serialize;

use super::keyring::Keyring;
use super::{
    Credentials, SYSTEMD_CREDENTIAL_NAME, SecretError, SecretSource, StoredSession, file, session,
};

/// The sources of secrets for one run, resolved once from the options and environment.
#[derive(Debug, Clone)]
pub struct SecretChain {
    credentials_file: Option<PathBuf>,
    credentials_directory: Option<PathBuf>,
    state_dir: PathBuf,
    keyring: Keyring,
}

/// One source as `doctor` shows it.
#[derive(Debug, Serialize)]
pub struct SourceReport {
    pub source: SecretSource,
    pub status: SourceStatus,
    /// Empty unless the source is `Ready`.
    pub accounts: Vec<AccountSecrets>,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceStatus {
    Ready,
    /// `$CREDENTIALS_DIRECTORY` is set but holds no credential of ours.
    Absent,
    /// Configured but not usable; the reason says what to do.
    Unusable {
        reason: String,
    },
}

/// What one source holds for one account (never the values).
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct AccountSecrets {
    pub account: String,
    pub has_password: bool,
    pub has_totp: bool,
    pub has_session: bool,
}

impl SecretChain {
    pub fn new(
        credentials_file: Option<PathBuf>,
        credentials_directory: Option<PathBuf>,
        state_dir: PathBuf,
    ) -> SecretChain {
        SecretChain {
            credentials_file,
            credentials_directory,
            state_dir,
            keyring: Keyring::default(),
        }
    }

    /// Takes the systemd credentials directory from `$CREDENTIALS_DIRECTORY`.
    pub fn from_env(credentials_file: Option<PathBuf>, state_dir: PathBuf) -> SecretChain {
        let credentials_directory = std::env::var_os("CREDENTIALS_DIRECTORY")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from);
        SecretChain::new(credentials_file, credentials_directory, state_dir)
    }

    /// The keyring this chain falls back to, for the `credentials` command.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Where `credentials` will look: the first source that is configured and present.
    pub fn source(&self) -> SecretSource {
        if let Some(path) = &self.credentials_file {
            return SecretSource::CredentialsFile(path.clone());
        }
        if let Some(path) = self.systemd_credential().filter(|path| path.exists()) {
            return SecretSource::SystemdCredentials(path);
        }
        SecretSource::Keyring
    }

    fn systemd_credential(&self) -> Option<PathBuf> {
        self.credentials_directory
            .as_ref()
            .map(|dir| dir.join(SYSTEMD_CREDENTIAL_NAME))
    }

    /// The account's password and TOTP secret from the first source that has them.
    pub async fn credentials(&self, account: &str) -> Result<Credentials, SecretError> {
        let source = self.source();
        tracing::debug!("reading the credentials of {account} from the {source}");
        match source {
            SecretSource::CredentialsFile(path) | SecretSource::SystemdCredentials(path) => {
                let credentials = file::read_credentials(&path)?;
                // Both in the normal form (`input::normal_email`): one account whatever its
                // spelling.
                if credentials.email != crate::input::normal_email(account) {
                    return Err(SecretError::WrongAccount {
                        path,
                        file_email: credentials.email,
                        account: account.to_string(),
                    });
                }
                Ok(credentials)
            }
            SecretSource::Keyring => {
                let (password, totp_secret) = self.keyring.credentials(account).await?;
                Ok(Credentials {
                    email: account.to_string(),
                    password,
                    totp_secret,
                })
            }
        }
    }

    /// The saved browser session of `account`, if any. A damaged one (truncated, garbage,
    /// another version) is discarded, with the warning `StoredSession::from_json` gives, so
    /// that the run signs in and no later run trips over it again.
    pub async fn session(&self, account: &str) -> Result<Option<StoredSession>, SecretError> {
        if self.source().is_file() {
            let path = session::session_file(&self.state_dir, account);
            let stored = session::read_file(&path)?;
            if stored.is_none() {
                // Nothing there, or damaged: either way no file stays behind.
                session::remove_file(&path)?;
            }
            return Ok(stored);
        }
        let Some(json) = self.keyring.session(account).await? else {
            return Ok(None);
        };
        let stored = StoredSession::from_json(json.expose_secret(), &"the OS keyring");
        if stored.is_none() {
            self.keyring.forget_session(account).await?;
        }
        Ok(stored)
    }

    pub async fn store_session(
        &self,
        account: &str,
        stored: &StoredSession,
    ) -> Result<(), SecretError> {
        if self.source().is_file() {
            return session::write_file(&session::session_file(&self.state_dir, account), stored);
        }
        self.keyring.store_session(account, stored).await
    }

    /// Drops the saved session (after LinkedIn signed it out); `false` when there was none.
    pub async fn forget_session(&self, account: &str) -> Result<bool, SecretError> {
        if self.source().is_file() {
            return self.forget_session_file(account);
        }
        self.keyring.forget_session(account).await
    }

    /// Removes the session file kept for file-based credentials, whatever the source is now:
    /// `credentials remove` forgets everything stored for the account.
    pub fn forget_session_file(&self, account: &str) -> Result<bool, SecretError> {
        session::remove_file(&session::session_file(&self.state_dir, account))
    }

    /// Every source in the order it is tried, with what it holds for each account.
    pub async fn describe(&self, accounts: &[String]) -> Vec<SourceReport> {
        let mut reports = Vec::new();
        if let Some(path) = &self.credentials_file {
            reports.push(self.describe_file(
                SecretSource::CredentialsFile(path.clone()),
                path,
                accounts,
            ));
        }
        if let Some(path) = self.systemd_credential() {
            let source = SecretSource::SystemdCredentials(path.clone());
            reports.push(if path.exists() {
                self.describe_file(source, &path, accounts)
            } else {
                SourceReport {
                    source,
                    status: SourceStatus::Absent,
                    accounts: Vec::new(),
                }
            });
        }
        reports.push(self.describe_keyring(accounts).await);
        reports
    }

    fn describe_file(
        &self,
        source: SecretSource,
        path: &Path,
        accounts: &[String],
    ) -> SourceReport {
        match file::read_credentials(path) {
            Ok(credentials) => SourceReport {
                source,
                status: SourceStatus::Ready,
                accounts: accounts
                    .iter()
                    .map(|account| {
                        let matches = credentials.email == crate::input::normal_email(account);
                        AccountSecrets {
                            account: account.clone(),
                            has_password: matches,
                            has_totp: matches && credentials.totp_secret.is_some(),
                            has_session: session::session_file(&self.state_dir, account).exists(),
                        }
                    })
                    .collect(),
            },
            Err(err) => SourceReport {
                source,
                status: SourceStatus::Unusable {
                    reason: err.to_string(),
                },
                accounts: Vec::new(),
            },
        }
    }

    async fn describe_keyring(&self, accounts: &[String]) -> SourceReport {
        let mut found = Vec::new();
        for account in accounts {
            match self.keyring.check(account).await {
                Ok(status) => found.push(AccountSecrets {
                    account: account.clone(),
                    has_password: status.has_password,
                    has_totp: status.has_totp,
                    has_session: status.has_session,
                }),
                // One unreachable keyring is unreachable for every account: say it once.
                Err(err) => {
                    return SourceReport {
                        source: SecretSource::Keyring,
                        status: SourceStatus::Unusable {
                            reason: err.to_string(),
                        },
                        accounts: Vec::new(),
                    };
                }
            }
        }
        SourceReport {
            source: SecretSource::Keyring,
            status: SourceStatus::Ready,
            accounts: found,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        path
    }

    #[tokio::test]
    async fn the_credentials_file_comes_first_and_must_match_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(
            dir.path(),
            "creds.toml",
            "email = \"A@example.com\"\npassword = \"from-file\"\n",
        );
        let systemd = dir.path().join("systemd");
        std::fs::create_dir(&systemd).unwrap();
        private_file(
            &systemd,
            SYSTEMD_CREDENTIAL_NAME,
            "email = \"a@example.com\"\npassword = \"from-systemd\"\n",
        );
        let chain = SecretChain::new(Some(file.clone()), Some(systemd.clone()), dir.path().into());
        assert_eq!(chain.source(), SecretSource::CredentialsFile(file));
        let credentials = chain.credentials("a@example.com").await.unwrap();
        assert_eq!(credentials.password.expose_secret(), "from-file");
        let wrong = chain.credentials("b@example.com").await.unwrap_err();
        assert!(matches!(wrong, SecretError::WrongAccount { .. }), "{wrong}");

        let chain = SecretChain::new(None, Some(systemd.clone()), dir.path().into());
        let credentials = chain.credentials("a@example.com").await.unwrap();
        assert_eq!(credentials.password.expose_secret(), "from-systemd");
    }

    #[test]
    fn an_empty_credentials_directory_falls_through_to_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let chain = SecretChain::new(None, Some(dir.path().into()), dir.path().into());
        assert_eq!(chain.source(), SecretSource::Keyring);
    }

    #[tokio::test]
    async fn sessions_of_file_credentials_live_in_the_state_dir() {
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(
            dir.path(),
            "creds.toml",
            "email = \"a@example.com\"\npassword = \"pw\"\n",
        );
        let state = dir.path().join("state");
        let chain = SecretChain::new(Some(file), None, state.clone());
        assert!(chain.session("a@example.com").await.unwrap().is_none());
        let stored = StoredSession {
            cookies: Vec::new(),
            saved_at: jiff::Timestamp::now(),
        };
        chain.store_session("a@example.com", &stored).await.unwrap();
        assert!(state.join("sessions/a@example.com.json").exists());
        assert!(chain.session("a@example.com").await.unwrap().is_some());
        let reports = chain.describe(&["a@example.com".into()]).await;
        assert_eq!(reports[0].status, SourceStatus::Ready);
        assert_eq!(
            reports[0].accounts,
            [AccountSecrets {
                account: "a@example.com".into(),
                has_password: true,
                has_totp: false,
                has_session: true,
            }]
        );
        assert!(chain.forget_session("a@example.com").await.unwrap());
        assert!(chain.session("a@example.com").await.unwrap().is_none());
    }
}
