//! The data-use switches the simulated site serves, each on its own page under
//! `/mypreferences/d/`, listed with its state under its Settings & Privacy category.
//!
//! The site keeps its own list (it cannot read the tool's catalogue): the switches of
//! linkedin-dom.md ("Related switches", "Brave's LinkedIn list in full"), with their paths
//! and keys as Brave's rules give them. Where linkedin-dom.md is silent the simulator
//! chooses, and says so here:
//! - titles and labels are English in every locale, except those of the AI switch and of
//!   the research switch, whose translations the pages already carry; where no capture gives
//!   a title, it is the tool catalogue's ("Ads outside of LinkedIn" is LinkedIn's own name,
//!   from its help page), so that both sides name a page alike;
//! - the two switches of `linkedin-promotions` are named `linkedin-promotions-ads` and
//!   `linkedin-promotions-emails`;
//! - `member-cookies` sits under Data privacy, every `ads-…` page, `interest-categories` and
//!   `share-data-with-select-partners` under Advertising data.

use crate::i18n::Texts;

/// The name of "Data for Generative AI Improvement", whose state is the account's
/// `ai_training` and whose page is the one the tool has always visited.
pub(crate) const AI: &str = "data-for-ai-improvement";

/// Switching this one off also switches [`SHARE_DATA`] off (LinkedIn's help page on data
/// sharing, linkedin-dom.md).
pub(crate) const ADS_BEYOND_LINKEDIN: &str = "ads-beyond-linkedin";
pub(crate) const SHARE_DATA: &str = "share-data-with-select-partners";

/// How the key labels the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// `[role=switch][aria-labelledby=KEY]`, the key being the id of its label.
    LabelledBy,
    /// `input[role=switch]#KEY`: the key is the switch's own id (`member-cookies`).
    Id,
}

/// One switch of the site.
pub(crate) struct Switch {
    /// Stable kebab-case name, as the control API shows it.
    pub name: &'static str,
    /// Where its page is, under `/mypreferences/d/`.
    pub path: &'static str,
    pub key: &'static str,
    pub marker: Marker,
    /// The slug of its Settings & Privacy category (`pages::settings::CATEGORIES`).
    pub category: &'static str,
    /// Its title, as its category page lists it (the page's heading when it is alone there).
    pub title: fn(&Texts) -> &'static str,
    /// The heading of its page.
    pub heading: fn(&Texts) -> &'static str,
    /// What its page says about it, above the switch.
    pub question: fn(&Texts) -> &'static str,
    /// The switch's label.
    pub label: fn(&Texts) -> &'static str,
}

