//! Why a run stopped short, and the one place where outcomes and errors become exit codes.
//!
//! Every variant carries the context its message needs. A message's first line names the
//! cause and the one fix, in under about 200 characters (the style of `just`'s errors); what
//! more there is to say follows on lines of its own, each indented by two spaces
//! ([`DETAIL`]). Exit codes are methods on the types, never chosen by downcasting.

use std::path::PathBuf;

/// What starts each line of detail after a message's first line.
pub const DETAIL: &str = "\n  ";

/// The advice that ends a message about a browser or driver that would not start. `doctor`
/// itself leaves it out of what it shows.
pub const SEE_DOCTOR: &str = "; run `linkedin-optout doctor`";

/// The documented exit codes (README, `--help`).
pub mod exit {
    pub const OFF: u8 = 0;
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const FOUND_ON: u8 = 3;
    pub const NEEDS_PERSON: u8 = 4;
    pub const CREDENTIALS: u8 = 5;
    pub const PAGE_NOT_UNDERSTOOD: u8 = 6;
    pub const DID_NOT_STICK: u8 = 7;
    pub const BROWSER_UNAVAILABLE: u8 = 8;
    /// LinkedIn (the base URL) could not be reached: connection refused, DNS, TLS, no
    /// answer, or server errors on every try. The network, not the page.
    pub const UNREACHABLE: u8 = 9;
    /// Ctrl-C or SIGTERM: the shell's convention for an interrupted command.
    pub const INTERRUPTED: u8 = 130;

    /// Every code with its meaning, as the man page lists them.
    pub const MEANINGS: &[(u8, &str)] = &[
        (
            OFF,
            "the setting is off (verified after a reload, or already off), or not offered to this account",
        ),
        (
            OTHER,
            "anything else: an unexpected error, another run of the same config still in progress, or no receipt to export",
        ),
        (
            USAGE,
            "usage: a bad option, a bad config file, or no account selected",
        ),
        (
            FOUND_ON,
            "a dry run (status, optout --dry-run) found the setting on, or audit found any switch on, or policy check found a link that is new",
        ),
        (
            NEEDS_PERSON,
            "a person must act: a checkpoint, or LinkedIn throttling sign-ins",
        ),
        (
            CREDENTIALS,
            "credentials are missing or were rejected (bad_credentials), or the keyring is missing, locked, silent or failing (keyring_unavailable)",
        ),
        (PAGE_NOT_UNDERSTOOD, "the page was not understood"),
        (
            DID_NOT_STICK,
            "the switch was flipped but did not stay off on reload (or LinkedIn refused the save)",
        ),
        (
            BROWSER_UNAVAILABLE,
            "the browser or the driver is unavailable",
        ),
        (
            UNREACHABLE,
            "LinkedIn is unreachable: the network, not the page",
        ),
        (
            INTERRUPTED,
            "interrupted (Ctrl-C, SIGTERM); the browser was closed",
        ),
    ];
}

/// What a person must do before the tool can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoint {
    EmailPin,
    TwoStep,
    /// The code made from the stored authenticator secret was not accepted.
    TwoStepRejected,
    AppApproval,
    Captcha,
    Unknown,
}

impl Checkpoint {
    pub fn what_to_do(self) -> &'static str {
        match self {
            Checkpoint::EmailPin => "LinkedIn sent a verification PIN by email",
            Checkpoint::TwoStep => {
                "LinkedIn asks for a two-step verification code and no authenticator secret is stored"
            }
            Checkpoint::TwoStepRejected => {
                "LinkedIn did not accept the two-step code made from the stored TOTP secret"
            }
            Checkpoint::AppApproval => "LinkedIn asks to approve the sign-in in its mobile app",
            Checkpoint::Captcha => "LinkedIn shows a CAPTCHA (the tool never solves one)",
            Checkpoint::Unknown => "LinkedIn shows a security checkpoint",
        }
    }

    /// More to say, on a line after the message's first.
    pub fn detail(self) -> String {
        match self {
            Checkpoint::TwoStepRejected => format!(
                "{DETAIL}check the secret (`linkedin-optout credentials set --totp-secret-stdin`) and this machine's clock"
            ),
            _ => String::new(),
        }
    }
}

