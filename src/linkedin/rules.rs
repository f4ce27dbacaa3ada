//! What to find on LinkedIn's pages, as data, in one place (after DuckDuckGo autoconsent and
//! Brave's privacy-settings rules).
//!
//! Anchors, in order of trust: URLs, ids and attributes that carry meaning (the setting's
//! key), ARIA roles and states, `checked`, and the session cookie. Visible text is the last
//! resort, used only where the page offers nothing else, and every such text is in `texts`
//! below. Never a generated class or id. Sources:
//! shared/linkedin-dom.md. When LinkedIn changes a page, the fix is a line here.

/// Paths under the base URL.
pub mod paths {
    pub const LOGIN: &str = "login";
    pub const FEED: &str = "feed/";
    pub const FEED_PATH: &str = "/feed";
    /// A settings page's path starts with this; the walk's last link points into it.
    pub const SETTINGS_PREFIX: &str = "/mypreferences/d/settings/";
    pub const CATEGORIES_PREFIX: &str = "/mypreferences/d/categories/";
    pub const PRIVACY_CATEGORY: &str = "/mypreferences/d/categories/privacy";
    /// Checkpoints a person must handle (`/checkpoint/challenge/…`, `/checkpoint/challengesV2/…`).
    pub const CHALLENGE_PREFIX: &str = "/checkpoint/challenge";
    pub const AUTHWALL: &str = "/authwall";
    /// Pages that ask to sign in: never proof of a session, whatever cookies are set.
    pub const SIGN_IN_PAGES: &[&str] =
        &["/login", "/uas/login", "/authwall", "/checkpoint/lg/login"];
    /// Throttled sign-in: it says "challenge" but is a rate limit, not a checkpoint.
    pub const THROTTLED_QUERY: &str = "errorKey=challenge_global_internal_error";
}

/// The cookie that authenticates a member: its presence (outside the sign-in and checkpoint
/// pages) is what proves a session, not any page's navigation bar.
pub const SESSION_COOKIE: &str = "li_at";

/// How many settings pages the walk opens on Data privacy, looking for the switch labelled by
/// the switch's key, before it gives up.
pub const MAX_PROBES: usize = 15;

/// Something the tool looks for on a page. Its CSS is in `MARKERS`, except for the markers of
/// the switch the run acts on (`Marker::of_switch`), built from its catalogue entry
/// (`Page::css`). The switch's key is the one language-free proof that a page is its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
// Lets the tests go through every marker, so that one without selectors fails a test, not a run.
#[cfg_attr(test, derive(strum::EnumIter))]
pub enum Marker {
    CookieBanner,
    CookieDeny,
    LoginUsername,
    LoginPassword,
    LoginSubmit,
    LoginError,
    EmailPin,
    TwoStep,
    TwoStepCode,
    TwoStepSubmit,
    AppApproval,
    Captcha,
    MeMenuTrigger,
    SettingsLink,
    PrivacyCategoryLink,
    /// A link to any category of Settings & Privacy.
    AnyCategoryLink,
    /// A link to the switch's page (`catalogue::Switch::link_css`).
    SettingLink,
    AnySettingLink,
    /// The switch, labelled by its key (`catalogue::Switch::switch_css`, and the control a
    /// `<label>` with the key as its id names: `label_css`).
    SettingSwitch,
    AnySwitch,
    ErrorToast,
    /// A modal dialog, which may ask to confirm turning the setting off.
    ModalDialog,
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
        Marker::AnyCategoryLink,
        "a[href*='/mypreferences/d/categories/']",
    ),
    (
        Marker::AnySettingLink,
        "a[href*='/mypreferences/d/settings/']",
    ),
    (Marker::AnySwitch, "[role=switch]"),
    (
        Marker::ErrorToast,
        ".artdeco-toast-item[role=alert], [role=alert].artdeco-toast-item",
    ),
    (
        Marker::ModalDialog,
        "[role=dialog][aria-modal=true], [role=alertdialog][aria-modal=true]",
    ),
];

/// A confirmation dialog's primary action, most trusted first; the last resort is a button
/// whose text is one of `texts::CONFIRM`.
pub const DIALOG_PRIMARY: &[&str] = &[
    "[data-test-dialog-primary-btn]",
    "button.artdeco-button--primary",
];

impl Marker {
    /// The markers whose CSS comes from the switch's catalogue entry, not from `MARKERS`.
    pub fn of_switch(self) -> bool {
        matches!(self, Marker::SettingSwitch | Marker::SettingLink)
    }

    /// The selectors of a marker of `MARKERS`; those of the switch are `Page::css`'s.
    pub fn css(self) -> &'static str {
        MARKERS
            .iter()
            .find(|(marker, _)| *marker == self)
            .map(|(_, css)| *css)
            .expect("every marker but the switch's has selectors")
    }
}

