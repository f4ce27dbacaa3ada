//! How a simulated account is configured: the data a test (or `--account`, or the control
//! API) hands the simulator. Plain serde data, no behaviour beyond defaults and parsing.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The password an account gets when none is given.
pub const DEFAULT_PASSWORD: &str = "password";

/// One member account of the simulated site. Every field but `email` has a default, so
/// `{"email": "a@example.com"}` is a complete spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSpec {
    pub email: String,
    #[serde(default = "default_password")]
    pub password: String,
    /// The setting's current value; writes through the settings API change it.
    #[serde(default)]
    pub ai_training: AiTraining,
    /// Base32 secret for the two-step checkpoint's authenticator codes.
    #[serde(default)]
    pub totp_secret: Option<String>,
    /// What a correct-password sign-in runs into instead of the feed.
    #[serde(default)]
    pub checkpoint: Checkpoint,
    #[serde(default)]
    pub login_variant: LoginVariant,
    /// Whether the EU cookie-consent banner covers pages until answered.
    #[serde(default)]
    pub cookie_banner: bool,
    #[serde(default)]
    pub locale: Locale,
    /// Whether a "Remember me" prompt comes between sign-in and the target page.
    #[serde(default)]
    pub remember_me_prompt: bool,
    /// Where the setting's page lives when LinkedIn moved it; `None` means the usual
    /// `data-for-ai-improvement`.
    #[serde(default)]
    pub setting_slug: Option<String>,
    /// Another origin (`http://localhost:PORT`) that the sign-in page redirects to, as a
    /// look-alike or a captive portal would; that origin's own sign-in page stays put.
    #[serde(default)]
    pub login_redirect_origin: Option<String>,
    #[serde(default)]
    pub faults: Faults,
}

fn default_password() -> String {
    DEFAULT_PASSWORD.to_owned()
}

impl AccountSpec {
    /// An account with every option at its default (password [`DEFAULT_PASSWORD`]).
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            password: default_password(),
            ai_training: AiTraining::default(),
            totp_secret: None,
            checkpoint: Checkpoint::default(),
            login_variant: LoginVariant::default(),
            cookie_banner: false,
            locale: Locale::default(),
            remember_me_prompt: false,
            setting_slug: None,
            login_redirect_origin: None,
            faults: Faults::default(),
        }
    }

    /// The path segment of the setting's page for this account.
    pub(crate) fn slug(&self) -> &str {
        self.setting_slug.as_deref().unwrap_or(USUAL_SLUG)
    }
}

/// Where LinkedIn serves the setting (`/mypreferences/d/settings/<slug>`).
pub(crate) const USUAL_SLUG: &str = "data-for-ai-improvement";

/// Why `EMAIL:PASSWORD` could not be read as an account.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseAccountError {
    #[error("expected `EMAIL:PASSWORD`, found no `:`")]
    MissingColon,
    #[error("the email before `:` is empty")]
    EmptyEmail,
}

/// `EMAIL:PASSWORD`; the password is everything after the first `:` and may contain more.
impl FromStr for AccountSpec {
    type Err = ParseAccountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (email, password) = s.split_once(':').ok_or(ParseAccountError::MissingColon)?;
        if email.trim().is_empty() {
            return Err(ParseAccountError::EmptyEmail);
        }
        Ok(Self {
            password: password.to_owned(),
            ..Self::new(email.trim())
        })
    }
}

/// The state of "Data for Generative AI Improvement" for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiTraining {
    #[default]
    On,
    Off,
    /// The account never sees the setting (as EU members did until November 2025).
    NotOffered,
}

/// What stands between a correct password and the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checkpoint {
    #[default]
    None,
    EmailPin,
    TwoStep,
    AppApproval,
    Captcha,
    /// A rate limit dressed as a challenge URL.
    Throttled,
    #[serde(rename = "http_999")]
    Http999,
    #[serde(rename = "http_429")]
    Http429,
}

/// Which generation of the sign-in page the account is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginVariant {
    /// A real `<form>` with stable ids and names.
    #[default]
    Classic,
    /// React-style: no form, generated ids, a `type=button` submit that posts with fetch.
    Modern,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
}

impl Locale {
    /// The value of `<html lang>`.
    pub(crate) fn lang(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
        }
    }
}

/// Misbehaviour to inject, for testing how the tool copes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Delay before every answer concerning the account.
    pub latency_ms: u64,
    /// The settings API answers 500 and keeps nothing.
    pub save_fails: bool,
    /// The settings API answers 200 but the next page load shows the old value.
    pub save_not_kept: bool,
    /// A session stops working after this many authenticated requests.
    pub session_expires_after: Option<u32>,
    /// The setting page's script draws the switch this long after the page has loaded.
    pub switch_drawn_after_ms: u64,
    /// The setting's page is not answered until this is set back to false: a run caught
    /// in the middle, signed in, for a test that watches it.
    pub hold_setting_page: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_str_keeps_colons_in_the_password() {
        let spec: AccountSpec = "me@example.com:pa:ss".parse().unwrap();
        assert_eq!(spec.email, "me@example.com");
        assert_eq!(spec.password, "pa:ss");
        assert_eq!(spec.checkpoint, Checkpoint::None);
    }

    #[test]
    fn account_from_str_rejects_missing_colon_and_empty_email() {
        assert_eq!(
            "me@example.com".parse::<AccountSpec>(),
            Err(ParseAccountError::MissingColon)
        );
        assert_eq!(
            ":secret".parse::<AccountSpec>(),
            Err(ParseAccountError::EmptyEmail)
        );
    }

    #[test]
    fn spec_needs_only_an_email() {
        let spec: AccountSpec = serde_json::from_str(r#"{"email":"a@b.c"}"#).unwrap();
        assert_eq!(spec, AccountSpec::new("a@b.c"));
        let spec: AccountSpec =
            serde_json::from_str(r#"{"email":"a@b.c","checkpoint":"http_999"}"#).unwrap();
        assert_eq!(spec.checkpoint, Checkpoint::Http999);
    }
}
