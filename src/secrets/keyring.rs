//! The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows), with a deadline on every call.
//!
//! Entries live under service `linkedin-optout`: user `EMAIL` holds the password,
//! `EMAIL#totp` the TOTP secret and `EMAIL#session` the browser session (JSON).
//!
//! The keyring API is blocking, and on Linux a locked collection makes it wait for an unlock
//! prompt for as long as nobody answers. Each call therefore runs on a thread of its own and
//! is abandoned after the timeout. It is a detached `std::thread`, not `spawn_blocking`: a
//! blocking task that never returns would keep the tokio runtime from shutting down, so the
//! process would hang on exit after reporting the timeout.

use std::time::Duration;

// With none of its native stores, `keyring` falls back to a mock that keeps passwords in
// memory only and loses them at exit, silently: refuse to build instead. The targets are
// those of the features in Cargo.toml (sync-secret-service, apple-native, windows-native).
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
)))]
compile_error!(
    "the `keyring` crate has no credential store for this target and would keep passwords in an in-memory mock: build for Linux, FreeBSD, OpenBSD, macOS, iOS or Windows"
);

use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::{SecretError, StoredSession, validate_totp_secret};

/// The keyring service every entry of this tool is stored under.
pub const KEYRING_SERVICE: &str = "linkedin-optout";

/// Long enough for a busy D-Bus, short enough that a run under cron fails visibly rather
/// than waiting on a prompt.
pub const DEFAULT_KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// The OS keyring, as this tool uses it.
#[derive(Debug, Clone)]
pub struct Keyring {
    timeout: Duration,
}

impl Default for Keyring {
    fn default() -> Self {
        Keyring::new(DEFAULT_KEYRING_TIMEOUT)
    }
}

/// What the keyring holds for one account (never the values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyringStatus {
    pub has_password: bool,
    pub has_totp: bool,
    pub has_session: bool,
}

/// What `Keyring::delete` found and removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deleted {
    pub password: bool,
    pub totp: bool,
    pub session: bool,
}

/// The three entries of one account.
struct Users {
    password: String,
    totp: String,
    session: String,
}

impl Users {
    fn of(account: &str) -> Users {
        Users {
            password: account.to_string(),
            totp: format!("{account}#totp"),
            session: format!("{account}#session"),
        }
    }
}

impl Keyring {
    pub fn new(timeout: Duration) -> Keyring {
        Keyring { timeout }
    }

    /// The password and TOTP secret of `account`; `Missing` when no password is stored.
    pub(super) async fn credentials(
        &self,
        account: &str,
    ) -> Result<(SecretString, Option<SecretString>), SecretError> {
        let users = Users::of(account);
        let (password, totp) = self
            .call(move || {
                adopt_older_spelling(&users)?;
                Ok((get(&users.password)?, get(&users.totp)?))
            })
            .await?;
        match password {
            Some(password) if !password.expose_secret().is_empty() => Ok((password, totp)),
            _ => Err(SecretError::Missing {
                account: account.to_string(),
            }),
        }
    }

    pub async fn set_password(
        &self,
        account: &str,
        password: &SecretString,
    ) -> Result<(), SecretError> {
        let user = Users::of(account).password;
        let password = password.clone();
        self.call(move || entry(&user)?.set_password(password.expose_secret()))
            .await
    }

    /// Stores a TOTP secret after checking that it can produce codes.
    pub async fn set_totp(&self, account: &str, secret: &SecretString) -> Result<(), SecretError> {
        validate_totp_secret(secret)?;
        let user = Users::of(account).totp;
        let secret = secret.clone();
        self.call(move || entry(&user)?.set_password(secret.expose_secret()))
            .await
    }

    /// Removes the password, TOTP secret and session of `account`; absent ones are fine.
    pub async fn delete(&self, account: &str) -> Result<Deleted, SecretError> {
        let users = Users::of(account);
        self.call(move || {
            adopt_older_spelling(&users)?;
            Ok(Deleted {
                password: delete(&users.password)?,
                totp: delete(&users.totp)?,
                session: delete(&users.session)?,
            })
        })
        .await
    }