/// Why an account's run (or the whole command) failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{}: sign in by hand with `linkedin-optout login --headed --account {account}`, then run again{}",
        .checkpoint.what_to_do(),
        .checkpoint.detail()
    )]
    NeedsPerson {
        account: String,
        checkpoint: Checkpoint,
    },
    #[error(
        "LinkedIn is throttling sign-ins for `{account}` ({why}): do not retry before {}",
        crate::clock::format_time(*.retry_at)
    )]
    Throttled {
        account: String,
        why: String,
        retry_at: jiff::Timestamp,
    },
    #[error(
        "LinkedIn keeps showing {url}: sign in by hand with `linkedin-optout login --headed --account {account}` and deal with that page{DETAIL}the tool never fills in or accepts such a page for you; run again afterwards"
    )]
    Interstitial { account: String, url: String },
    #[error(
        "LinkedIn rejected the password for `{account}`: store the right one with `linkedin-optout credentials set --account {account}`"
    )]
    CredentialsRejected { account: String },
    #[error(transparent)]
    Secrets(#[from] SecretError),
    #[error("page not understood at {url}: {what}{}", artifact_note(.artifacts))]
    PageNotUnderstood {
        url: String,
        what: String,
        artifacts: Option<PathBuf>,
    },
    /// A wait on the page ran out of time (`--timeout`, or the browser's own page-load or
    /// script timeout): the page is not what the rules expect, so it is "page not
    /// understood" too, but typed apart from every other failure so that no wait ever
    /// retries it.
    #[error(
        "page not understood at {url}: gave up waiting for {what}{}{}",
        .after.map(|after| format!(" after {}s (`--timeout`)", after.as_secs_f32())).unwrap_or_else(|| " (the browser's own timeout)".to_string()),
        artifact_note(.artifacts)
    )]
    TimedOut {
        url: String,
        what: String,
        /// The tool's own deadline; `None` when the browser's timeout ended the wait.
        after: Option<std::time::Duration>,
        artifacts: Option<PathBuf>,
    },
    /// A WebDriver command on the page failed in a way a page that is changing (a
    /// navigation, a redraw) can cause: a wait looks again; anywhere else it ends the run.
    #[error("browser command failed: {0}")]
    PageCommand(String),
    #[error(
        "LinkedIn does not offer \"Data for Generative AI Improvement\" to this account ({url}): nothing to switch off"
    )]
    NotOffered { url: String },
    #[error(
        "the switch was turned off but {detail}: check the setting by hand and report it{}",
        artifact_note(.artifacts)
    )]
    DidNotStick {
        detail: String,
        artifacts: Option<PathBuf>,
    },
    #[error(
        "another run for this config is in progress (pid {pid}, started {started}): it will finish on its own; this run did nothing"
    )]
    Busy { pid: String, started: String },
    #[error(
        "LinkedIn is unreachable at {url}: {why}; check the network (or `--base-url`), then run again"
    )]
    Unreachable { url: String, why: String },
    #[error("{0}")]
    BrowserUnavailable(String),
    /// The browser or our driver died (killed, crashed) during the run.
    #[error(
        "{which} died while {}: run again{DETAIL}{detail}; nothing of it is left running; if it keeps happening, run `linkedin-optout doctor`",
        if .step.is_empty() { "starting" } else { .step.as_str() }
    )]
    BrowserDied {
        which: String,
        step: String,
        detail: String,
    },
    #[error("{0}")]
    Usage(String),
    #[error("interrupted: the browser was closed and nothing more was done")]
    Interrupted,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Why a secret (password, TOTP secret, saved session) could not be had, from whichever
