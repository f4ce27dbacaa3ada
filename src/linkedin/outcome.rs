//! What the flow finds and how a run ends: the switch's state read from a page, and the
//! outcome of one account's run (the `before`/`after` and `outcome` keys of `--json`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, exit};

/// The state of the switch as read from a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingState {
    On,
    Off,
    NotOffered,
    Unknown,
}

impl std::fmt::Display for SettingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SettingState::On => "on",
            SettingState::Off => "off",
            SettingState::NotOffered => "not offered",
            SettingState::Unknown => "unknown",
        })
    }
}

/// How one account's run ended: the `outcome` key of `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
// Lets a test go through every outcome, so that one the README does not list fails it.
#[cfg_attr(test, derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    AlreadyOff,
    OptedOut,
    WouldOptOut,
    NotOffered,
    NeedsPerson,
    BadCredentials,
    /// The OS keyring is missing, locked, silent or failing: the password could not be read,
    /// which says nothing about whether it is right.
    KeyringUnavailable,
    PageNotUnderstood,
    DidNotStick,
    Unreachable,
    Error,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            // A switch LinkedIn does not offer to the account is done: nothing is left on.
            Outcome::AlreadyOff | Outcome::OptedOut | Outcome::NotOffered => exit::OFF,
            Outcome::WouldOptOut => exit::FOUND_ON,
            Outcome::NeedsPerson => exit::NEEDS_PERSON,
            Outcome::BadCredentials | Outcome::KeyringUnavailable => exit::CREDENTIALS,
            Outcome::PageNotUnderstood => exit::PAGE_NOT_UNDERSTOOD,
            Outcome::DidNotStick => exit::DID_NOT_STICK,
            Outcome::Unreachable => exit::UNREACHABLE,
            Outcome::Error => exit::OTHER,
        }
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
            Outcome::KeyringUnavailable => "keyring unavailable",
            Outcome::PageNotUnderstood => "page not understood",
            Outcome::DidNotStick => "did not stick",
            Outcome::Unreachable => "unreachable",
            Outcome::Error => "error",
        };
        f.write_str(text)
    }
}

impl From<&Error> for Outcome {
    /// How a run that stopped on `err` ended.
    fn from(err: &Error) -> Outcome {
        match err {
            Error::NeedsPerson { .. } | Error::Throttled { .. } | Error::Interstitial { .. } => {
                Outcome::NeedsPerson
            }
            Error::Secrets(err) if err.is_keyring_fault() => Outcome::KeyringUnavailable,
            Error::CredentialsRejected { .. } | Error::Secrets(_) => Outcome::BadCredentials,
            Error::PageNotUnderstood { .. } | Error::TimedOut { .. } => Outcome::PageNotUnderstood,
            Error::NotOffered { .. } => Outcome::NotOffered,
            Error::DidNotStick { .. } => Outcome::DidNotStick,
            Error::Unreachable { .. } => Outcome::Unreachable,
            Error::Busy { .. }
            | Error::BrowserUnavailable(_)
            | Error::BrowserDied { .. }
            | Error::Usage(_)
            | Error::Interrupted
            | Error::PageCommand(_)
            | Error::Other(_) => Outcome::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Checkpoint, SecretError};

    /// The paragraph of the README's `--json` section that lists the outcomes.
    pub(crate) fn readme_json_section() -> String {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        )
        .unwrap();
        let (_, section) = readme.split_once("\n### `--json`\n").unwrap();
        section.split("\n## ").next().unwrap().to_string()
    }

    #[test]
    fn the_readme_lists_every_outcome() {
        use strum::IntoEnumIterator as _;
        let section = readme_json_section();
        for outcome in Outcome::iter() {
            let value = serde_json::to_string(&outcome).unwrap();
            assert!(section.contains(&format!("`{value}`")), "{value}");
        }
    }

    /// A run's exit code is its outcome's: the two mappings never disagree, except for
    /// the errors that end the whole command rather than an account's run.
    #[test]
    fn an_error_exits_with_its_outcome_code() {
        let errors = [
            Error::NeedsPerson {
                account: "a@example.com".into(),
                checkpoint: Checkpoint::Captcha,
            },
            Error::CredentialsRejected {
                account: "a@example.com".into(),
            },
            Error::Secrets(SecretError::KeyringLocked),
            Error::PageNotUnderstood {
                url: "u".into(),
                what: "w".into(),
                artifacts: None,
            },
            Error::TimedOut {
                url: "u".into(),
                what: "w".into(),
                after: Some(std::time::Duration::from_secs(3)),
                artifacts: None,
            },
            Error::PageCommand("stale element".into()),
            Error::NotOffered { url: "u".into() },
            Error::DidNotStick {
                detail: "d".into(),
                artifacts: None,
            },
            Error::Unreachable {
                url: "u".into(),
                why: "w".into(),
            },
            Error::Busy {
                pid: "1".into(),
                started: "s".into(),
            },
            Error::Other(anyhow::anyhow!("x")),
        ];
        for err in &errors {
            assert_eq!(Outcome::from(err).exit_code(), err.exit_code(), "{err}");
        }
        // A keyring that cannot be read is not a wrong password: an outcome of its own.
        assert_eq!(
            Outcome::from(&Error::Secrets(SecretError::KeyringLocked)),
            Outcome::KeyringUnavailable
        );
        assert_eq!(
            Outcome::from(&Error::Secrets(SecretError::Missing {
                account: "a@example.com".into()
            })),
            Outcome::BadCredentials
        );
        for (err, code) in [
            (
                Error::BrowserUnavailable("b".into()),
                exit::BROWSER_UNAVAILABLE,
            ),
            (Error::Usage("u".into()), exit::USAGE),
            (Error::Interrupted, exit::INTERRUPTED),
        ] {
            assert_eq!(Outcome::from(&err), Outcome::Error);
            assert_eq!(err.exit_code(), code);
        }
    }
}
