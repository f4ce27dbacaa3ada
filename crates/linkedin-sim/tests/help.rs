//! The Data Processing Objection Form (TS-DPRO) of the simulated LinkedIn Help: members
//! only, filled in with who they are, and every submit counted on the server
//! (`objection_submits`), so that the tool's tests can prove it never sends one.

use linkedin_sim::AccountSpec;
use linkedin_sim::harness::Site;
use reqwest::StatusCode;

const EMAIL: &str = "objector@example.com";
const PASSWORD: &str = "correct horse";
const FORM: &str = "/help/linkedin/ask/TS-DPRO";

async fn signed_in_site() -> Site {
    let site = Site::with_accounts(vec![AccountSpec {
        password: PASSWORD.into(),
        ..AccountSpec::new(EMAIL)
    }])
    .await;
    let login = site.get("/login").await;
    let token = login
        .body
        .split_once("name=\"csrfToken\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(token, _)| token.to_owned())
        .expect("the sign-in page carries a form token");
    let signed_in = site
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
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    site
}

#[tokio::test]
async fn the_form_is_for_members_only() {
    let site = Site::with_accounts(vec![AccountSpec::new(EMAIL)]).await;
    let page = site.get(FORM).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location().starts_with("/authwall?"),
        "{}",
        page.location()
    );
    let sent = site
        .post_form(
            FORM,
            &[("objection", "generative-ai"), ("explanation", "no")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let view = site.account(EMAIL);
    assert_eq!((view.objection_form_views, view.objection_submits), (0, 0));
}

#[tokio::test]
async fn the_form_names_the_member_and_counts_each_submit() {
    let site = signed_in_site().await;
    let page = site.get(FORM).await;
    assert_eq!(page.status, StatusCode::OK);
    page.has("Data Processing Objection Form")
        .has(&format!(
            r#"name="email" type="email" autocomplete="email" value="{EMAIL}""#
        ))
        .has(r#"<option value="generative-ai">"#)
        .has(r#"<textarea id="dpro-text" name="explanation""#);
    // Loading the form sends nothing.
    assert_eq!(site.account(EMAIL).objection_form_views, 1);
    assert_eq!(site.account(EMAIL).objection_submits, 0);
    let incomplete = site
        .post_form(FORM, &[("objection", ""), ("explanation", "")])
        .await;
    assert_eq!(incomplete.status, StatusCode::BAD_REQUEST);
    assert_eq!(site.account(EMAIL).objection_submits, 0);
    let sent = site
        .post_form(
            FORM,
            &[("objection", "generative-ai"), ("explanation", "I object.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    sent.has("we've received your request");
    assert_eq!(site.account(EMAIL).objection_submits, 1);
}