/// source. Every variant exits 5. It lives here, not in `secrets`, so that this bottom
/// layer imports nothing above it; `secrets` re-exports it.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no password stored for `{account}`: run `linkedin-optout credentials set --account {account}`{DETAIL}or, to stop acting on it, `linkedin-optout credentials remove --forget --account {account}`"
    )]
    Missing { account: String },
    /// `cause`: why, in a few words; `fix`: what to do, on the lines after it.
    #[error("cannot reach the OS keyring: {cause}{DETAIL}{fix}")]
    KeyringUnreachable { cause: String, fix: String },
    #[error(
        "the OS keyring is locked: unlock it (sign in to the desktop session, or `gnome-keyring-daemon --unlock`), or pass `--credentials-file FILE`"
    )]
    KeyringLocked,
    #[error(
        "the OS keyring did not answer within {seconds} s: unlock it in the desktop session, or pass `--credentials-file FILE` on a headless machine{DETAIL}it may be waiting on an unlock prompt nobody can see"
    )]
    KeyringTimeout { seconds: u64 },
    #[error(
        "the OS keyring failed: {detail}{DETAIL}check that it runs and is unlocked, or pass `--credentials-file FILE`"
    )]
    KeyringFailed { detail: String },
    #[error(
        "the keyring entry `{user}` is not usable: store it again with `linkedin-optout credentials set --account {}`{DETAIL}{detail}",
        .user.split('#').next().unwrap_or(.user)
    )]
    KeyringEntryInvalid { user: String, detail: String },
    #[error(
        "{} is readable or writable by group or others (mode {mode:04o}): run `chmod 600 {}`",
        .path.display(), .path.display()
    )]
    FilePermissions { path: PathBuf, mode: u32 },
    #[error("cannot read {}: {detail}", .path.display())]
    FileUnreadable { path: PathBuf, detail: String },
    #[error(
        "{} is not a valid credentials file ({detail}): it takes `email = \"…\"`, `password = \"…\"` and optionally `totp_secret = \"…\"`",
        .path.display()
    )]
    FileInvalid { path: PathBuf, detail: String },
    #[error(
        "{} is for `{file_email}`, not `{account}`: pass `--account {file_email}`{DETAIL}or another credentials file, one for `{account}`",
        .path.display()
    )]
    WrongAccount {
        path: PathBuf,
        file_email: String,
        account: String,
    },
    #[error(
        "the TOTP secret is not valid: give the base32 key LinkedIn shows when you set up an authenticator app, or the whole `otpauth://` URI{DETAIL}{detail}"
    )]
    TotpInvalid { detail: String },
    #[error("cannot save the browser session in {}: {detail}", .path.display())]
    SessionNotSaved { path: PathBuf, detail: String },
}

impl SecretError {
    /// The keyring itself is at fault (missing, locked, silent, failing), not what it holds:
    /// the `keyring_unavailable` outcome, apart from a wrong or missing password.
    pub fn is_keyring_fault(&self) -> bool {
        matches!(
            self,
            SecretError::KeyringUnreachable { .. }
                | SecretError::KeyringLocked
                | SecretError::KeyringTimeout { .. }
                | SecretError::KeyringFailed { .. }
        )
    }
}

/// Where what the browser saw was saved, and which file is safe to share: on a line of its
/// own after the message's first, the directory named once.
fn artifact_note(artifacts: &Option<PathBuf>) -> String {
    let Some(dir) = artifacts else {
        return String::new();
    };
    if dir.join(crate::skeleton::FILE_NAME).is_file() {
        format!(
            "{DETAIL}what the browser saw is in {}: attach {} to a bug report (the page's structure without your data); page.png and page.html show your profile and are for your eyes only",
            dir.display(),
            crate::skeleton::FILE_NAME
        )
    } else {
        format!("{DETAIL}what the browser saw is in {}", dir.display())
    }
}