/// Visible texts, the last resort, per language. Matching ignores case and spacing.
///
/// Evidence (linkedin-dom.md): en, and the press's de, fr and nl labels. The other languages
/// are the plain translation of LinkedIn's English wording, not seen on the site: a text that
/// is wrong or missing only costs the walk a few probes, since the proof of the setting is the
/// switch labelled by its key, in any language. The switches' titles are in the catalogue.
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
        "Zaloguj się",
        "Logga in",
        "Oturum aç",
        "Giriş yap",
        "サインイン",
        "ログイン",
        "登录",
        "登入",
        "로그인",
        "تسجيل الدخول",
        "साइन इन करें",
    ];
    /// A confirmation dialog's button that turns the setting off, when the dialog marks its
    /// primary action in no other way.
    pub const CONFIRM: &[&str] = &[
        "Turn off",
        "Confirm",
        "Ausschalten",
        "Deaktivieren",
        "Bestätigen",
        "Désactiver",
        "Confirmer",
        "Desactivar",
        "Confirmar",
        "Desativar",
        "Disattiva",
        "Conferma",
        "Uitschakelen",
        "Bevestigen",
        "Wyłącz",
        "Potwierdź",
        "Stäng av",
        "Bekräfta",
        "Kapat",
        "Onayla",
        "オフにする",
        "確認",
        "关闭",
        "确认",
        "끄기",
        "확인",
        "إيقاف",
        "تأكيد",
        "बंद करें",
        "पुष्टि करें",
    ];
    /// The switch's label. The tool finds the switch by its label's id, not by this text;
    /// the page skeleton keeps it so that a shared page still shows which switch is which.
    pub const SWITCH_LABEL: &[&str] = &[
        "Use my data for training content creation AI models",
        "Meine Daten für das Training von KI-Modellen zur Erstellung von Inhalten verwenden",
        "Utiliser mes données pour entraîner des modèles d’IA de création de contenu",
        "Mijn gegevens gebruiken voor training van AI-modellen waarmee content wordt gemaakt",
    ];
    /// The text beside the switch that says its state (the state itself is read from
    /// `checked`); kept by the page skeleton.
    pub const SWITCH_STATE: &[&str] = &["On", "Off", "Ein", "Aus", "Oui", "Non"];
    /// A text as the rules compare it: white space folded, case and the typographic
    /// apostrophe ignored.
    pub fn normalise(text: &str) -> String {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
            .replace('’', "'")
    }

    /// Every text above: what the page skeleton keeps verbatim, with the built-in
    /// catalogue's titles. A new list of texts belongs here too.
    pub const KNOWN: &[&[&str]] = &[SIGN_IN, CONFIRM, SWITCH_LABEL, SWITCH_STATE];

    /// The built-in catalogue's titles, normalised, read once.
    static TITLES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        crate::linkedin::catalogue::Catalogue::built_in()
            .entries()
            .iter()
            .flat_map(|entry| entry.switch.titles())
            .map(normalise)
            .collect()
    });

    /// A text of the table above, however the page spaces or cases it: what the page
    /// skeleton (`crate::skeleton::redact`) keeps verbatim.
    pub fn is_known(text: &str) -> bool {
        let text = normalise(text);
        !text.is_empty()
            && (KNOWN
                .iter()
                .flat_map(|list| list.iter())
                .any(|known| normalise(known) == text)
                || TITLES.contains(&text))
    }
}

/// What the page skeleton may keep of a page (`crate::skeleton::Known`): the texts above and
/// the catalogue's titles; every id, class, attribute and attribute value that the selectors
/// here and the catalogue's name; the segments of every path here and in the catalogue; and
/// LinkedIn's own host. Nothing else of a page survives in a skeleton.
pub struct SkeletonKnowledge {
    values: std::collections::HashSet<String>,
    attributes: std::collections::HashSet<String>,
    segments: std::collections::HashSet<String>,
}

/// Everything the rules know of LinkedIn's pages that a skeleton may keep, gathered once.
pub fn skeleton_knowledge() -> &'static SkeletonKnowledge {
    static KNOWLEDGE: std::sync::LazyLock<SkeletonKnowledge> = std::sync::LazyLock::new(|| {
        let catalogue = crate::linkedin::catalogue::Catalogue::built_in();
        let switches = catalogue.switches();
        let mut selectors: Vec<String> = MARKERS
            .iter()
            .map(|(_, css)| css.to_string())
            .chain(DIALOG_PRIMARY.iter().map(|css| css.to_string()))
            .collect();
        let mut paths: Vec<String> = [
            paths::LOGIN,
            paths::FEED,
            paths::SETTINGS_PREFIX,
            paths::CATEGORIES_PREFIX,
            paths::PRIVACY_CATEGORY,
            paths::CHALLENGE_PREFIX,
            paths::AUTHWALL,
        ]
        .iter()
        .chain(paths::SIGN_IN_PAGES)
        .map(|path| path.to_string())
        .collect();
        let mut knowledge = SkeletonKnowledge {
            values: std::collections::HashSet::new(),
            attributes: std::collections::HashSet::new(),
            segments: std::collections::HashSet::new(),
        };
        for switch in &switches {
            knowledge.values.insert(switch.key.clone());
            selectors.extend([switch.switch_css(), switch.link_css()]);
            selectors.extend(switch.label_css());
            paths.push(switch.page_path());
        }
        for css in &selectors {
            knowledge.read_selector(css);
        }
        for value in knowledge.values.clone() {
            if value.contains('/') {
                paths.push(value);
            }
        }
        knowledge.segments.extend(
            paths
                .iter()
                .flat_map(|path| path.split(['/', '?', '=']))
                .filter(|segment| !segment.is_empty())
                .map(str::to_string),
        );
        knowledge
    });
    &KNOWLEDGE
}

