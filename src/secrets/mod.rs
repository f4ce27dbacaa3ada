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