    /// Whether the keyring answers, and which of the account's entries exist.
    pub async fn check(&self, account: &str) -> Result<KeyringStatus, SecretError> {
        let users = Users::of(account);
        self.call(move || {
            adopt_older_spelling(&users)?;
            Ok(KeyringStatus {
                has_password: exists(&users.password)?,
                has_totp: exists(&users.totp)?,
                has_session: exists(&users.session)?,
            })
        })
        .await
    }

    /// The session JSON: it signs in as the member, so it stays a secret until parsed.
    pub(super) async fn session(&self, account: &str) -> Result<Option<SecretString>, SecretError> {
        let users = Users::of(account);
        self.call(move || {
            adopt_older_spelling(&users)?;
            get(&users.session)
        })
        .await
    }

    pub(super) async fn store_session(
        &self,
        account: &str,
        session: &StoredSession,
    ) -> Result<(), SecretError> {
        let user = Users::of(account).session;
        let json = SecretString::from(session.to_json());
        self.call(move || entry(&user)?.set_password(json.expose_secret()))
            .await
    }

    pub(super) async fn forget_session(&self, account: &str) -> Result<bool, SecretError> {
        let user = Users::of(account).session;
        self.call(move || delete(&user)).await
    }

    /// Runs one blocking keyring operation on its own thread, under the timeout.
    async fn call<T, F>(&self, operation: F) -> Result<T, SecretError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, keyring::Error> + Send + 'static,
    {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                // The receiver is gone only after a timeout; nobody is waiting for the result.
                let _ = sender.send(operation());
            })
            .map_err(|err| SecretError::KeyringFailed {
                detail: format!("cannot start a thread: {err}"),
            })?;
        match tokio::time::timeout(self.timeout, receiver).await {
            Ok(Ok(result)) => result.map_err(classify),
            Ok(Err(_)) => Err(SecretError::KeyringFailed {
                detail: "the keyring call panicked".into(),
            }),
            Err(_) => Err(SecretError::KeyringTimeout {
                seconds: self.timeout.as_secs(),
            }),
        }
    }
}

/// Moves the entries an older version stored under another spelling of the account (before
/// addresses had one form: `input::normal_email`) to the account's own, when it has no
/// password of its own. Only the Secret Service can be searched for them; a failed search
/// finds nothing.
fn adopt_older_spelling(users: &Users) -> keyring::Result<()> {
    if exists(&users.password)? {
        return Ok(());
    }
    let Some(older) = older_spelling(&users.password) else {
        return Ok(());
    };
    let older = Users::of(&older);
    for (from, to) in [
        (&older.password, &users.password),
        (&older.totp, &users.totp),
        (&older.session, &users.session),
    ] {
        if let Some(secret) = get(from)? {
            entry(to)?.set_password(secret.expose_secret())?;
            delete(from)?;
        }
    }
    Ok(())
}

/// A password entry of this tool whose user is `account` in other letter cases.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn older_spelling(account: &str) -> Option<String> {
    use dbus_secret_service::{EncryptionType, SecretService};
    let service = SecretService::connect(EncryptionType::Plain).ok()?;
    let found = service
        .search_items(std::collections::HashMap::from([(
            "service",
            KEYRING_SERVICE,
        )]))
        .ok()?;
    found
        .unlocked
        .iter()
        .chain(&found.locked)
        .filter_map(|item| item.get_attributes().ok()?.remove("username"))
        .filter(|user| user != account && user.eq_ignore_ascii_case(account))
        .min()
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn older_spelling(_account: &str) -> Option<String> {
    None
}

fn entry(user: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, user)
}

fn get(user: &str) -> keyring::Result<Option<SecretString>> {
    match entry(user)?.get_password() {
        Ok(value) => Ok(Some(value.into())),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(keyring::Error::BadEncoding(_)) => Err(keyring::Error::Invalid(
            user.to_string(),
            "it is not UTF-8 text".into(),
        )),
        Err(err) => Err(err),
    }
}

/// Whether an entry exists, without fetching (and decrypting) its secret.
fn exists(user: &str) -> keyring::Result<bool> {
    match entry(user)?.get_attributes() {
        Ok(_) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(err) => Err(err),
    }
}

