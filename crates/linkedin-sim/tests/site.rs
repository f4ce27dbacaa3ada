//! HTTP-level tests of the LinkedIn simulator: markup contracts, sign-in and its
//! checkpoints, the settings API and its faults, and the control API. Each test starts its
//! own simulator on port 0 with a single account, through the crate's harness.

use std::time::Duration;

use linkedin_sim::harness::{Page, Sim, Site};
use linkedin_sim::{
    AccountSpec, AccountView, AiTraining, Checkpoint, ConfirmDialog, Consent, Faults, Interstitial,
    Locale, LoginVariant, SecondSwitch, SimConfig, Simulator, SwitchKind,
};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

const EMAIL: &str = "member@example.com";
const PASSWORD: &str = "correct horse";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn account() -> AccountSpec {
    AccountSpec {
        password: PASSWORD.into(),
        ..AccountSpec::new(EMAIL)
    }
}

async fn site(spec: AccountSpec) -> Site {
    Site::with_accounts(vec![spec]).await
}

/// What these tests do as the one member of their site.
trait Member {
    fn view(&self) -> AccountView;
    async fn login_token(&self) -> String;
    async fn submit_login(&self, email: &str, password: &str, redirect: &str) -> Page;
    async fn sign_in(&self);
    async fn fetch_login(&self, password: &str) -> (StatusCode, String);
    async fn save(&self, value: bool, csrf: Option<&str>) -> StatusCode;
    fn csrf(&self) -> String;
    async fn setting_page(&self) -> Page;
}

impl Member for Site {
    fn view(&self) -> AccountView {
        self.account(EMAIL)
    }

