//! Where secrets come from: an ordered chain of sources (credentials file, systemd
//! credentials, the OS keyring), and the one error type for all of them.

/// Why a secret could not be had. Every variant exits 5.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no password stored for `{account}`: run `linkedin-optout credentials set --account {account}`"
    )]
    Missing { account: String },
}

use secrecy::SecretString;

/// An account's sign-in secrets.
pub struct Credentials {
    pub email: String,
    pub password: SecretString,
    pub totp_secret: Option<SecretString>,
}

/// The current RFC 6238 code for `secret`.
pub fn current_code(_secret: &SecretString) -> Result<String, SecretError> {
    unimplemented!("merged from the secrets branch")
}

/// Placeholder until the secrets branch lands.
pub struct SecretChain;

impl SecretChain {
    pub async fn credentials(&self, account: &str) -> Result<Credentials, SecretError> {
        Err(SecretError::Missing {
            account: account.to_string(),
        })
    }
}