fn delete(user: &str) -> keyring::Result<bool> {
    match entry(user)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Turns a keyring error into the message that says what to do about it.
fn classify(err: keyring::Error) -> SecretError {
    match err {
        keyring::Error::NoStorageAccess(inner) => {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            if let Some(err) = inner.downcast_ref::<dbus_secret_service::Error>() {
                return classify_secret_service(err);
            }
            SecretError::KeyringFailed {
                detail: inner.to_string(),
            }
        }
        keyring::Error::PlatformFailure(inner) => {
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            if let Some(err) = inner.downcast_ref::<dbus_secret_service::Error>() {
                return classify_secret_service(err);
            }
            unreachable(inner.to_string())
        }
        keyring::Error::Invalid(user, detail) => SecretError::KeyringEntryInvalid { user, detail },
        keyring::Error::Ambiguous(items) => SecretError::KeyringEntryInvalid {
            user: KEYRING_SERVICE.into(),
            detail: format!("{} entries match it", items.len()),
        },
        other => SecretError::KeyringFailed {
            detail: other.to_string(),
        },
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn classify_secret_service(err: &dbus_secret_service::Error) -> SecretError {
    use dbus_secret_service::Error as Ss;
    match err {
        Ss::Locked | Ss::Prompt => SecretError::KeyringLocked,
        Ss::Dbus(dbus) if dbus.name() == Some("org.freedesktop.DBus.Error.ServiceUnknown") => {
            SecretError::KeyringUnreachable {
                cause: "no Secret Service provider is running on the session bus".into(),
                fix: "start one (`gnome-keyring-daemon --start --components=secrets`, or KeePassXC with Secret Service integration), or pass `--credentials-file FILE`".into(),
            }
        }
        Ss::Dbus(_) | Ss::Unavailable => unreachable(err.to_string()),
        other => SecretError::KeyringFailed {
            detail: other.to_string(),
        },
    }
}

/// No keyring to talk to: the real cause, told apart by how we looked for the session bus
/// (under cron the usual cause is that nobody is logged in), and the next step. `error` is
/// what the keyring library said, kept as detail.
fn unreachable(error: String) -> SecretError {
    let headless = "on a headless server pass `--credentials-file FILE` (mode 0600) or use systemd credentials (`LoadCredential=linkedin-optout:FILE`)";
    #[cfg(all(unix, not(target_vendor = "apple")))]
    if let Some(super::dbus_env::SessionBus::NotFound(socket)) = super::dbus_env::session_bus() {
        return SecretError::KeyringUnreachable {
            cause: format!(
                "there is no D-Bus session bus at {}, and DBUS_SESSION_BUS_ADDRESS is unset (as under cron)",
                socket.display()
            ),
            fix: format!(
                "stay logged in or run `loginctl enable-linger` so your bus and keyring exist, set XDG_RUNTIME_DIR in the crontab if the bus lives elsewhere, or {headless}{}({error})",
                crate::error::DETAIL
            ),
        };
    }
    SecretError::KeyringUnreachable {
        cause: error,
        fix: format!(
            "start a D-Bus session with a keyring (`dbus-run-session`, `gnome-keyring-daemon --start --components=secrets`), or {headless}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_that_never_returns_times_out() {
        let keyring = Keyring::new(Duration::from_millis(50));
        let error = keyring
            .call(|| -> keyring::Result<()> {
                std::thread::sleep(Duration::from_secs(3600));
                Ok(())
            })
            .await
            .unwrap_err();
        assert!(
            matches!(error, SecretError::KeyringTimeout { .. }),
            "{error}"
        );
    }

    #[test]
    fn a_missing_bus_names_the_fix() {
        let error = classify(keyring::Error::PlatformFailure(
            "cannot connect to the bus".into(),
        ));
        let message = error.to_string();
        assert!(message.contains("--credentials-file"), "{message}");
        let first = message.lines().next().unwrap();
        assert!(
            first.starts_with("cannot reach the OS keyring: "),
            "{message}"
        );
        assert!(first.len() < 200, "{message}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn locked_and_dismissed_prompts_say_unlock() {
        for err in [
            dbus_secret_service::Error::Locked,
            dbus_secret_service::Error::Prompt,
        ] {
            let error = classify(keyring::Error::NoStorageAccess(Box::new(err)));
            assert!(matches!(error, SecretError::KeyringLocked), "{error}");
        }
    }
}