    /// Loads the sign-in page and returns its form token.
    async fn login_token(&self) -> String {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK);
        between(&page.body, "name=\"csrfToken\" value=\"", "\"")
            .or_else(|| between(&page.body, "var csrfToken = \"", "\""))
            .expect("the sign-in page carries a form token")
    }

    async fn submit_login(&self, email: &str, password: &str, redirect: &str) -> Page {
        let token = self.login_token().await;
        self.post_form(
            "/checkpoint/lg/login-submit",
            &[
                ("session_key", email),
                ("session_password", password),
                ("csrfToken", &token),
                ("session_redirect", redirect),
            ],
        )
        .await
    }

    /// Signs in with the right password and expects to land on `/feed/`.
    async fn sign_in(&self) {
        let page = self.submit_login(EMAIL, PASSWORD, "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), "/feed/");
    }

    /// The modern page's fetch: same fields, `X-Requested-With: fetch`, JSON back.
    async fn fetch_login(&self, password: &str) -> (StatusCode, String) {
        let token = self.login_token().await;
        let response = self
            .browser()
            .post(self.url("/checkpoint/lg/login-submit"))
            .header("X-Requested-With", "fetch")
            .form(&[
                ("session_key", EMAIL),
                ("session_password", password),
                ("csrfToken", token.as_str()),
                ("session_redirect", ""),
            ])
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// The switch's save request, with the given `csrf-token` header.
    async fn save(&self, value: bool, csrf: Option<&str>) -> StatusCode {
        let mut request = self
            .browser()
            .post(self.url("/mysettings-api/settingsApiSettings/allowDataForGenerativeAI"))
            .json(&serde_json::json!({ "value": value }));
        if let Some(csrf) = csrf {
            request = request.header("csrf-token", csrf);
        }
        request.send().await.unwrap().status()
    }

    /// The CSRF token the page script derives from `JSESSIONID`.
    fn csrf(&self) -> String {
        self.cookie("JSESSIONID")
            .expect("JSESSIONID is set")
            .trim_matches('"')
            .to_owned()
    }

    async fn setting_page(&self) -> Page {
        let page = self
            .get("/mypreferences/d/settings/data-for-ai-improvement")
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_owned())
}

/// The `<input>` element of the switch.
fn switch_input(body: &str) -> String {
    let start = body
        .find("<input id=\"ember")
        .expect("the setting page has a switch");
    body[start..start + body[start..].find('>').unwrap() + 1].to_owned()
}

fn totp(secret: &str) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn classic_login_page_has_linkedins_form() {
    let site = site(account()).await;
    let page = site.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    page.has("<html lang=\"en\">")
        .has("<title>")
        .has(r#"<meta name="pageKey" content="d_checkpoint_lg_consumer_login">"#)
        .has(r#"<form method="post" class="login__form" action="/checkpoint/lg/login-submit""#)
        .has(r#"name="csrfToken""#)
        .has(r#"name="session_redirect""#)
        .has(r#"id="username" name="session_key" type="email" autocomplete="username webauthn""#)
        .has(r#"id="password" name="session_password" type="password" autocomplete="current-password""#)
        .has(r#"data-litms-control-urn="login-submit" aria-label="Sign in" type="submit">Sign in</button>"#);
    assert_eq!(site.get("/uas/login").await.status, StatusCode::OK);
    let redirected = site
        .get("/login?session_redirect=%2Fmypreferences%2Fd%2F")
        .await;
    redirected.has(r#"name="session_redirect" value="/mypreferences/d/""#);
}

#[tokio::test]
async fn modern_login_page_has_no_form_and_generated_ids() {
    let site = site(AccountSpec {
        login_variant: LoginVariant::Modern,
        ..account()
    })
    .await;
    let page = site.get("/login").await;
    page.has(r#"<meta name="pageKey" content="d_checkpoint_lg_consumer_login">"#)
        .lacks("<form")
        .lacks("name=\"session_key\"")
        .lacks("id=\"username\"")
        .has(r#"id=":r1:" type="email" autocomplete="username""#)
        .has(r#"type="password" autocomplete="current-password""#)
        .has(r#"type="button" aria-label="Show password" aria-pressed="false""#)
        .has(r#"type="checkbox" checked"#)
        .has(r#"type="button">Sign in</button>"#)
        .has("'X-Requested-With': 'fetch'")
        .has("var csrfToken = \"ajax:");
}

#[tokio::test]
async fn sign_in_sets_session_cookies_and_counts() {
    let site = site(account()).await;
    let page = site.submit_login(EMAIL, PASSWORD, "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/feed/");
    let cookies = page.set_cookies();
    let find = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
            .clone()
    };
    let li_at = find("li_at");
    assert!(
        li_at.contains("HttpOnly") && li_at.contains("Path=/"),
        "{li_at}"
    );
    assert!(find("liap").starts_with("liap=true"));
    let jsessionid = find("JSESSIONID");
    assert!(!jsessionid.contains("HttpOnly"), "{jsessionid}");
    let value = between(&jsessionid, "JSESSIONID=\"ajax:", "\"").expect("quoted ajax: value");
    assert_eq!(value.len(), 19);
    assert!(value.chars().all(|c| c.is_ascii_digit()));

    let view = site.view();
    assert_eq!(view.sign_ins, 1);
    assert_eq!(view.active_sessions, 1);

    let feed = site.get("/feed/").await;
    assert_eq!(feed.status, StatusCode::OK);
    feed.has("<title>Feed | LinkedIn</title>")
        .has(r#"<nav class="global-nav""#)
        .has(r#"class="global-nav__primary-link""#)
        .has("global-nav__primary-link-me-menu-trigger artdeco-dropdown__trigger")
        .has(r#"aria-expanded="false""#)
        .has(r#"<img class="global-nav__me-photo" src="data:"#)
        .has(r#"<div class="global-nav__me-content artdeco-dropdown__content" hidden>"#)
        .has(r#"<a class="global-nav__secondary-link" data-control-name="nav.settings" href="/mypreferences/d/categories/account">Settings &amp; Privacy</a>"#)
        .has(">Sign Out</a>");

    // Signed in, the sign-in page sends the member on.
    let again = site.get("/login").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/feed/");
}

#[tokio::test]
async fn sign_in_follows_same_site_redirects_only() {
    let site = site(account()).await;
    let page = site
        .submit_login(EMAIL, PASSWORD, "/mypreferences/d/categories/privacy")
        .await;
    assert_eq!(page.location(), "/mypreferences/d/categories/privacy");
    site.get("/m/logout/").await;
    let page = site
        .submit_login(EMAIL, PASSWORD, "https://evil.example/phish")
        .await;
    assert_eq!(page.location(), "/feed/");
    site.get("/m/logout/").await;
    let page = site.submit_login(EMAIL, PASSWORD, "//evil.example/").await;
    assert_eq!(page.location(), "/feed/");
}

#[tokio::test]
async fn wrong_credentials_show_errors_under_the_field() {
    let site = site(account()).await;
    let page = site.submit_login(EMAIL, "wrong", "").await;
    assert_eq!(page.status, StatusCode::OK);
    page.has(r#"id="error-for-password" class="form__label--error" role="alert" aria-live="assertive">Wrong email or password"#)
        .has(r#"id="error-for-username" class="form__label--error" role="alert" aria-live="assertive" hidden></div>"#)
        .has(r#"name="csrfToken""#);
    let page = site.submit_login("nobody@example.com", PASSWORD, "").await;
    page.has(r#"id="error-for-username" class="form__label--error" role="alert" aria-live="assertive">Couldn"#);
    assert_eq!(site.view().sign_ins, 0);
    assert!(site.cookie("li_at").is_none());
}

#[tokio::test]
async fn sign_in_without_a_valid_form_token_is_forbidden() {
    let site = site(account()).await;
    let without = site
        .post_form(
            "/checkpoint/lg/login-submit",
            &[("session_key", EMAIL), ("session_password", PASSWORD)],
        )
        .await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let unknown = site
        .post_form(
            "/checkpoint/lg/login-submit",
            &[
                ("session_key", EMAIL),
                ("session_password", PASSWORD),
                ("csrfToken", "ajax:1234567890123456789"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(site.view().sign_ins, 0);
}

#[tokio::test]
async fn modern_fetch_gets_json_answers() {
    let site = site(AccountSpec {
        login_variant: LoginVariant::Modern,
        ..account()
    })
    .await;
    let (status, body) = site.fetch_login("wrong").await;
    assert_eq!(status, StatusCode::OK);
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["field"], "password");
    assert!(answer["error"].as_str().unwrap().starts_with("Wrong email"));

    let (status, body) = site.fetch_login(PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"redirect":"/feed/"}"#);
    assert!(site.cookie("li_at").is_some());
    assert_eq!(site.view().sign_ins, 1);
}

#[tokio::test]
async fn remember_me_prompt_comes_between_sign_in_and_target() {
    let site = site(AccountSpec {
        remember_me_prompt: true,
        ..account()
    })
    .await;
    let page = site
        .submit_login(EMAIL, PASSWORD, "/mypreferences/d/")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.has(r#"action="/checkpoint/lg/remember-me-submit""#)
        .has(r#"id="remember-me-prompt__form-primary""#);
    assert!(site.cookie("li_at").is_some(), "the session exists already");
    assert_eq!(site.view().sign_ins, 1);
    let next = site
        .post_form(
            "/checkpoint/lg/remember-me-submit",
            &[("rememberMeOptIn", "true")],
        )
        .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.location(), "/mypreferences/d/");
}

#[tokio::test]
async fn modern_fetch_reaches_the_remember_me_prompt_by_get() {
    let site = site(AccountSpec {
        remember_me_prompt: true,
        login_variant: LoginVariant::Modern,
        ..account()
    })
    .await;
    let (_, body) = site.fetch_login(PASSWORD).await;
    assert_eq!(body, r#"{"redirect":"/checkpoint/lg/login-submit"}"#);
    site.get("/checkpoint/lg/login-submit")
        .await
        .has(r#"id="remember-me-prompt__form-primary""#);
}

#[tokio::test]
async fn signed_out_member_pages_redirect_to_the_authwall() {
    let site = site(account()).await;
    for path in [
        "/feed/",
        "/mypreferences/d/categories/privacy",
        "/mypreferences/d/",
    ] {
        let page = site.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let location = page.location().to_owned();
        assert!(location.starts_with("/authwall?trk="), "{location}");
        let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert!(
            location.ends_with(&format!("&sessionRedirect={encoded}")),
            "{location}"
        );
    }
    let wall = site
        .get("/authwall?trk=gf&sessionRedirect=%2Fmypreferences%2Fd%2F")
        .await;
    assert_eq!(wall.status, StatusCode::OK);
    wall.has(r#"href="/login?session_redirect=%2Fmypreferences%2Fd%2F""#);
}

#[tokio::test]
async fn preferences_root_redirects_to_account_category() {
    let site = site(account()).await;
    site.sign_in().await;
    for path in ["/mypreferences/d/", "/mypreferences/d"] {
        let page = site.get(path).await;
        assert_eq!(page.status, StatusCode::FOUND);
        assert_eq!(page.location(), "/mypreferences/d/categories/account");
    }
    let account = site.get("/mypreferences/d/categories/account").await;
    assert_eq!(account.status, StatusCode::OK);
    account.has("<h1>Account preferences</h1>");
    assert_eq!(
        site.get("/mypreferences/d/categories/nonsense")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn privacy_category_lists_sections_and_links() {
    let site = site(account()).await;
    site.sign_in().await;
    let page = site.get("/mypreferences/d/categories/privacy").await;
    assert_eq!(page.status, StatusCode::OK);
    for (slug, name) in [
        ("account", "Account preferences"),
        ("sign-in-and-security", "Sign in &amp; security"),
        ("visibility", "Visibility"),
        ("privacy", "Data privacy"),
        ("advertising-data", "Advertising data"),
        ("notifications", "Notifications"),
    ] {
        page.has(&format!("href=\"/mypreferences/d/categories/{slug}\""))
            .has(&format!(">{name}</a>"));
    }
    for section in [
        "How LinkedIn uses your data",
        "Who can reach you",
        "Messaging experience",
        "Job seeking preferences",
        "Other applications",
    ] {
        page.has(&format!("<h2>{section}</h2>"));
    }
    page.has(r#"<a href="/mypreferences/d/settings/policy-and-academic-research">Social, economic, and workplace research</a>"#)
        .has(r#"<a href="/mypreferences/d/settings/data-for-ai-improvement">Data for Generative AI Improvement</a>"#);
    let research = site
        .get("/mypreferences/d/settings/policy-and-academic-research")
        .await;
    assert_eq!(research.status, StatusCode::OK);
    research.has("<h1>Social, economic, and workplace research</h1>");
}

#[tokio::test]
async fn setting_page_carries_linkedins_toggle() {
    let site = site(account()).await;
    site.sign_in().await;
    let page = site.setting_page().await;
    page.has("<h1>Data for Generative AI Improvement</h1>")
        .has(r#"href="/mypreferences/d/categories/privacy""#)
        .has("Can LinkedIn and its affiliates use your personal data")
        .has(r#"<div class="artdeco-toggle">"#)
        .has(r#"<label id="allowDataForGenerativeAI" for="ember"#)
        .has(">Use my data for training content creation AI models</label>")
        .has(r#"<span class="artdeco-toggle__text" aria-hidden="true">On</span>"#)
        .has("private messages")
        .has(">Learn more</a>")
        .has("'csrf-token': csrfToken()")
        .has("'/mysettings-api/settingsApiSettings/' + key")
        .has(r#"["allowDataForGenerativeAI", "allowDataForAIPoweredFeatures"]"#);
    let input = switch_input(&page.body);
    for attribute in [
        r#"class="artdeco-toggle__button""#,
        r#"type="checkbox""#,
        r#"role="switch""#,
        r#"aria-labelledby="allowDataForGenerativeAI""#,
        r#"aria-checked="true""#,
        " checked>",
    ] {
        assert!(input.contains(attribute), "{attribute} missing in {input}");
    }
    let id = between(&input, "id=\"", "\"").unwrap();
    page.has(&format!(
        r#"<label id="allowDataForGenerativeAI" for="{id}">"#
    ));
}

#[tokio::test]
async fn saving_needs_the_csrf_token_and_is_counted() {
    let site = site(account()).await;
    site.sign_in().await;
    assert_eq!(site.save(false, None).await, StatusCode::FORBIDDEN);
    assert_eq!(
        site.save(false, Some("ajax:0")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(site.view().setting_writes, 0);
    assert_eq!(site.view().spec.ai_training, AiTraining::On);

    let csrf = site.csrf();
    assert_eq!(site.save(false, Some(&csrf)).await, StatusCode::OK);
    let view = site.view();
    assert_eq!(view.setting_writes, 1);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    let page = site.setting_page().await;
    page.has(r#"<span class="artdeco-toggle__text" aria-hidden="true">Off</span>"#);
    let input = switch_input(&page.body);
    assert!(input.contains(r#"aria-checked="false""#), "{input}");
    assert!(!input.contains("checked>"), "{input}");
}

#[tokio::test]
async fn saving_signed_out_is_forbidden() {
    let site = site(account()).await;
    assert_eq!(
        site.save(false, Some("ajax:1234567890123456789")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(site.view().setting_writes, 0);
}

#[tokio::test]
async fn failing_saves_answer_500_and_change_nothing() {
    let mut spec = account();
    spec.faults.save_fails = true;
    let site = site(spec).await;
    site.sign_in().await;
    let csrf = site.csrf();
    assert_eq!(
        site.save(false, Some(&csrf)).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let view = site.view();
    assert_eq!(view.spec.ai_training, AiTraining::On);
    assert_eq!(view.setting_writes, 0);
    site.setting_page().await.has(">On</span>");
}

#[tokio::test]
async fn saves_not_kept_answer_200_but_the_next_load_shows_on() {
    let mut spec = account();
    spec.faults.save_not_kept = true;
    let site = site(spec).await;
    site.sign_in().await;
    let csrf = site.csrf();
    assert_eq!(site.save(false, Some(&csrf)).await, StatusCode::OK);
    let view = site.view();
    assert_eq!(view.setting_writes, 1);
    assert_eq!(view.spec.ai_training, AiTraining::On);
    let page = site.setting_page().await;
    assert!(switch_input(&page.body).contains(r#"aria-checked="true""#));
}

#[tokio::test]
async fn setting_not_offered_has_no_switch() {
    let site = site(AccountSpec {
        ai_training: AiTraining::NotOffered,
        ..account()
    })
    .await;
    site.sign_in().await;
    site.setting_page()
        .await
        .has("<h1>Data for Generative AI Improvement</h1>")
        .has("This setting isn't available for your account.")
        .lacks("allowDataForGenerativeAI")
        .lacks("role=\"switch\"");
    let csrf = site.csrf();
    assert_eq!(site.save(false, Some(&csrf)).await, StatusCode::NOT_FOUND);
    assert_eq!(site.view().spec.ai_training, AiTraining::NotOffered);
    // Like for EU members before November 2025, Data privacy does not list it.
    site.get("/mypreferences/d/categories/privacy")
        .await
        .lacks("data-for-ai-improvement")
        .has("policy-and-academic-research");
}

#[tokio::test]
async fn moved_setting_answers_404_at_the_usual_slug() {
    let site = site(AccountSpec {
        setting_slug: Some("generative-ai-data".into()),
        ..account()
    })
    .await;
    site.sign_in().await;
    let old = site
        .get("/mypreferences/d/settings/data-for-ai-improvement")
        .await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    old.has("This page doesn't exist");
    site.get("/mypreferences/d/categories/privacy")
        .await
        .has(r#"<a href="/mypreferences/d/settings/generative-ai-data">Data for Generative AI Improvement</a>"#)
        .lacks("data-for-ai-improvement");
    let new = site
        .get("/mypreferences/d/settings/generative-ai-data")
        .await;
    assert_eq!(new.status, StatusCode::OK);
    new.has(r#"aria-labelledby="allowDataForGenerativeAI""#);
}

/// Signs in with the right password against a checkpoint and returns its page.
async fn checkpoint_site(checkpoint: Checkpoint) -> (Site, Page) {
    let site = site(AccountSpec {
        checkpoint,
        totp_secret: Some(TOTP_SECRET.into()),
        ..account()
    })
    .await;
    let submit = site
        .submit_login(EMAIL, PASSWORD, "/mypreferences/d/")
        .await;
    assert_eq!(submit.status, StatusCode::SEE_OTHER);
    let location = submit.location().to_owned();
    assert!(location.starts_with("/checkpoint/challenge/"), "{location}");
    assert!(site.cookie("li_at").is_none());
    let page = site.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(site.view().sign_ins, 0);
    (site, page)
}

fn challenge_id(page: &Page) -> String {
    between(&page.body, r#"name="challengeId" value=""#, "\"").expect("a challenge id")
}

#[tokio::test]
async fn email_pin_checkpoint_takes_the_pin_from_the_control_api() {
    let (site, page) = checkpoint_site(Checkpoint::EmailPin).await;
    page.has(r#"<form id="email-pin-challenge""#)
        .has(r#"id="input__email_verification_pin" name="pin""#)
        .has(r#"<button id="email-pin-submit-button" type="submit">"#);
    let id = challenge_id(&page);
    let pin = site.view().pending_pin.expect("a pending PIN");
    assert_eq!(pin.len(), 6);

    let wrong = if pin == "000000" { "111111" } else { "000000" };
    let again = site
        .post_form(
            "/checkpoint/challenge/verify",
            &[("challengeId", &id), ("pin", wrong)],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    again.has(r#"role="alert""#).has("isn't valid");
    assert_eq!(site.view().sign_ins, 0);

    let done = site
        .post_form(
            "/checkpoint/challenge/verify",
            &[("challengeId", &id), ("pin", &pin)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/mypreferences/d/");
    let view = site.view();
    assert_eq!(view.sign_ins, 1);
    assert_eq!(view.pending_pin, None);
    assert!(site.cookie("li_at").is_some());
}

#[tokio::test]
async fn two_step_checkpoint_accepts_a_current_totp_code_only() {
    let (site, page) = checkpoint_site(Checkpoint::TwoStep).await;
    page.has(r#"<form id="two-step-challenge""#)
        .has(r#"id="input__phone_verification_pin" name="pin""#)
        .has(r#"<label for="recognizedDevice">"#)
        .has(r#"id="recognizedDevice""#)
        .has(r#"<button id="two-step-submit-button" type="submit">"#);
    let id = challenge_id(&page);

    let totp = totp(TOTP_SECRET);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // A code valid in no step the server could accept now or a little later.
    let near: Vec<String> = (-3i64..=3)
        .map(|k| totp.generate((now as i64 + 30 * k) as u64).to_string())
        .collect();
    let wrong = (0..)
        .map(|n| format!("{:06}", n * 7919 % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap();
    let rejected = site
        .post_form(
            "/checkpoint/challenge/verify",
            &[("challengeId", &id), ("pin", &wrong)],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK);
    rejected.has(r#"role="alert""#);
    assert_eq!(site.view().sign_ins, 0);

    let code = totp.generate_current().to_string();
    let accepted = site
        .post_form(
            "/checkpoint/challenge/verify",
            &[("challengeId", &id), ("pin", &code)],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), "/mypreferences/d/");
    assert_eq!(site.view().sign_ins, 1);
}

#[tokio::test]
async fn app_approval_completes_only_once_approved() {
    let (site, page) = checkpoint_site(Checkpoint::AppApproval).await;
    page.has(r#"data-test-id="auth-app-approval""#)
        .has("Check your LinkedIn app");
    let path = site
        .base_url()
        .join(&format!(
            "/checkpoint/challenge/{}",
            between(&page.body, "encodeURIComponent(\"", "\"").unwrap()
        ))
        .unwrap();
    let again = site.page(site.browser().get(path.clone())).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(site.view().sign_ins, 0);

    let approve = site
        .browser()
        .post(site.url(&format!("/__sim/accounts/{EMAIL}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), StatusCode::OK);
    let done = site.page(site.browser().get(path)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/mypreferences/d/");
    assert_eq!(site.view().sign_ins, 1);
}

#[tokio::test]
async fn captcha_checkpoint_shows_the_puzzle() {
    let (site, page) = checkpoint_site(Checkpoint::Captcha).await;
    page.has(r#"<div id="captcha-challenge">"#)
        .has(r#"<iframe id="captcha-internal""#)
        .has("Let's do a quick security check");
    let src = between(
        &page.body,
        r#"id="captcha-internal" title="Captcha" src=""#,
        "\"",
    )
    .unwrap();
    assert_eq!(site.get(&src).await.status, StatusCode::OK);
    assert_eq!(site.view().sign_ins, 0);
}

#[tokio::test]
async fn throttled_sign_in_redirects_to_the_error_key() {
    let site = site(AccountSpec {
        checkpoint: Checkpoint::Throttled,
        ..account()
    })
    .await;
    let page = site.submit_login(EMAIL, PASSWORD, "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        "/checkpoint/lg/login?errorKey=challenge_global_internal_error"
    );
    site.get(page.location()).await.has("try again later");
    assert_eq!(site.view().sign_ins, 0);
}

#[tokio::test]
async fn refused_sign_ins_answer_999_and_429() {
    let site = site(AccountSpec {
        checkpoint: Checkpoint::Http999,
        ..account()
    })
    .await;
    let page = site.submit_login(EMAIL, PASSWORD, "").await;
    assert_eq!(page.status.as_u16(), 999);
    page.has("<html");

    let site = self::site(AccountSpec {
        checkpoint: Checkpoint::Http429,
        ..account()
    })
    .await;
    let page = site.submit_login(EMAIL, PASSWORD, "").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(page.headers.get(RETRY_AFTER).unwrap(), "3600");
    assert_eq!(site.view().sign_ins, 0);
}

#[tokio::test]
async fn modern_fetch_meets_checkpoints_as_json_and_refusals_as_status() {
    let site = site(AccountSpec {
        login_variant: LoginVariant::Modern,
        checkpoint: Checkpoint::Throttled,
        ..account()
    })
    .await;
    let (_, body) = site.fetch_login(PASSWORD).await;
    assert_eq!(
        body,
        r#"{"redirect":"/checkpoint/lg/login?errorKey=challenge_global_internal_error"}"#
    );
    site.put_account(AccountSpec {
        login_variant: LoginVariant::Modern,
        checkpoint: Checkpoint::EmailPin,
        ..account()
    });
    let (_, body) = site.fetch_login(PASSWORD).await;
    assert!(
        body.starts_with(r#"{"redirect":"/checkpoint/challenge/"#),
        "{body}"
    );
    site.put_account(AccountSpec {
        login_variant: LoginVariant::Modern,
        checkpoint: Checkpoint::Http999,
        ..account()
    });
    let (status, _) = site.fetch_login(PASSWORD).await;
    assert_eq!(status.as_u16(), 999);
}

#[tokio::test]
async fn sessions_expire_after_the_configured_number_of_requests() {
    let mut spec = account();
    spec.faults.session_expires_after = Some(2);
    let site = site(spec).await;
    site.sign_in().await;
    assert_eq!(site.get("/feed/").await.status, StatusCode::OK);
    assert_eq!(site.setting_page().await.status, StatusCode::OK);
    let third = site.get("/feed/").await;
    assert_eq!(third.status, StatusCode::SEE_OTHER);
    assert!(third.location().starts_with("/authwall?"));
    assert_eq!(site.view().active_sessions, 0);
}

#[tokio::test]
async fn revoked_sessions_and_sign_out_end_member_access() {
    let site = site(account()).await;
    site.sign_in().await;
    let revoke = site
        .browser()
        .delete(site.url(&format!("/__sim/accounts/{EMAIL}/sessions")))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    assert_eq!(site.get("/feed/").await.status, StatusCode::SEE_OTHER);

    site.sign_in().await;
    assert_eq!(site.get("/feed/").await.status, StatusCode::OK);
    let out = site.get("/m/logout/").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(site.view().active_sessions, 0);
    assert_eq!(site.get("/feed/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn german_and_french_pages_are_translated() {
    let site = site(AccountSpec {
        locale: Locale::De,
        ..account()
    })
    .await;
    site.get("/login")
        .await
        .has("<html lang=\"de\">")
        .has(r#"aria-label="Anmelden" type="submit">Anmelden</button>"#);
    site.sign_in().await;
    site.get("/feed/")
        .await
        .has(">Einstellungen &amp; Datenschutz</a>");
    site.setting_page()
        .await
        .has("<h1>Daten zur Verbesserung generativer KI</h1>")
        .has(r#"aria-hidden="true">Ein</span>"#)
        .has("\"Aus\"");

    let site = self::site(AccountSpec {
        locale: Locale::Fr,
        login_variant: LoginVariant::Modern,
        ai_training: AiTraining::Off,
        ..account()
    })
    .await;
    site.get("/login")
        .await
        .has("<html lang=\"fr\">")
        .has(r#"type="button">S'identifier</button>"#);
    site.sign_in().await;
    site.setting_page()
        .await
        .has("<h1>Données pour l'amélioration de l'IA générative</h1>")
        .has(r#"aria-hidden="true">Non</span>"#);
}

#[tokio::test]
async fn cookie_banner_covers_pages_until_answered() {
    let site = site(AccountSpec {
        cookie_banner: true,
        locale: Locale::De,
        ..account()
    })
    .await;
    let banner = r#"<div id="artdeco-global-alert-container">"#;
    site.get("/login")
        .await
        .has(banner)
        .has(r#"<section class="artdeco-global-alert" type="COOKIE_CONSENT" data-test-global-alert-type="COOKIE_CONSENT""#)
        .has(r#"<button action-type="ACCEPT" type="button">Akzeptieren</button>"#)
        .has(r#"<button action-type="DENY" type="button">Ablehnen</button>"#)
        .has("#artdeco-global-alert-container{position:fixed;inset:0");
    site.sign_in().await;
    site.get("/feed/").await.has(banner);
    let answer = site
        .post_form("/cookie-consent", &[("action", "DENY")])
        .await;
    assert!(answer.status.is_success());
    assert!(site.cookie("li_gc").is_some());
    assert_eq!(site.view().cookie_consent, Some(Consent::Denied));
    site.get("/feed/").await.lacks(banner);
    site.setting_page().await.lacks(banner);
}

/// On tokio's paused clock, which moves only when every task waits: the server's delay shows
/// as virtual time passed, whatever the machine's speed.
#[tokio::test(start_paused = true)]
async fn latency_fault_delays_answers() {
    let mut spec = account();
    spec.faults.latency_ms = 150;
    let site = site(spec).await;
    let started = tokio::time::Instant::now();
    site.get("/login").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    site.sign_in().await;
    let started = tokio::time::Instant::now();
    site.get("/feed/").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn control_api_creates_updates_and_reports_accounts() {
    let site = site(account()).await;
    let client = site.browser();
    let health = client.get(site.url("/__sim/health")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    let missing = client
        .get(site.url("/__sim/accounts/nobody@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let created: serde_json::Value = client
        .put(site.url("/__sim/accounts/new@example.com"))
        .json(&serde_json::json!({ "checkpoint": "two_step", "faults": { "latency_ms": 5 } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["email"], "new@example.com");
    // Secrets go in, never out.
    assert!(created.get("password").is_none(), "{created}");
    assert!(created.get("totp_secret").is_none(), "{created}");
    assert_eq!(created["has_totp_secret"], false);
    assert_eq!(created["ai_training"], "on");
    assert_eq!(created["checkpoint"], "two_step");
    assert_eq!(created["login_variant"], "classic");
    assert_eq!(created["locale"], "en");
    assert_eq!(created["faults"]["latency_ms"], 5);
    for counter in ["sign_ins", "setting_writes", "active_sessions", "requests"] {
        assert_eq!(created[counter], 0, "{counter}");
    }
    assert!(created["cookie_consent"].is_null() && created["pending_pin"].is_null());

    let updated: AccountView = client
        .put(site.url("/__sim/accounts/new@example.com"))
        .json(
            &serde_json::json!({ "ai_training": "not_offered", "faults": { "save_fails": true } }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(updated.spec.ai_training, AiTraining::NotOffered);
    assert_eq!(updated.spec.checkpoint, Checkpoint::TwoStep, "untouched");
    assert_eq!(updated.spec.faults.latency_ms, 5, "untouched");
    assert!(updated.spec.faults.save_fails);

    let typo = client
        .put(site.url("/__sim/accounts/new@example.com"))
        .json(&serde_json::json!({ "checkpiont": "none" }))
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), StatusCode::BAD_REQUEST);

    let all: Vec<AccountView> = client
        .get(site.url("/__sim/accounts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let nothing_pending = client
        .post(site.url(&format!("/__sim/accounts/{EMAIL}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(nothing_pending.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn base_url_names_the_bound_port() {
    let site = site(account()).await;
    let url = site.base_url();
    assert_eq!(url.scheme(), "http");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert_ne!(url.port(), Some(0));
    assert_eq!(url.path(), "/");
    site.shutdown().await;
}

#[tokio::test]
async fn state_file_keeps_accounts_and_counters_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("sim.json");
    let config = SimConfig {
        accounts: vec![account()],
        state_file: Some(state_file.clone()),
        ..SimConfig::default()
    };
    let site = Site::start(config).await;
    site.sign_in().await;
    let csrf = site.csrf();
    assert_eq!(site.save(false, Some(&csrf)).await, StatusCode::OK);
    site.shutdown().await;
    assert!(state_file.exists());

    let again = Simulator::start(SimConfig {
        state_file: Some(state_file),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let view = again.account(EMAIL).expect("loaded from the state file");
    assert_eq!(view.spec.password, PASSWORD);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    assert_eq!(view.sign_ins, 1);
    assert_eq!(view.setting_writes, 1);
}

#[tokio::test]
async fn setting_page_builds_each_kind_of_switch() {
    let kinds = [
        (
            SwitchKind::Button,
            r#"<button type="button" class="_5c1a9e2f" role="switch" aria-checked="true" aria-labelledby="allowDataForGenerativeAI">"#,
        ),
        (
            SwitchKind::Div,
            r#"<div class="_5c1a9e2f" role="switch" tabindex="0" aria-checked="true" aria-labelledby="allowDataForGenerativeAI">"#,
        ),
        (
            SwitchKind::ToggleButton,
            r#"<button type="button" class="_5c1a9e2f" aria-pressed="true" aria-labelledby="allowDataForGenerativeAI">"#,
        ),
        (
            SwitchKind::HiddenInput,
            r#"<label id="allowDataForGenerativeAI" class="_7a0c5d19"><input type="checkbox" class="_e41b7f02" checked>"#,
        ),
    ];
    for (kind, markup) in kinds {
        let site = site(AccountSpec {
            switch_kind: kind,
            ..account()
        })
        .await;
        site.sign_in().await;
        let page = site.setting_page().await;
        page.has(markup).lacks(r#"role="alertdialog""#);
        if kind != SwitchKind::HiddenInput {
            page.has(r#"<p id="allowDataForGenerativeAI">"#);
        }
    }
}

#[tokio::test]
async fn a_mixed_switch_says_so_and_a_dialog_waits_hidden() {
    let site = site(AccountSpec {
        switch_kind: SwitchKind::Div,
        confirm_dialog: ConfirmDialog::Artdeco,
        faults: Faults {
            switch_state_mixed: true,
            ..Faults::default()
        },
        ..account()
    })
    .await;
    site.sign_in().await;
    site.setting_page()
        .await
        .has(r#"aria-checked="mixed""#)
        .has(r#"<div id="confirm-overlay" class="artdeco-modal-overlay" hidden>"#)
        .has(r#"role="alertdialog" aria-modal="true""#)
        .has(r#"data-test-dialog-primary-btn data-action="confirm">Turn off</button>"#);
}

#[tokio::test]
async fn the_second_ai_switch_comes_first_and_saves_under_its_own_key() {
    let site = site(AccountSpec {
        second_switch: SecondSwitch::On,
        ..account()
    })
    .await;
    site.sign_in().await;
    let page = site.setting_page().await;
    let second = page
        .body
        .find(r#"id="allowDataForAIPoweredFeatures""#)
        .unwrap();
    let setting = page.body.find(r#"id="allowDataForGenerativeAI""#).unwrap();
    assert!(second < setting, "the second switch comes first");
    let status = site
        .browser()
        .post(site.url("/mysettings-api/settingsApiSettings/allowDataForAIPoweredFeatures"))
        .header("csrf-token", site.csrf())
        .json(&serde_json::json!({ "value": false }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    let view = site.view();
    assert_eq!(view.spec.second_switch, SecondSwitch::Off);
    assert_eq!(view.spec.ai_training, AiTraining::On);
    assert_eq!(view.setting_writes, 0);
}

#[tokio::test]
async fn a_session_ending_before_the_save_answers_401_once() {
    let site = site(AccountSpec {
        faults: Faults {
            session_ends_before_save: true,
            ..Faults::default()
        },
        ..account()
    })
    .await;
    site.sign_in().await;
    assert_eq!(
        site.save(false, Some(&site.csrf())).await,
        StatusCode::UNAUTHORIZED
    );
    let view = site.view();
    assert_eq!(view.active_sessions, 0);
    assert!(!view.spec.faults.session_ends_before_save);
    assert_eq!(view.spec.ai_training, AiTraining::On);
    assert_eq!(view.setting_writes, 0);
    site.sign_in().await;
    assert_eq!(site.save(false, Some(&site.csrf())).await, StatusCode::OK);
    assert_eq!(site.view().spec.ai_training, AiTraining::Off);
}

#[tokio::test]
async fn an_interstitial_follows_sign_in_and_may_insist() {
    for insists in [false, true] {
        let site = site(AccountSpec {
            interstitial: Interstitial::AddPhone,
            interstitial_insists: insists,
            ..account()
        })
        .await;
        let page = site.submit_login(EMAIL, PASSWORD, "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(
            page.location(),
            "/check/add-phone?sessionRedirect=%2Ffeed%2F"
        );
        site.get("/check/add-phone?sessionRedirect=%2Ffeed%2F")
            .await
            .has("<h1>Add a phone number for security</h1>")
            .has(r#"name="phoneNumber" type="tel""#)
            .has(">Skip</button>")
            .lacks("global-nav");
        let feed = site.get("/feed/").await;
        if insists {
            assert_eq!(feed.status, StatusCode::SEE_OTHER);
            assert_eq!(
                feed.location(),
                "/check/add-phone?sessionRedirect=%2Ffeed%2F"
            );
            let setting = site
                .get("/mypreferences/d/settings/data-for-ai-improvement")
                .await;
            assert_eq!(setting.status, StatusCode::SEE_OTHER);
        } else {
            assert_eq!(feed.status, StatusCode::OK);
        }
        let answered = site
            .post_form(
                "/check/add-phone",
                &[("sessionRedirect", "/feed/"), ("skip", "true")],
            )
            .await;
        assert_eq!(answered.location(), "/feed/");
        assert_eq!(site.view().interstitial_answers, 1);
        assert_eq!(site.get("/feed/").await.status, StatusCode::OK);
    }
}

/// The harness's control methods go through the control API and read the state back typed.
#[tokio::test]
async fn the_harness_drives_the_control_api() {
    let site = site(AccountSpec {
        checkpoint: Checkpoint::AppApproval,
        ..account()
    })
    .await;
    let changed = site
        .put(EMAIL, serde_json::json!({ "faults": { "latency_ms": 7 } }))
        .await;
    assert_eq!(changed.spec.faults.latency_ms, 7);
    assert_eq!(
        changed.spec.checkpoint,
        Checkpoint::AppApproval,
        "untouched"
    );
    assert_eq!(changed.spec.password, PASSWORD, "untouched");
    let created = site.put("new@example.com", serde_json::json!({})).await;
    assert_eq!(created, site.account("new@example.com"));
    assert!(site.try_account("nobody@example.com").is_none());

    assert!(!site.approve(EMAIL).await, "nothing is pending yet");
    site.submit_login(EMAIL, PASSWORD, "").await;
    assert!(site.approve(EMAIL).await);

    site.put(EMAIL, serde_json::json!({ "checkpoint": "none" }))
        .await;
    site.sign_in().await;
    assert_eq!(site.view().active_sessions, 1);
    site.revoke_sessions(EMAIL).await;
    assert_eq!(site.view().active_sessions, 0);
}

/// The blocking harness, as tests that run a binary use it: its own runtime, the same site.
#[test]
fn the_blocking_harness_starts_configures_and_stops_a_site() {
    let sim = Sim::with_account(EMAIL, serde_json::json!({ "ai_training": "off" }));
    let view = sim.account(EMAIL);
    assert_eq!(view.spec.password, linkedin_sim::harness::PASSWORD);
    assert_eq!(view.spec.ai_training, AiTraining::Off);
    assert_eq!(
        sim.put(EMAIL, serde_json::json!({ "locale": "de" }))
            .spec
            .locale,
        Locale::De
    );
    assert_eq!(sim.base_url(), sim.site().base_url().as_str());
    let address = sim.site().base_url();
    drop(sim);
    let stopped =
        std::net::TcpStream::connect((address.host_str().unwrap(), address.port().unwrap()));
    assert!(
        stopped.is_err(),
        "the simulator still listens after its harness is dropped"
    );
}
