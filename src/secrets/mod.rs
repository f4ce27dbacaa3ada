//! Where secrets come from: an ordered chain of sources (a credentials file, systemd
//! credentials, the OS keyring), the browser session kept next to the password, and the one
//! error type for all of them.
//!
//! Secrets only ever live in `SecretString`s, whose `Debug` is redacted, so a `Credentials`
//! or a `StoredSession` can be logged by accident without leaking anything. Nothing here
//! prints; the commands decide what to say.

mod chain;
// The session bus is how the keyring is reached on Linux and the BSDs; macOS and Windows
// have no D-Bus keyring.
#[cfg(all(unix, not(target_vendor = "apple")))]
pub mod dbus_env;
mod file;
mod keyring;
mod session;
mod totp;

use std::fmt;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::Serialize;

pub use chain::{AccountSecrets, SecretChain, SourceReport, SourceStatus};
pub use keyring::{DEFAULT_KEYRING_TIMEOUT, Deleted, KEYRING_SERVICE, Keyring, KeyringStatus};
pub use session::{SessionCookie, StoredSession};
pub use totp::{current_code, validate_totp_secret};

/// Why a secret could not be had: defined with the tool's other errors (`crate::error`),
/// which wrap it.
pub use crate::error::SecretError;

/// The file name a systemd unit gives our credential (`LoadCredential=linkedin-optout:FILE`).
pub const SYSTEMD_CREDENTIAL_NAME: &str = "linkedin-optout";

/// One account's sign-in secrets.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub email: String,
    pub password: SecretString,
    /// Base32 or an `otpauth://` URI, for LinkedIn's two-step verification.
    pub totp_secret: Option<SecretString>,
}

/// The account a credentials file is for (its `email`), after the same checks as a run's
/// (permissions, keys): the account of a run given only `--credentials-file`.
pub fn credentials_file_account(path: &std::path::Path) -> Result<String, SecretError> {
    file::read_credentials(path).map(|credentials| credentials.email)
}

/// Where an account's secrets are read from, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum SecretSource {
    /// `--credentials-file FILE`.
    CredentialsFile(PathBuf),
    /// `$CREDENTIALS_DIRECTORY/linkedin-optout`, put there by systemd.
    SystemdCredentials(PathBuf),
    /// The OS keyring, service `linkedin-optout`.
    Keyring,
}

impl SecretSource {
    /// Files are read-only sources: a session that goes with them is kept in the state dir.
    fn is_file(&self) -> bool {
        !matches!(self, SecretSource::Keyring)
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::CredentialsFile(path) => {
                write!(f, "credentials file {}", path.display())
            }
            SecretSource::SystemdCredentials(path) => {
                write!(f, "systemd credential {}", path.display())
            }
            SecretSource::Keyring => write!(f, "OS keyring (service `{KEYRING_SERVICE}`)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let credentials = Credentials {
            email: "a@example.com".into(),
            password: "hunter2-password".into(),
            totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        };
        let debug = format!("{credentials:?}");
        assert!(debug.contains("a@example.com"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("JBSWY3DPEHPK3PXP"), "{debug}");
    }

    #[test]
    fn permission_message_says_how_to_fix_it() {
        let error = SecretError::FilePermissions {
            path: "/home/me/creds.toml".into(),
            mode: 0o644,
        };
        assert_eq!(
            error.to_string(),
            "/home/me/creds.toml is readable or writable by group or others (mode 0644): run `chmod 600 /home/me/creds.toml`"
        );
    }
}