impl Error {
    /// The process's exit code for this error (a run's outcome has the same code: see
    /// `linkedin::outcome`).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::NeedsPerson { .. } | Error::Throttled { .. } | Error::Interstitial { .. } => {
                exit::NEEDS_PERSON
            }
            Error::CredentialsRejected { .. } | Error::Secrets(_) => exit::CREDENTIALS,
            Error::PageNotUnderstood { .. } | Error::TimedOut { .. } => exit::PAGE_NOT_UNDERSTOOD,
            // Not a failure: a switch not offered is done (README, "What each outcome does").
            Error::NotOffered { .. } => exit::OFF,
            Error::DidNotStick { .. } => exit::DID_NOT_STICK,
            Error::Unreachable { .. } => exit::UNREACHABLE,
            Error::BrowserUnavailable(_) | Error::BrowserDied { .. } => exit::BROWSER_UNAVAILABLE,
            Error::Usage(_) => exit::USAGE,
            Error::Interrupted => exit::INTERRUPTED,
            Error::Busy { .. } | Error::PageCommand(_) | Error::Other(_) => exit::OTHER,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The message with its whole chain of causes (`outer: inner: …`, as anyhow's `{:#}`), so
/// that the OS reason, the HTTP status or the WebDriver error is never dropped. A cause the
/// message already ends with is not repeated.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(err) = cause {
        let more = err.to_string();
        if !more.is_empty() && !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = err.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message's first line names the cause and the fix in under about 200 characters,
    /// with values as long as a real run's; what more there is follows on lines of its own.
    #[test]
    fn every_first_line_is_short_and_the_detail_follows() {
        let account = "firstname.lastname@example-company.com".to_string();
        let url =
            "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement".to_string();
        let dir = tempfile::tempdir().unwrap();
        let artifacts = dir
            .path()
            .join("2026-12-07T20-00-00Z-firstname.lastname@example-company.com");
        std::fs::create_dir_all(&artifacts).unwrap();
        std::fs::write(artifacts.join(crate::skeleton::FILE_NAME), "").unwrap();
        let path = PathBuf::from("/home/member/.config/linkedin-optout/credentials.toml");
        let errors: Vec<Error> = vec![
            Error::NeedsPerson {
                account: account.clone(),
                checkpoint: Checkpoint::TwoStepRejected,
            },
            Error::Throttled {
                account: account.clone(),
                why: "LinkedIn says: too many sign-in attempts".into(),
                retry_at: jiff::Timestamp::UNIX_EPOCH,
            },
            Error::Interstitial {
                account: account.clone(),
                url: "https://www.linkedin.com/check/add-phone?trk=a".into(),
            },
            Error::CredentialsRejected {
                account: account.clone(),
            },
            Error::PageNotUnderstood {
                url: url.clone(),
                what: "no switch labelled by its key".into(),
                artifacts: Some(artifacts.clone()),
            },
            Error::TimedOut {
                url: url.clone(),
                what: "the switch to settle".into(),
                after: Some(std::time::Duration::from_secs(30)),
                artifacts: Some(artifacts.clone()),
            },
            Error::DidNotStick {
                detail: "it read on again after a reload".into(),
                artifacts: Some(artifacts.clone()),
            },
            Error::Busy {
                pid: "4194304".into(),
                started: "2026-12-07 20:00:00Z".into(),
            },
            Error::Unreachable {
                url: url.clone(),
                why: "net::ERR_CONNECTION_REFUSED".into(),
            },
            Error::BrowserDied {
                which: "the browser (Chromium)".into(),
                step: "opening Data for Generative AI Improvement".into(),
                detail: "the WebDriver server says the session is gone: invalid session id".into(),
            },
        ];
        let secrets = vec![
            SecretError::Missing {
                account: account.clone(),
            },
            SecretError::KeyringUnreachable {
                cause: "there is no D-Bus session bus at /run/user/1000/bus, and DBUS_SESSION_BUS_ADDRESS is unset (as under cron)".into(),
                fix: "a long fix".repeat(30),
            },
            SecretError::KeyringLocked,
            SecretError::KeyringTimeout { seconds: 10 },
            SecretError::KeyringFailed {
                detail: "org.freedesktop.DBus.Error.NoReply".into(),
            },
            SecretError::KeyringEntryInvalid {
                user: format!("{account}#totp"),
                detail: "it is not UTF-8 text".into(),
            },
            SecretError::FilePermissions {
                path: path.clone(),
                mode: 0o644,
            },
            SecretError::TotpInvalid {
                detail: "it is not base32 (letters A-Z and digits 2-7) nor an `otpauth://` URI"
                    .into(),
            },
            SecretError::WrongAccount {
                path: path.clone(),
                file_email: "other.person@example-company.com".into(),
                account: account.clone(),
            },
        ];
        let messages = errors
            .iter()
            .map(|err| chain(err))
            .chain(secrets.iter().map(ToString::to_string));
        for message in messages {
            let mut lines = message.lines();
            let first = lines.next().unwrap();
            assert!(first.chars().count() <= 200, "{}: {first}", first.len());
            for detail in lines {
                assert!(detail.starts_with("  "), "{message}");
            }
        }
    }

    #[test]
    fn the_artifacts_are_named_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(crate::skeleton::FILE_NAME), "").unwrap();
        let message = Error::PageNotUnderstood {
            url: "https://www.linkedin.com/feed/".into(),
            what: "no link to Settings".into(),
            artifacts: Some(dir.path().to_path_buf()),
        }
        .to_string();
        let shown = dir.path().display().to_string();
        assert_eq!(message.matches(&shown).count(), 1, "{message}");
        assert_eq!(
            message.lines().next(),
            Some("page not understood at https://www.linkedin.com/feed/: no link to Settings")
        );
        assert!(message.contains(crate::skeleton::FILE_NAME), "{message}");
    }
}
