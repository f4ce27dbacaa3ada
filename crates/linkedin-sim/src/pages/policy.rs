//! LinkedIn's privacy policy (`/legal/privacy-policy`): public, no sign-in. Modelled on the
//! policy as LinkedIn publishes it (November 2025, with the changes of 2026 that public copies
//! show; the text is the simulator's own summary): five sections whose links lead to the
//! settings pages of the switches, to Settings & Privacy's categories, to "Get a copy of your
//! data" and to the Help Center's forms (TS-DPRO objection, TS-DDF deletion, TS-DRF
//! rectification, TSO-DPO the Data Protection Officer), under the forms LinkedIn uses: the
//! `/s/` family with `?li_theme=light` for the partners switch, a trailing slash, a query
//! string. A test adds links, or changes the page's shape, through `/__sim/policy`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{document, esc};
use crate::http::{Shared, html, presenting_frame};
use crate::policy::{PolicyLink, PolicyShape};

/// Where the policy is.
pub(crate) const POLICY_PAGE: &str = "/legal/privacy-policy";

const TITLE: &str = "LinkedIn Privacy Policy";

/// `GET /legal/privacy-policy`: the policy in the shape the test chose; each serving counted.
pub(crate) async fn policy_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let (frame, _) = presenting_frame(&state, &headers);
    let view = state.policy.serve();
    match view.shape {
        PolicyShape::Served => html(
            StatusCode::OK,
            document(&frame, TITLE, "", &served(&view.added_links)),
        ),
        PolicyShape::NotFound => html(StatusCode::NOT_FOUND, super::not_found(&frame)),
        PolicyShape::Unrecognisable => {
            html(StatusCode::OK, document(&frame, TITLE, "", UNRECOGNISABLE))
        }
        PolicyShape::ServerError => html(
            StatusCode::SERVICE_UNAVAILABLE,
            "<!DOCTYPE html><title>LinkedIn</title><h1>Service unavailable</h1>".to_string(),
        ),
    }
}

/// A redesign that keeps the title and the gist but links no settings page and no form.
const UNRECOGNISABLE: &str = r#"<main class="legal">
<h1>Privacy Policy</h1>
<p>We've made our Privacy Policy easier to read. Open the LinkedIn app to see it, section by section.</p>
<nav aria-label="Legal"><a href="/legal/user-agreement">User Agreement</a> <a href="/legal/cookie-policy">Cookie Policy</a></nav>
</main>"#;

/// The policy, with `added` links in its section on how data is used.
fn served(added: &[PolicyLink]) -> String {
    let added: String = added
        .iter()
        .map(|link| {
            format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                esc(&link.href),
                esc(&link.text)
            )
        })
        .collect();
    let added = if added.is_empty() {
        String::new()
    } else {
        format!("<p>More choices about how we use your data:</p>\n<ul>\n{added}</ul>\n")
    };
    format!(
        r#"<main class="legal">
<nav aria-label="Legal"><a href="/legal/user-agreement">User Agreement</a> <a href="/legal/privacy-policy" aria-current="page">Privacy Policy</a> <a href="/legal/cookie-policy">Cookie Policy</a></nav>
<h1>Privacy Policy</h1>
<p>Effective November 3, 2025</p>
<section id="introduction">
<h2>Introduction</h2>
<p>This policy says what data we collect, how we use and share it, and the choices you have. You can change how your data is used at any time in <a href="/mypreferences/d/categories/account">Settings &amp; Privacy</a>.</p>
</section>
<section id="data-we-collect">
<h2>1. Data We Collect</h2>
<p>Data you give us (your profile, posts, messages, resumes and answers to screening questions), data others give us, and data about how you use our services. <a href="/help/linkedin/answer/a1337839">Learn more</a></p>
</section>
<section id="how-we-use-your-data">
<h2>2. How We Use Your Data</h2>
<p>We may use your data, and content you create, to train AI models that generate content. You can opt out in <a href="/mypreferences/d/settings/data-for-ai-improvement">Data for Generative AI Improvement</a>; opting out does not affect training that has already taken place.</p>
<p>We share data for research in the public interest, unless you turn off <a href="/mypreferences/d/settings/policy-and-academic-research">Social, economic, and workplace research</a>.</p>
<p>We personalise ads with your data. You control this in your advertising settings:</p>
<ul>
<li><a href="/mypreferences/d/settings/ads-beyond-linkedin">Ads off LinkedIn</a></li>
<li><a href="/mypreferences/d/settings/ads-interactions-with-business/">Data from others for Ads</a></li>
<li><a href="/mypreferences/d/settings/ads-related-actions">Measure ad success</a></li>
<li><a href="/mypreferences/d/interest-categories?li_theme=light">Interests and traits</a></li>
<li><a href="/mypreferences/d/settings/ads-by-age">Age range</a></li>
<li><a href="/mypreferences/d/settings/ads-by-gender">Gender</a></li>
<li><a href="/mypreferences/d/settings/ads-inferred-location">Location</a></li>
<li><a href="/mypreferences/d/settings/linkedin-promotions">LinkedIn promotions</a></li>
</ul>
{added}</section>
<section id="how-we-share-information">
<h2>3. How We Share Information</h2>
<p>We share data with our affiliates, including Microsoft, for ads personalised to you, unless you turn off <a href="/mypreferences/s/settings/share-data-with-trusted-partners?li_theme=light">Share data with affiliates and partners</a>.</p>
<p>For members in the UK, the same setting as for generative AI also governs sharing your data with Microsoft for the training of its own AI models.</p>
</section>
<section id="your-choices-and-obligations">
<h2>4. Your Choices &amp; Obligations</h2>
<p>You can <a href="/mypreferences/d/download-my-data">get a copy of your data</a>, ask us to <a href="/help/linkedin/ask/TS-DRF">correct it</a>, to <a href="/help/linkedin/ask/TS-DDF">delete data that your settings cannot</a>, or <a href="/help/linkedin/ask/TS-DPRO">object to our processing of it</a>.</p>
<p>Manage <a href="/mypreferences/d/member-cookies">cookies</a> as our <a href="/legal/cookie-policy">Cookie Policy</a> explains.</p>
</section>
<section id="other-important-information">
<h2>5. Other Important Information</h2>
<p>Questions about this policy, or about your data, can go to our <a href="/help/linkedin/ask/TSO-DPO">Data Protection Officer</a>. Your <a href="/mypreferences/d/categories/privacy">Data privacy</a> settings show every choice in one place. See also our <a href="/legal/user-agreement">User Agreement</a>.</p>
</section>
</main>"#
    )
}
