//! LinkedIn Help's Data Processing Objection Form (`/help/linkedin/ask/TS-DPRO`), for members
//! only: its fields as public evidence describes them (name, email, the kind of objection with
//! a "training content-generating AI" option, a short explanation; the real markup is
//! unknown), and its submit. The account's `objection_form_views` and `objection_submits`
//! count each. Sending it is the member's own act: the tool only opens it.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{document, esc};
use crate::http::{Shared, html};
use crate::member::member;

/// Where the form is, and where it is sent.
pub(crate) const OBJECTION_FORM: &str = "/help/linkedin/ask/TS-DPRO";

/// `GET /help/linkedin/ask/TS-DPRO`: the form, the member's name and email filled in.
pub(crate) async fn objection_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let m = match member(&state, &headers, &uri) {
        Ok(m) => m,
        Err(not_served) => return not_served.into_response(),
    };
    state.record_objection(&m.spec.email, false);
    let me = m.me();
    let body = format!(
        r#"<main>
<h1>Data Processing Objection Form</h1>
<p>Use this form to object to LinkedIn's processing of your personal data. We'll email you a confirmation.</p>
<form method="post" action="{OBJECTION_FORM}" id="dpro-form">
<label for="dpro-name">Your name</label>
<input id="dpro-name" name="name" type="text" autocomplete="name" value="{name}" required>
<label for="dpro-email">Email address</label>
<input id="dpro-email" name="email" type="email" autocomplete="email" value="{email}" required>
<label for="dpro-type">What do you object to?</label>
<select id="dpro-type" name="objection" required>
<option value="">Select an option</option>
<option value="generative-ai">Use of my data for training content-generating AI models</option>
<option value="personalised-ads">Use of my data for personalised advertising</option>
<option value="other">Other processing</option>
</select>
<label for="dpro-text">Please explain</label>
<textarea id="dpro-text" name="explanation" rows="8" required></textarea>
<button type="submit">Submit</button>
</form>
</main>"#,
        name = esc(me.name),
        email = esc(me.email),
    );
    html(
        StatusCode::OK,
        document(
            &m.frame,
            "Data Processing Objection Form | LinkedIn Help",
            "",
            &body,
        ),
    )
}

/// The form's fields, as sent.
#[derive(Deserialize)]
pub(crate) struct ObjectionSent {
    #[serde(default)]
    objection: String,
    #[serde(default)]
    explanation: String,
}

/// `POST /help/linkedin/ask/TS-DPRO`: counts the member's objection and confirms it.
pub(crate) async fn objection_submit(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    Form(sent): Form<ObjectionSent>,
) -> Response {
    let m = match member(&state, &headers, &uri) {
        Ok(m) => m,
        Err(not_served) => return not_served.into_response(),
    };
    if sent.objection.is_empty() || sent.explanation.trim().is_empty() {
        return html(
            StatusCode::BAD_REQUEST,
            document(
                &m.frame,
                "Data Processing Objection Form | LinkedIn Help",
                "",
                "<main><p role=\"alert\">Please choose what you object to and explain it.</p></main>",
            ),
        );
    }
    state.record_objection(&m.spec.email, true);
    html(
        StatusCode::OK,
        document(
            &m.frame,
            "Request received | LinkedIn Help",
            "",
            "<main><h1>Thanks, we've received your request</h1><p>We've sent a confirmation to your email address.</p></main>",
        ),
    )
}