impl SkeletonKnowledge {
    /// The ids (`#id`), classes (`.class`), attribute names and values (`[name=value]`) of a
    /// CSS selector list.
    fn read_selector(&mut self, css: &str) {
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let mut rest = css;
        while let Some(at) = rest.find(['#', '.', '[']) {
            let (mark, after) = (rest.as_bytes()[at], &rest[at + 1..]);
            if mark == b'[' {
                let end = after.find(']').unwrap_or(after.len());
                let inside = &after[..end];
                let name_end = inside.find(|c: char| !is_name(c)).unwrap_or(inside.len());
                self.attributes.insert(inside[..name_end].to_string());
                if let Some((_, value)) = inside.split_once('=') {
                    let value = value.trim().trim_matches(['\'', '"']);
                    self.values.insert(value.to_string());
                }
                rest = &after[end..];
            } else {
                let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
                if end > 0 {
                    self.values.insert(after[..end].to_string());
                }
                rest = &after[end..];
            }
        }
    }
}

impl crate::skeleton::Known for SkeletonKnowledge {
    fn text(&self, text: &str) -> bool {
        texts::is_known(text)
    }

    fn value(&self, value: &str) -> bool {
        self.values.contains(value)
    }

    fn attribute(&self, name: &str) -> bool {
        self.attributes.contains(name)
    }

    fn host(&self, host: &str) -> bool {
        host == "linkedin.com" || host.ends_with(".linkedin.com")
    }

    fn path_segment(&self, segment: &str) -> bool {
        self.segments.contains(segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use strum::IntoEnumIterator as _;

    #[test]
    fn the_skeleton_keeps_every_known_text_however_spaced_or_cased() {
        for text in texts::KNOWN.iter().flat_map(|list| list.iter()) {
            assert!(texts::is_known(text), "{text}");
            assert!(
                texts::is_known(&format!("  {}\n", text.to_uppercase())),
                "{text}"
            );
        }
        assert!(!texts::is_known("Jane Doe"));
        assert!(!texts::is_known("   "));
        let skeleton = crate::skeleton::redact(
            "<h1>Data for Generative AI  Improvement</h1><p>Jane Doe</p>",
            skeleton_knowledge(),
        );
        assert!(
            skeleton.contains("Data for Generative AI  Improvement"),
            "{skeleton}"
        );
        assert!(!skeleton.contains("Jane"), "{skeleton}");
    }

    /// The skeleton keeps what the rules look for: the switch's key, LinkedIn's ids,
    /// classes and attributes, the settings pages' path segments, LinkedIn's host.
    #[test]
    fn the_skeleton_knows_what_the_rules_look_for() {
        use crate::skeleton::Known as _;
        let knowledge = skeleton_knowledge();
        for value in [
            "allowDataForGenerativeAI",
            "username",
            "global-nav__primary-link-me-menu-trigger",
            "COOKIE_CONSENT",
            "DENY",
            "login-submit",
        ] {
            assert!(knowledge.value(value), "{value}");
        }
        for attribute in [
            "action-type",
            "data-litms-control-urn",
            "data-test-global-alert-type",
        ] {
            assert!(knowledge.attribute(attribute), "{attribute}");
        }
        for segment in [
            "mypreferences",
            "settings",
            "data-for-ai-improvement",
            "privacy",
            "feed",
        ] {
            assert!(knowledge.path_segment(segment), "{segment}");
        }
        assert!(knowledge.host("www.linkedin.com"));
        assert!(!knowledge.host("linkedin.com.example.net"));
        assert!(!knowledge.value("ember12"));
        assert!(!knowledge.path_segment("jane-doe"));
    }

    #[test]
    fn every_marker_has_exactly_one_entry() {
        for marker in Marker::iter().filter(|marker| !marker.of_switch()) {
            let entries = MARKERS.iter().filter(|(m, _)| *m == marker).count();
            assert_eq!(
                entries, 1,
                "{marker:?} must have exactly one entry in MARKERS"
            );
        }
        for marker in Marker::iter().filter(|marker| marker.of_switch()) {
            assert!(MARKERS.iter().all(|(m, _)| *m != marker), "{marker:?}");
        }
    }
}
