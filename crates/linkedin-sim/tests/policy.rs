//! The public privacy policy page (`/legal/privacy-policy`): served to anyone, linking the
//! settings pages and the Help Center's forms as LinkedIn's policy does; a test adds a link
//! or changes the page's shape through the control API, and every serving is counted.

use linkedin_sim::PolicyShape;
use linkedin_sim::harness::Site;
use reqwest::StatusCode;

const POLICY: &str = "/legal/privacy-policy";

#[tokio::test]
async fn the_policy_is_public_and_links_the_settings_and_the_forms() {
    let site = Site::with_accounts(Vec::new()).await;
    let page = site.get(POLICY).await;
    assert_eq!(page.status, StatusCode::OK);
    page.has("<title>LinkedIn Privacy Policy</title>")
        .has(r#"href="/mypreferences/d/settings/data-for-ai-improvement""#)
        // The partners switch as LinkedIn's own policy links it.
        .has(r#"href="/mypreferences/s/settings/share-data-with-trusted-partners?li_theme=light""#)
        .has(r#"href="/mypreferences/d/download-my-data""#)
        .has(r#"href="/help/linkedin/ask/TS-DPRO""#)
        .has(r#"href="/help/linkedin/ask/TS-DDF""#)
        .has(r#"href="/help/linkedin/ask/TSO-DPO""#)
        .has("Microsoft for the training of its own AI models");
    assert_eq!(site.policy().await.views, 1);
}

#[tokio::test]
async fn a_test_adds_a_link_and_changes_the_shape() {
    let site = Site::with_accounts(Vec::new()).await;
    let view = site
        .add_policy_link(
            "/mypreferences/d/settings/data-for-ai-agents",
            "AI agents & <you>",
        )
        .await;
    assert_eq!(view.added_links.len(), 1);
    site.get(POLICY).await.has(
        r#"<a href="/mypreferences/d/settings/data-for-ai-agents">AI agents &amp; &lt;you&gt;</a>"#,
    );

    site.set_policy_shape(PolicyShape::Unrecognisable).await;
    let page = site.get(POLICY).await;
    assert_eq!(page.status, StatusCode::OK);
    page.has("<title>LinkedIn Privacy Policy</title>")
        .lacks("/mypreferences/")
        .lacks("/help/linkedin/ask/");

    site.set_policy_shape(PolicyShape::NotFound).await;
    assert_eq!(site.get(POLICY).await.status, StatusCode::NOT_FOUND);
    site.set_policy_shape(PolicyShape::ServerError).await;
    assert_eq!(
        site.get(POLICY).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let view = site.policy().await;
    assert_eq!(view.views, 4);
    assert_eq!(view.shape, PolicyShape::ServerError);
    // A shape change keeps the added links.
    assert_eq!(view.added_links.len(), 1);
}

#[tokio::test]
async fn the_control_api_refuses_what_it_does_not_know() {
    let site = Site::with_accounts(Vec::new()).await;
    let control = reqwest::Client::new();
    for body in [r#"{"shape":"sideways"}"#, r#"{"links":[]}"#, "[]"] {
        let response = control
            .put(site.url("__sim/policy"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let response = control
        .post(site.url("__sim/policy/links"))
        .body(r#"{"href":"/x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(site.policy().await, Default::default());
}
