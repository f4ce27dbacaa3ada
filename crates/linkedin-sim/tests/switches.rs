//! HTTP-level tests of the simulator's data-use switches: every catalogued switch on its own
//! page, listed with its state under its category, saved through the settings API with its
//! own server-side state and save count, the ads-beyond-linkedin dependency, and the
//! per-switch options (not offered, renamed key, moved page). Each test starts its own
//! simulator through the crate's harness and proves outcomes from the server's state.

use linkedin_sim::harness::{Page, Site};
use linkedin_sim::{AccountSpec, AccountView, AiTraining, SimConfig, SwitchState, switch_names};
use reqwest::StatusCode;
use serde_json::{Value, json};

const EMAIL: &str = "member@example.com";
const PASSWORD: &str = "correct horse";

/// linkedin-dom.md's list (Brave's rules), written out again so that the simulator's own
/// list is checked against the evidence: name, path under `/mypreferences/d/`, key,
/// category, whether the key is the switch's id rather than its label's.
const EVIDENCE: [(&str, &str, &str, &str, bool); 13] = [
    (
        "data-for-ai-improvement",
        "settings/data-for-ai-improvement",
        "allowDataForGenerativeAI",
        "privacy",
        false,
    ),
    (
        "policy-and-academic-research",
        "settings/policy-and-academic-research",
        "allowAnonymizedDataResearch",
        "privacy",
        false,
    ),
    (
        "member-cookies",
        "member-cookies",
        "nonEssentialCookieConsent",
        "privacy",
        true,
    ),
    (
        "share-data-with-select-partners",
        "settings/share-data-with-select-partners",
        "shareDataWithTrustedPartners",
        "advertising-data",
        false,
    ),
    (
        "linkedin-promotions-ads",
        "settings/linkedin-promotions",
        "allowProfileAndActivityDataForMarketingAds",
        "advertising-data",
        false,
    ),
    (
        "linkedin-promotions-emails",
        "settings/linkedin-promotions",
        "tipsForUsingLinkedinViaEmail",
        "advertising-data",
        false,
    ),
    (
        "ads-by-age",
        "settings/ads-by-age",
        "allowAdsByAge",
        "advertising-data",
        false,
    ),
    (
        "ads-by-gender",
        "settings/ads-by-gender",
        "allowAdsByGender",
        "advertising-data",
        false,
    ),
    (
        "ads-beyond-linkedin",
        "settings/ads-beyond-linkedin",
        "allowLinkedInAudienceNetwork",
        "advertising-data",
        false,
    ),
    (
        "ads-interactions-with-business",
        "settings/ads-interactions-with-business",
        "allowUseOfThirdPartyData",
        "advertising-data",
        false,
    ),
    (
        "ads-related-actions",
        "settings/ads-related-actions",
        "allowConversionTrackings",
        "advertising-data",
        false,
    ),
    (
        "ads-inferred-location",
        "settings/ads-inferred-location",
        "allowIpToPersonalizeAds",
        "advertising-data",
        false,
    ),
    (
        "interest-categories",
        "interest-categories",
        "adsPrivacyAllowInterestsAndBehaviors",
        "advertising-data",
        false,
    ),
];

async fn signed_in(options: Value) -> Site {
    let site = Site::with_accounts(vec![AccountSpec {
        password: PASSWORD.into(),
        ..AccountSpec::new(EMAIL)
    }])
    .await;
    site.put(EMAIL, options).await;
    sign_in(&site).await;
    site
}

/// Signs the member in through the classic sign-in form.
async fn sign_in(site: &Site) {
    let page = site.get("/login").await;
    let token = page
        .body
        .split("name=\"csrfToken\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-in page carries a form token")
        .to_owned();
    let page = site
        .post_form(
            "/checkpoint/lg/login-submit",
            &[
                ("session_key", EMAIL),
                ("session_password", PASSWORD),
                ("csrfToken", &token),
                ("session_redirect", ""),
            ],
        )
        .await;
    assert_eq!(page.location(), "/feed/", "{}", page.body);
}

