//! What to find on LinkedIn's pages, as data, in one place (after DuckDuckGo autoconsent and
//! Brave's privacy-settings rules).
//!
//! Anchors, in order of trust: URLs, ids and attributes that carry meaning, ARIA roles and
//! `checked` state. Visible text is the last resort, used only where the page offers nothing
//! else, and every such text is in `texts` below. Never a generated class or id. Sources:
//! shared/linkedin-dom.md. When LinkedIn changes a page, the fix is a line here.

/// Paths under the base URL.
pub mod paths {
    pub const LOGIN: &str = "login";
    pub const FEED: &str = "feed/";
    pub const FEED_PATH: &str = "/feed";
    /// The setting's own page; the walk finds it when it moves.
    pub const SETTING: &str = "mypreferences/d/settings/data-for-ai-improvement";
    /// A settings page's path starts with this; the walk's last link points into it.
    pub const SETTINGS_PREFIX: &str = "/mypreferences/d/settings/";
    pub const CATEGORIES_PREFIX: &str = "/mypreferences/d/categories/";
    pub const PRIVACY_CATEGORY: &str = "/mypreferences/d/categories/privacy";
    pub const CHALLENGE_PREFIX: &str = "/checkpoint/challenge";
    pub const AUTHWALL: &str = "/authwall";
    /// Throttled sign-in: it says "challenge" but is a rate limit, not a checkpoint.
    pub const THROTTLED_QUERY: &str = "errorKey=challenge_global_internal_error";
}

/// Something the tool looks for on a page. Its CSS is in `MARKERS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    CookieBanner,
    CookieDeny,
    LoginUsername,
    LoginPassword,
    LoginSubmit,
    LoginError,
    RememberMe,
    EmailPin,
    TwoStep,
    TwoStepCode,
    TwoStepSubmit,
    AppApproval,
    Captcha,
    GlobalNav,
    MeMenuTrigger,
    SettingsLink,
    PrivacyCategoryLink,
    SettingLink,
    AnySettingLink,
    SettingSwitch,
    AnySwitch,
    ErrorToast,
}

/// Each marker's selectors; the first that matches wins.
pub const MARKERS: &[(Marker, &str)] = &[
    (
        Marker::CookieBanner,
        "#artdeco-global-alert-container .artdeco-global-alert[type=COOKIE_CONSENT], \
         [data-test-global-alert-type=COOKIE_CONSENT]",
    ),
    (
        Marker::CookieDeny,
        "[data-test-global-alert-type=COOKIE_CONSENT] button[action-type=DENY], \
         .artdeco-global-alert[type=COOKIE_CONSENT] button[action-type=DENY]",
    ),
    // Classic form ids first, then the modern form-less page's autocomplete hints.
    (
        Marker::LoginUsername,
        "input#username[name=session_key], input[name=session_key], \
         input[type=email][autocomplete~=username]",
    ),
    (
        Marker::LoginPassword,
        "input#password[name=session_password], input[name=session_password], \
         input[type=password][autocomplete=current-password]",
    ),
    (
        Marker::LoginSubmit,
        "button[type=submit][data-litms-control-urn=login-submit], form.login__form button[type=submit]",
    ),
    (
        Marker::LoginError,
        "#error-for-password, #error-for-username, [role=alert]",
    ),
    (Marker::RememberMe, "#remember-me-prompt__form-primary"),
    (
        Marker::EmailPin,
        "form#email-pin-challenge, input#input__email_verification_pin",
    ),
    (
        Marker::TwoStep,
        "form#two-step-challenge, input#input__phone_verification_pin",
    ),
    (Marker::TwoStepCode, "input#input__phone_verification_pin"),
    (Marker::TwoStepSubmit, "button#two-step-submit-button"),
    (Marker::AppApproval, "[data-test-id=auth-app-approval]"),
    (
        Marker::Captcha,
        "iframe#captcha-internal, #captcha-challenge",
    ),
    (Marker::GlobalNav, "nav.global-nav"),
    (
        Marker::MeMenuTrigger,
        "button.global-nav__primary-link-me-menu-trigger",
    ),
    (
        Marker::SettingsLink,
        ".global-nav__me-content a[data-control-name='nav.settings'], \
         .global-nav__me-content a[href*='/mypreferences/d/']",
    ),
    (
        Marker::PrivacyCategoryLink,
        "a[href$='/mypreferences/d/categories/privacy']",
    ),
    (
        Marker::SettingLink,
        "a[href*='/mypreferences/d/settings/data-for-ai-improvement']",
    ),
    (
        Marker::AnySettingLink,
        "a[href*='/mypreferences/d/settings/']",
    ),
    (
        Marker::SettingSwitch,
        "input[type=checkbox][role=switch][aria-labelledby=allowDataForGenerativeAI]",
    ),
    (Marker::AnySwitch, "main [role=switch], [role=switch]"),
    (
        Marker::ErrorToast,
        ".artdeco-toast-item[role=alert], [role=alert].artdeco-toast-item",
    ),
];

impl Marker {
    pub fn css(self) -> &'static str {
        MARKERS
            .iter()
            .find(|(marker, _)| *marker == self)
            .map(|(_, css)| *css)
            .expect("every marker has selectors")
    }
}

/// Visible texts, the last resort, per language. Matching ignores case and spacing.
pub mod texts {
    /// The modern sign-in page's submit button has only its text.
    pub const SIGN_IN: &[&str] = &[
        "Sign in",
        "Anmelden",
        "S'identifier",
        "S’identifier",
        "Se connecter",
        "Entrar",
        "Iniciar sesión",
        "Accedi",
        "Inloggen",
    ];
    /// The setting's title: the link text on Data privacy and the setting page's heading.
    pub const SETTING_TITLE: &[&str] = &[
        "Data for Generative AI Improvement",
        "Daten zur Verbesserung generativer KI",
        "Données pour l'amélioration de l'IA générative",
        "Données pour l’amélioration de l’IA générative",
    ];
    /// The switch's label. The tool finds the switch by its label's id, not by this text;
    /// the page skeleton keeps it so that a shared page still shows which switch is which.
    pub const SWITCH_LABEL: &[&str] = &[
        "Use my data for training content creation AI models",
        "Meine Daten für das Training von KI-Modellen zur Erstellung von Inhalten verwenden",
        "Utiliser mes données pour entraîner des modèles d’IA de création de contenu",
    ];
    /// The text beside the switch that says its state (the state itself is read from
    /// `checked`); kept by the page skeleton.
    pub const SWITCH_STATE: &[&str] = &["On", "Off", "Ein", "Aus", "Oui", "Non"];
    /// Every text above: what the page skeleton keeps verbatim. A new list of texts belongs
    /// here too.
    pub const KNOWN: &[&[&str]] = &[SIGN_IN, SETTING_TITLE, SWITCH_LABEL, SWITCH_STATE];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_has_exactly_one_entry() {
        for (marker, _) in MARKERS {
            let entries = MARKERS.iter().filter(|(m, _)| m == marker).count();
            assert_eq!(entries, 1, "{marker:?}");
        }
    }
}