/// Every switch, in the order the category pages list them.
pub(crate) static SWITCHES: [Switch; 13] = [
    Switch {
        name: "policy-and-academic-research",
        path: "settings/policy-and-academic-research",
        key: "allowAnonymizedDataResearch",
        marker: Marker::LabelledBy,
        category: "privacy",
        title: |t| t.research_title,
        heading: |t| t.research_title,
        question: |_| "Can LinkedIn share your data with trusted third parties for social, economic, and workplace research?",
        label: |_| "Allow my data to be used for research",
    },
    Switch {
        name: AI,
        path: "settings/data-for-ai-improvement",
        key: "allowDataForGenerativeAI",
        marker: Marker::LabelledBy,
        category: "privacy",
        title: |t| t.ai_title,
        heading: |t| t.ai_title,
        question: |t| t.ai_question,
        label: |t| t.ai_switch_label,
    },
    Switch {
        name: "member-cookies",
        path: "member-cookies",
        key: "nonEssentialCookieConsent",
        marker: Marker::Id,
        category: "privacy",
        title: |_| "Cookie preferences",
        heading: |_| "Cookie preferences",
        question: |_| "Can LinkedIn and third parties use non-essential cookies to analyze, improve and show you relevant ads?",
        label: |_| "Allow non-essential cookies",
    },
    Switch {
        name: SHARE_DATA,
        path: "settings/share-data-with-select-partners",
        key: "shareDataWithTrustedPartners",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Data sharing with affiliates and select partners",
        heading: |_| "Data sharing with affiliates and select partners",
        question: |_| "Can LinkedIn share your data with its affiliates and select partners to personalize ads?",
        label: |_| "Share my data with affiliates and select partners",
    },
    Switch {
        name: "linkedin-promotions-ads",
        path: "settings/linkedin-promotions",
        key: "allowProfileAndActivityDataForMarketingAds",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Promotions based on your profile and activity",
        heading: |_| "LinkedIn promotions",
        question: |_| "Can LinkedIn use your profile and activity data to show you its own marketing promotions?",
        label: |_| "Use my profile and activity data for LinkedIn's marketing ads",
    },
    Switch {
        name: "linkedin-promotions-emails",
        path: "settings/linkedin-promotions",
        key: "tipsForUsingLinkedinViaEmail",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Tips and promotions by email",
        heading: |_| "LinkedIn promotions",
        question: |_| "Can LinkedIn send you marketing emails about using LinkedIn?",
        label: |_| "Send me tips for using LinkedIn by email",
    },
    Switch {
        name: "ads-by-age",
        path: "settings/ads-by-age",
        key: "allowAdsByAge",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Age",
        heading: |_| "Age",
        question: |_| "Can LinkedIn use your age range to personalize ads?",
        label: |_| "Use my age range for ads",
    },
    Switch {
        name: "ads-by-gender",
        path: "settings/ads-by-gender",
        key: "allowAdsByGender",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Gender",
        heading: |_| "Gender",
        question: |_| "Can LinkedIn use your inferred gender to personalize ads?",
        label: |_| "Use my inferred gender for ads",
    },
    Switch {
        name: ADS_BEYOND_LINKEDIN,
        path: "settings/ads-beyond-linkedin",
        key: "allowLinkedInAudienceNetwork",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Ads outside of LinkedIn",
        heading: |_| "Ads outside of LinkedIn",
        question: |_| "Can LinkedIn show you personalized ads on apps and sites off LinkedIn?",
        label: |_| "Show me personalized ads beyond LinkedIn",
    },
    Switch {
        name: "ads-interactions-with-business",
        path: "settings/ads-interactions-with-business",
        key: "allowUseOfThirdPartyData",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Interactions with businesses",
        heading: |_| "Interactions with businesses",
        question: |_| "Can LinkedIn use data that businesses share about you to personalize ads?",
        label: |_| "Use data from businesses for ads",
    },
    Switch {
        name: "ads-related-actions",
        path: "settings/ads-related-actions",
        key: "allowConversionTrackings",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Ad-related actions",
        heading: |_| "Ad-related actions",
        question: |_| "Can LinkedIn tell advertisers about actions you take after seeing their ads?",
        label: |_| "Allow ad insights and conversion tracking",
    },
    Switch {
        name: "ads-inferred-location",
        path: "settings/ads-inferred-location",
        key: "allowIpToPersonalizeAds",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Inferred city location",
        heading: |_| "Inferred city location",
        question: |_| "Can LinkedIn use the city it infers from your IP address for ads?",
        label: |_| "Use my inferred city for ads",
    },
    Switch {
        name: "interest-categories",
        path: "interest-categories",
        key: "adsPrivacyAllowInterestsAndBehaviors",
        marker: Marker::LabelledBy,
        category: "advertising-data",
        title: |_| "Interest categories",
        heading: |_| "Interest categories",
        question: |_| "Can LinkedIn use interests and traits it infers about you for ads?",
        label: |_| "Use my inferred interests and traits for ads",
    },
];

/// The switch of this name.
pub(crate) fn by_name(name: &str) -> Option<&'static Switch> {
    SWITCHES.iter().find(|s| s.name == name)
}

/// The names of every switch the site serves, in the order its category pages list them.
pub fn switch_names() -> impl Iterator<Item = &'static str> {
    SWITCHES.iter().map(|s| s.name)
}