/// What the page script sends when the member flips the switch served under `key`.
async fn save(site: &Site, key: &str, value: bool) -> StatusCode {
    let csrf = site
        .cookie("JSESSIONID")
        .expect("JSESSIONID is set")
        .trim_matches('"')
        .to_owned();
    site.browser()
        .post(site.url(&format!("/mysettings-api/settingsApiSettings/{key}")))
        .header("csrf-token", csrf)
        .json(&json!({ "value": value }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn page(site: &Site, path: &str) -> Page {
    site.get(&format!("/mypreferences/d/{path}")).await
}

/// The opening tag of the switch marked by `key` (through `aria-labelledby`, or as its id).
fn switch_tag(page: &Page, key: &str, by_id: bool) -> String {
    let marker = if by_id {
        format!(r#"id="{key}""#)
    } else {
        format!(r#"aria-labelledby="{key}""#)
    };
    let at = page
        .body
        .find(&format!("{marker} "))
        .unwrap_or_else(|| panic!("no switch marked {marker} in:\n{}", page.body));
    let start = page.body[..at].rfind('<').unwrap();
    let end = at + page.body[at..].find('>').unwrap() + 1;
    page.body[start..end].to_owned()
}

fn view(site: &Site) -> AccountView {
    site.account(EMAIL)
}

#[tokio::test]
async fn every_switch_is_served_on_its_own_page_with_linkedins_toggle() {
    let names: Vec<_> = switch_names().collect();
    let mut expected: Vec<_> = EVIDENCE.iter().map(|e| e.0).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(
        sorted, expected,
        "the simulator serves the evidence's switches"
    );

    let site = signed_in(json!({})).await;
    for (name, path, key, category, by_id) in EVIDENCE {
        let page = page(&site, path).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        page.has(&format!(r#"href="/mypreferences/d/categories/{category}""#))
            .has("'/mysettings-api/settingsApiSettings/' + key")
            .has("'csrf-token': csrfToken()");
        let tag = switch_tag(&page, key, by_id);
        for attribute in [
            r#"type="checkbox""#,
            r#"role="switch""#,
            r#"aria-checked="true""#,
            " checked",
        ] {
            assert!(
                tag.contains(attribute),
                "{name}: {attribute} missing in {tag}"
            );
        }
        if by_id {
            page.has(&format!(r#"<label for="{key}">"#));
        } else {
            page.has(&format!(r#"<label id="{key}" for="ember"#));
        }
    }
    // linkedin-promotions holds both its switches.
    page(&site, "settings/linkedin-promotions")
        .await
        .has(r#"aria-labelledby="allowProfileAndActivityDataForMarketingAds""#)
        .has(r#"aria-labelledby="tipsForUsingLinkedinViaEmail""#)
        .has(r#"["allowProfileAndActivityDataForMarketingAds", "tipsForUsingLinkedinViaEmail"]"#);
}

#[tokio::test]
async fn category_pages_list_each_switch_with_its_state() {
    let site = signed_in(json!({
        "ai_training": "off",
        "switches": { "ads-by-gender": "off", "member-cookies": "off" }
    }))
    .await;
    let privacy = page(&site, "categories/privacy").await;
    let ads = page(&site, "categories/advertising-data").await;
    for (name, path, _, category, _) in EVIDENCE {
        let listing = if category == "privacy" {
            &privacy
        } else {
            &ads
        };
        let other = if category == "privacy" {
            &ads
        } else {
            &privacy
        };
        let state = match name {
            "data-for-ai-improvement" | "ads-by-gender" | "member-cookies" => "Off",
            _ => "On",
        };
        let item = listing
            .body
            .split("<li>")
            .find(|item| item.contains(&format!(r#"<a href="/mypreferences/d/{path}">"#)))
            .unwrap_or_else(|| panic!("{category} does not list {name}:\n{}", listing.body));
        assert!(
            item.contains(&format!(
                r#"<span class="settings-sneak-peek__state">{state}</span>"#
            )),
            "{name} should read {state}: {item}"
        );
        other.lacks(&format!(r#"<a href="/mypreferences/d/{path}">"#));
    }
    privacy.has(r#"<a href="/mypreferences/d/settings/data-for-ai-improvement">Data for Generative AI Improvement</a> <span class="settings-sneak-peek__state">Off</span>"#);
    page(&site, "settings/ads-by-gender")
        .await
        .has(r#"aria-checked="false""#)
        .has(r#"<span class="artdeco-toggle__text" aria-hidden="true">Off</span>"#);
}

#[tokio::test]
async fn a_save_changes_its_own_switch_and_counts_for_it_alone() {
    let site = signed_in(json!({})).await;
    assert_eq!(save(&site, "allowAdsByAge", false).await, StatusCode::OK);
    assert_eq!(
        save(&site, "nonEssentialCookieConsent", false).await,
        StatusCode::OK
    );
    let view = view(&site);
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::Off);
    assert_eq!(view.spec.switches["member-cookies"], SwitchState::Off);
    assert_eq!(view.switch_writes["ads-by-age"], 1);
    assert_eq!(view.switch_writes["member-cookies"], 1);
    for name in switch_names().filter(|n| !["ads-by-age", "member-cookies"].contains(n)) {
        assert_eq!(view.spec.switches[name], SwitchState::On, "{name}");
        assert_eq!(view.switch_writes[name], 0, "{name}");
    }
    assert_eq!(view.spec.ai_training, AiTraining::On);
    assert_eq!(view.setting_writes, 0);
    page(&site, "settings/ads-by-age")
        .await
        .has(r#"aria-checked="false""#);

    // The AI switch is one of the switches: its saves count in both places.
    assert_eq!(
        save(&site, "allowDataForGenerativeAI", false).await,
        StatusCode::OK
    );
    let view = self::view(&site);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    assert_eq!(
        view.spec.switches["data-for-ai-improvement"],
        SwitchState::Off
    );
    assert_eq!(
        (
            view.setting_writes,
            view.switch_writes["data-for-ai-improvement"]
        ),
        (1, 1)
    );

    // A key no switch is served under is not a setting.
    assert_eq!(
        save(&site, "allowEverything", false).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ads_beyond_linkedin_off_also_turns_data_sharing_off() {
    let site = signed_in(json!({})).await;
    assert_eq!(
        save(&site, "allowLinkedInAudienceNetwork", false).await,
        StatusCode::OK
    );
    let view = view(&site);
    assert_eq!(view.spec.switches["ads-beyond-linkedin"], SwitchState::Off);
    assert_eq!(
        view.spec.switches["share-data-with-select-partners"],
        SwitchState::Off
    );
    // It moved along; nobody wrote it.
    assert_eq!(view.switch_writes["share-data-with-select-partners"], 0);
    page(&site, "settings/share-data-with-select-partners")
        .await
        .has(r#"aria-checked="false""#);

    // Switching it back on leaves data sharing as it is.
    assert_eq!(
        save(&site, "allowLinkedInAudienceNetwork", true).await,
        StatusCode::OK
    );
    let view = self::view(&site);
    assert_eq!(view.spec.switches["ads-beyond-linkedin"], SwitchState::On);
    assert_eq!(
        view.spec.switches["share-data-with-select-partners"],
        SwitchState::Off
    );

    // A switch the account is not offered stays not offered.
    site.put(
        EMAIL,
        json!({ "switches": { "share-data-with-select-partners": "not_offered" } }),
    )
    .await;
    assert_eq!(
        save(&site, "allowLinkedInAudienceNetwork", false).await,
        StatusCode::OK
    );
    assert_eq!(
        self::view(&site).spec.switches["share-data-with-select-partners"],
        SwitchState::NotOffered
    );
}

#[tokio::test]
async fn a_switch_not_offered_is_not_listed_has_no_switch_and_refuses_saves() {
    let site = signed_in(json!({
        "switches": { "ads-by-age": "not_offered", "linkedin-promotions-emails": "not_offered" }
    }))
    .await;
    page(&site, "categories/advertising-data")
        .await
        .lacks("settings/ads-by-age")
        .has("settings/ads-by-gender");
    let age = page(&site, "settings/ads-by-age").await;
    assert_eq!(age.status, StatusCode::OK);
    age.has("This setting isn't available for your account.")
        .lacks("allowAdsByAge")
        .lacks(r#"role="switch""#);
    assert_eq!(
        save(&site, "allowAdsByAge", false).await,
        StatusCode::NOT_FOUND
    );
    // The other switch of the page is still there, alone.
    page(&site, "settings/linkedin-promotions")
        .await
        .has(r#"aria-labelledby="allowProfileAndActivityDataForMarketingAds""#)
        .lacks("tipsForUsingLinkedinViaEmail");
    let view = view(&site);
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::NotOffered);
    assert_eq!(view.switch_writes["ads-by-age"], 0);
    // The others work.
    assert_eq!(save(&site, "allowAdsByGender", false).await, StatusCode::OK);
    assert_eq!(
        self::view(&site).spec.switches["ads-by-gender"],
        SwitchState::Off
    );
}

#[tokio::test]
async fn a_renamed_key_labels_the_switch_and_is_the_one_saved() {
    let site = signed_in(json!({
        "switch_keys": {
            "ads-by-age": "allowAdsByAgeRange",
            "data-for-ai-improvement": "allowDataForGenAIModels"
        }
    }))
    .await;
    page(&site, "settings/ads-by-age")
        .await
        .has(r#"aria-labelledby="allowAdsByAgeRange""#)
        .lacks("allowAdsByAge\"");
    page(&site, "settings/data-for-ai-improvement")
        .await
        .has(r#"aria-labelledby="allowDataForGenAIModels""#)
        .has(r#"["allowDataForGenAIModels", "allowDataForAIPoweredFeatures"]"#)
        .lacks("allowDataForGenerativeAI");
    assert_eq!(
        save(&site, "allowAdsByAge", false).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        save(&site, "allowDataForGenerativeAI", false).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(view(&site).switch_writes["ads-by-age"], 0);
    assert_eq!(
        save(&site, "allowAdsByAgeRange", false).await,
        StatusCode::OK
    );
    assert_eq!(
        save(&site, "allowDataForGenAIModels", false).await,
        StatusCode::OK
    );
    let view = view(&site);
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::Off);
    assert_eq!(view.switch_writes["ads-by-age"], 1);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    assert_eq!(view.setting_writes, 1);
}

#[tokio::test]
async fn a_moved_page_answers_404_at_its_usual_path_and_is_listed_where_it_went() {
    let site = signed_in(json!({
        "switch_paths": {
            "interest-categories": "settings/ads-interests",
            "ads-by-age": "ads/age-range",
            "data-for-ai-improvement": "settings/generative-ai-data"
        }
    }))
    .await;
    for old in [
        "interest-categories",
        "settings/ads-by-age",
        "settings/data-for-ai-improvement",
    ] {
        let page = page(&site, old).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{old}");
    }
    page(&site, "settings/ads-interests")
        .await
        .has(r#"aria-labelledby="adsPrivacyAllowInterestsAndBehaviors""#);
    page(&site, "ads/age-range")
        .await
        .has(r#"aria-labelledby="allowAdsByAge""#);
    page(&site, "settings/generative-ai-data")
        .await
        .has(r#"aria-labelledby="allowDataForGenerativeAI""#);
    page(&site, "categories/advertising-data")
        .await
        .has(r#"<a href="/mypreferences/d/settings/ads-interests">Interest categories</a>"#)
        .has(r#"<a href="/mypreferences/d/ads/age-range">Age</a>"#)
        .lacks("/mypreferences/d/interest-categories\"");
    page(&site, "categories/privacy")
        .await
        .has(r#"<a href="/mypreferences/d/settings/generative-ai-data">"#)
        .lacks("data-for-ai-improvement");
}

#[tokio::test]
async fn control_api_shows_and_takes_every_switch() {
    let site = signed_in(json!({})).await;
    let url = site.url(&format!("/__sim/accounts/{EMAIL}"));
    let control = reqwest::Client::new();
    let shown: Value = control
        .get(url.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for name in switch_names() {
        assert_eq!(shown["switches"][name], "on", "{name}: {shown}");
        assert_eq!(shown["switch_writes"][name], 0, "{name}: {shown}");
    }
    assert_eq!(shown["switch_keys"], json!({}));
    assert_eq!(shown["switch_paths"], json!({}));

    // The AI switch can be set as a switch; it is `ai_training`.
    let put = |body: Value| {
        let control = control.clone();
        let url = url.clone();
        async move { control.put(url).json(&body).send().await.unwrap() }
    };
    let answer =
        put(json!({ "switches": { "data-for-ai-improvement": "off", "ads-by-age": "off" } })).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let view = view(&site);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::Off);
    // Switches merge name by name.
    put(json!({ "switches": { "ads-by-gender": "not_offered" } })).await;
    let view = self::view(&site);
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::Off);
    assert_eq!(view.spec.switches["ads-by-gender"], SwitchState::NotOffered);
    put(json!({ "ai_training": "on" })).await;
    assert_eq!(
        self::view(&site).spec.switches["data-for-ai-improvement"],
        SwitchState::On
    );

    // What GET shows can be sent back as it is.
    let shown: Value = control
        .get(url.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(put(shown).await.status(), StatusCode::OK);

    for bad in [
        json!({ "ai_training": "on", "switches": { "data-for-ai-improvement": "off" } }),
        json!({ "switches": { "ads-by-shoe-size": "off" } }),
        json!({ "switches": { "ads-by-age": "maybe" } }),
        json!({ "switch_keys": { "ads-by-age": "allowAdsByGender" } }),
        json!({ "switch_keys": { "ads-by-age": "" } }),
        json!({ "switch_paths": { "ads-by-age": "/settings/x" } }),
        json!({ "switch_paths": { "ads-by-age": "settings/../x" } }),
        json!({ "switch_paths": { "ads-by-age": "categories/privacy" } }),
    ] {
        let answer = put(bad.clone()).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let view = self::view(&site);
    assert_eq!(
        view.spec.ai_training,
        AiTraining::On,
        "a refused PUT changes nothing"
    );
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::Off);
}

#[tokio::test]
async fn switches_and_their_saves_survive_a_restart_from_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("state.json");
    let config = || SimConfig {
        state_file: Some(state_file.clone()),
        ..SimConfig::default()
    };
    let site = Site::start(config()).await;
    site.put(
        EMAIL,
        json!({ "password": PASSWORD, "switch_keys": { "ads-by-age": "allowAge" } }),
    )
    .await;
    site.shutdown().await;
    let site = Site::start(config()).await;
    sign_in(&site).await;
    assert_eq!(save(&site, "allowAge", false).await, StatusCode::OK);
    assert_eq!(
        save(&site, "allowDataForGenerativeAI", false).await,
        StatusCode::OK
    );
    site.shutdown().await;

    let site = Site::start(config()).await;
    let view = view(&site);
    assert_eq!(view.spec.switches["ads-by-age"], SwitchState::Off);
    assert_eq!(view.spec.switch_keys["ads-by-age"], "allowAge");
    assert_eq!(view.switch_writes["ads-by-age"], 1);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    assert_eq!(view.switch_writes["data-for-ai-improvement"], 1);
    assert_eq!(view.setting_writes, 1);
}
