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
    /// The key that labels the setting's switch (and that the settings API saves) when
    /// LinkedIn renamed it; `None` means the usual `allowDataForGenerativeAI`.
    #[serde(default)]
    pub setting_key: Option<String>,
    /// The member's name as their pages show it; the email's part before the `@` when unset.
    #[serde(default)]
    pub name: Option<String>,
    /// The member's headline, shown under their name in Settings & Privacy.
    #[serde(default)]
    pub headline: Option<String>,
    /// What the member's photo shows (it is drawn inline, with this as its title); a grey
    /// circle when unset.
    #[serde(default)]
    pub photo: Option<String>,
    /// How the setting's page builds its switch.
    #[serde(default)]
    pub switch_kind: SwitchKind,
    /// A dialog that asks to confirm before the switch is turned off.
    #[serde(default)]
    pub confirm_dialog: ConfirmDialog,
    /// A second AI switch on the setting's page, above the setting's own; writes through the
    /// settings API change it.
    #[serde(default)]
    pub second_switch: SecondSwitch,
    /// A page LinkedIn shows after sign-in instead of where the member was going.
    #[serde(default)]
    pub interstitial: Interstitial,
    /// Every member page sends back to the interstitial until it is answered.
    #[serde(default)]
    pub interstitial_insists: bool,
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
            setting_key: None,
            name: None,
            headline: None,
            photo: None,
            switch_kind: SwitchKind::default(),
            confirm_dialog: ConfirmDialog::default(),
            second_switch: SecondSwitch::default(),
            interstitial: Interstitial::default(),
            interstitial_insists: false,
            login_redirect_origin: None,
            faults: Faults::default(),
        }
    }

    /// The path segment of the setting's page for this account.
    pub(crate) fn slug(&self) -> &str {
        self.setting_slug.as_deref().unwrap_or(USUAL_SLUG)
    }

    /// The key of the setting's switch for this account.
    pub(crate) fn key(&self) -> &str {
        self.setting_key.as_deref().unwrap_or(SETTING_KEY)
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

/// The UI language. `ru` is one the tool's rules have no text for: the walk must find the
/// setting there by its switch alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
    Es,
    Ru,
}

impl Locale {
    /// The value of `<html lang>`.
    pub(crate) fn lang(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Ru => "ru",
        }
    }
}

/// How the setting's page builds its switch (every kind is an ARIA switch or a checkbox,
/// labelled by the setting's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchKind {
    /// LinkedIn's artdeco toggle: `input[type=checkbox][role=switch]` with `aria-labelledby`.
    #[default]
    Input,
    /// `<button role=switch aria-checked>`, changing `aria-checked` once the server answered.
    Button,
    /// `<div role=switch aria-checked tabindex=0>`.
    Div,
    /// `<button aria-pressed>`, a toggle button.
    ToggleButton,
    /// A plain checkbox hidden (`display: none`) inside its styled `<label>`, which carries
    /// the key as its id and is what a member clicks.
    HiddenInput,
}

/// A dialog that asks to confirm turning the setting off; nothing is saved before it is
/// confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmDialog {
    #[default]
    None,
    /// LinkedIn's artdeco modal: `data-test-dialog-primary-btn`, `artdeco-button--primary`.
    Artdeco,
    /// Buttons known only by their text ("Turn off", "Cancel").
    Plain,
    /// Buttons whose text says nothing the tool can rely on ("Continue", "Go back").
    Unclear,
}

/// The second AI switch on the setting's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondSwitch {
    #[default]
    Absent,
    On,
    Off,
}

/// The key of the setting's switch, in the settings API and as its label's id.
pub(crate) const SETTING_KEY: &str = "allowDataForGenerativeAI";

/// The key of the second AI switch, in the settings API and as its label's id.
pub(crate) const SECOND_SWITCH_KEY: &str = "allowDataForAIPoweredFeatures";

/// A page after sign-in that is not the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interstitial {
    #[default]
    None,
    /// `/check/add-phone`: asks for a phone number.
    AddPhone,
    /// `/check/confirm-email`: asks for the code sent by email.
    ConfirmEmail,
}

impl Interstitial {
    /// Where the simulator serves it (linkedin-dom.md names no path; these follow the
    /// `/check/…` family LinkedIn uses for such prompts).
    pub(crate) fn path(self) -> Option<&'static str> {
        match self {
            Interstitial::None => None,
            Interstitial::AddPhone => Some("/check/add-phone"),
            Interstitial::ConfirmEmail => Some("/check/confirm-email"),
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
    /// The setting's page shows its switch twice, both labelled as the setting: a layout
    /// the tool cannot tell apart, so it must stop (exit 6) rather than guess.
    pub switch_twice: bool,
    /// The session ends right before the next save: the settings API ends it, answers 401
    /// and keeps nothing, and the page sends the member to sign in. Happens once, then this
    /// turns itself off.
    pub session_ends_before_save: bool,
    /// The setting's switch says `aria-checked="mixed"` (`aria-pressed` for a toggle
    /// button): its state cannot be read. A plain checkbox (`hidden_input`) ignores this.
    pub switch_state_mixed: bool,
    /// The next this many requests concerning the account answer HTTP 503 and do nothing
    /// (a large number: every page, a site that is down).
    pub server_errors: u64,
    /// The next this many requests concerning the account get their connection closed
    /// without any answer (Chromium: `ERR_EMPTY_RESPONSE`), a large number for a network
    /// that drops everything.
    pub connections_dropped: u64,
    /// The setting's page is not answered until this is set back to false: a run caught
    /// in the middle, signed in, for a test that watches it.
    pub hold_setting_page: bool,
    /// A save through the settings API is not answered until this is set back to false:
    /// the page waits on its save, for a test of the run's bound.
    pub hold_save: bool,
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
