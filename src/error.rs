//! Why a run stopped short, and the one place where outcomes and errors become exit codes.
//!
//! Every variant carries the context its message needs, and every message is one lowercase
//! line that says what to do next (the style of `just`'s errors). Exit codes are methods on
//! the types, never chosen by downcasting.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::secrets::SecretError;

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
            "the setting is off (verified after a reload, or already off)",
        ),
        (
            OTHER,
            "anything else: an unexpected error, or another run of the same config still in progress",
        ),
        (
            USAGE,
            "usage: a bad option, a bad config file, or no account selected",
        ),
        (
            FOUND_ON,
            "a dry run (status, optout --dry-run) found the setting on",
        ),
        (
            NEEDS_PERSON,
            "a person must act: a checkpoint, or LinkedIn throttling sign-ins",
        ),
        (
            CREDENTIALS,
            "credentials are missing or were rejected, or the keyring is unreachable or locked",
        ),
        (
            PAGE_NOT_UNDERSTOOD,
            "the page was not understood, or the setting is not offered to this account",
        ),
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

/// How one account's run ended: the `outcome` key of `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    AlreadyOff,
    OptedOut,
    WouldOptOut,
    NotOffered,
    NeedsPerson,
    BadCredentials,
    PageNotUnderstood,
    DidNotStick,
    Unreachable,
    Error,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::AlreadyOff | Outcome::OptedOut => exit::OFF,
            Outcome::WouldOptOut => exit::FOUND_ON,
            Outcome::NeedsPerson => exit::NEEDS_PERSON,
            Outcome::BadCredentials => exit::CREDENTIALS,
            Outcome::NotOffered | Outcome::PageNotUnderstood => exit::PAGE_NOT_UNDERSTOOD,
            Outcome::DidNotStick => exit::DID_NOT_STICK,
            Outcome::Unreachable => exit::UNREACHABLE,
            Outcome::Error => exit::OTHER,
        }
    }

    /// Whether the setting is known to be off after this run.
    pub fn is_off(self) -> bool {
        matches!(self, Outcome::AlreadyOff | Outcome::OptedOut)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Outcome::AlreadyOff => "already off",
            Outcome::OptedOut => "opted out",
            Outcome::WouldOptOut => "on (dry run: would opt out)",
            Outcome::NotOffered => "not offered",
            Outcome::NeedsPerson => "needs a person",
            Outcome::BadCredentials => "bad credentials",
            Outcome::PageNotUnderstood => "page not understood",
            Outcome::DidNotStick => "did not stick",
            Outcome::Unreachable => "unreachable",
            Outcome::Error => "error",
        };
        f.write_str(text)
    }
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
                "LinkedIn did not accept the two-step code made from the stored authenticator secret (check the secret with `credentials set --totp-secret-stdin`, and the clock)"
            }
            Checkpoint::AppApproval => "LinkedIn asks to approve the sign-in in its mobile app",
            Checkpoint::Captcha => "LinkedIn shows a CAPTCHA (the tool never solves one)",
            Checkpoint::Unknown => "LinkedIn shows a security checkpoint",
        }
    }
}

/// Why an account's run (or the whole command) failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{}: sign in once by hand with `linkedin-optout login --headed --account {account}`, then run again",
        .checkpoint.what_to_do()
    )]
    NeedsPerson {
        account: String,
        checkpoint: Checkpoint,
    },
    #[error(
        "LinkedIn is throttling sign-ins for `{account}` ({why}): do not retry before {}",
        crate::report::format_time(*.retry_at)
    )]
    Throttled {
        account: String,
        why: String,
        retry_at: time::OffsetDateTime,
    },
    #[error(
        "LinkedIn keeps showing {url} instead of the setting, a page the tool never fills in or accepts for you: sign in once by hand with `linkedin-optout login --headed --account {account}`, deal with that page, then run again"
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
        "{which} died while {}: {detail}; nothing of it is left running, so run again (if it keeps happening, run `linkedin-optout doctor`)",
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

/// Where what the browser saw was saved, and which file is safe to share.
fn artifact_note(artifacts: &Option<PathBuf>) -> String {
    let Some(dir) = artifacts else {
        return String::new();
    };
    let skeleton = dir.join(crate::skeleton::FILE_NAME);
    if skeleton.is_file() {
        format!(
            " (what the browser saw is in {}: attach {} to a bug report, it keeps the page's structure without your data; page.png and page.html show your profile and are for your eyes only)",
            dir.display(),
            skeleton.display()
        )
    } else {
        format!(" (what the browser saw is in {})", dir.display())
    }
}

impl Error {
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::NeedsPerson { .. } | Error::Throttled { .. } | Error::Interstitial { .. } => {
                Outcome::NeedsPerson
            }
            Error::CredentialsRejected { .. } | Error::Secrets(_) => Outcome::BadCredentials,
            Error::PageNotUnderstood { .. } => Outcome::PageNotUnderstood,
            Error::NotOffered { .. } => Outcome::NotOffered,
            Error::DidNotStick { .. } => Outcome::DidNotStick,
            Error::Unreachable { .. } => Outcome::Unreachable,
            Error::Busy { .. }
            | Error::BrowserUnavailable(_)
            | Error::BrowserDied { .. }
            | Error::Usage(_)
            | Error::Interrupted
            | Error::Other(_) => Outcome::Error,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::BrowserUnavailable(_) | Error::BrowserDied { .. } => exit::BROWSER_UNAVAILABLE,
            Error::Usage(_) => exit::USAGE,
            Error::Interrupted => exit::INTERRUPTED,
            other => other.outcome().exit_code(),
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
