//! Handlers for what members see once signed in: the feed, Settings & Privacy, the
//! settings API behind the switch, and the cookie-consent answer. Every member page goes
//! through [`member`], which sends signed-out visitors to the authwall.

use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::pages::{self, Frame, member as member_pages, settings};
use super::server::{
    Shared, cleared_session_cookies, cookie, frame, html, path_and_query, redirect, with_cookies,
};
use super::spec::{AccountSpec, AiTraining};
use super::state::{Consent, SaveError, SimState};

/// A signed-in request.
pub(crate) struct Member {
    spec: AccountSpec,
    frame: Frame,
}

impl Member {
    /// How pages name the member: the part of the email before the `@`.
    fn name(&self) -> &str {
        self.spec.email.split('@').next().unwrap_or_default()
    }
}

/// Authenticates a member request (counting it against `session_expires_after`), or
/// says why not: then the visitor gets LinkedIn's redirect to the authwall.
fn member(state: &SimState, headers: &HeaderMap, uri: &Uri) -> Result<Member, SignedOut> {
    let li_at = cookie(headers, "li_at");
    match li_at.as_deref().and_then(|li_at| state.authenticate(li_at)) {
        Some((_, spec)) => Ok(Member {
            frame: frame(headers, Some(&spec)),
            spec,
        }),
        None => Err(SignedOut {
            target: path_and_query(uri),
            had_cookie: li_at.is_some(),
        }),
    }
}

/// A member page visited without a (live) session.
pub(crate) struct SignedOut {
    /// The page asked for, for `sessionRedirect`.
    target: String,
    /// Whether the browser sent a session cookie that no longer works.
    had_cookie: bool,
}

impl IntoResponse for SignedOut {
    fn into_response(self) -> Response {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("trk", "gf")
            .append_pair("sessionRedirect", &self.target)
            .finish();
        let to_authwall = redirect(StatusCode::SEE_OTHER, &format!("/authwall?{query}"));
        // A dead session's cookies are cleared, as when LinkedIn signs a browser out.
        if self.had_cookie {
            with_cookies(to_authwall, &cleared_session_cookies())
        } else {
            to_authwall
        }
    }
}

pub(crate) async fn feed(State(state): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    match member(&state, &headers, &uri) {
        Ok(m) => html(StatusCode::OK, member_pages::feed(&m.frame, m.name())),
        Err(signed_out) => signed_out.into_response(),
    }
}

/// `/mypreferences/d/`: Settings & Privacy opens on Account preferences.
pub(crate) async fn preferences_root(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    match member(&state, &headers, &uri) {
        Ok(_) => redirect(StatusCode::FOUND, "/mypreferences/d/categories/account"),
        Err(signed_out) => signed_out.into_response(),
    }
}

pub(crate) async fn category(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    Path(category): Path<String>,
) -> Response {
    let m = match member(&state, &headers, &uri) {
        Ok(m) => m,
        Err(signed_out) => return signed_out.into_response(),
    };
    let ai_slug = (m.spec.ai_training != AiTraining::NotOffered).then(|| m.spec.slug());
    match settings::category(&m.frame, m.name(), &category, ai_slug) {
        Some(page) => html(StatusCode::OK, page),
        None => html(StatusCode::NOT_FOUND, pages::not_found(&m.frame)),
    }
}

/// `/mypreferences/d/settings/<slug>`: the simulated setting at the account's slug (the
/// usual one answers 404 once the setting moved), or a neighbouring setting.
pub(crate) async fn setting(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    Path(slug): Path<String>,
) -> Response {
    let m = match member(&state, &headers, &uri) {
        Ok(m) => m,
        Err(signed_out) => return signed_out.into_response(),
    };
    if slug == m.spec.slug() {
        state.wait_while_held(&m.spec.email).await;
        return html(
            StatusCode::OK,
            settings::ai_setting(
                &m.frame,
                m.name(),
                m.spec.ai_training,
                m.spec.faults.switch_drawn_after_ms,
            ),
        );
    }
    let path = format!("/mypreferences/d/settings/{slug}");
    match settings::neighbour_title(m.frame.t(), &path) {
        Some(title) => html(
            StatusCode::OK,
            settings::neighbour(&m.frame, m.name(), title),
        ),
        None => html(StatusCode::NOT_FOUND, pages::not_found(&m.frame)),
    }
}

pub(crate) async fn download_my_data(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    match member(&state, &headers, &uri) {
        Ok(m) => {
            let title = m.frame.t().copy_of_data;
            html(
                StatusCode::OK,
                settings::neighbour(&m.frame, m.name(), title),
            )
        }
        Err(signed_out) => signed_out.into_response(),
    }
}

/// Any other page under `/mypreferences/`: members only, and not simulated.
pub(crate) async fn unknown_preference(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    match member(&state, &headers, &uri) {
        Ok(m) => html(StatusCode::NOT_FOUND, pages::not_found(&m.frame)),
        Err(signed_out) => signed_out.into_response(),
    }
}

#[derive(Deserialize)]
struct SettingWrite {
    value: bool,
}

/// `POST /mysettings-api/settingsApiSettings/allowDataForGenerativeAI`: needs a session
/// and its `JSESSIONID` (without quotes) in the `csrf-token` header.
pub(crate) async fn save_setting(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let session = cookie(&headers, "li_at").and_then(|li_at| state.authenticate(&li_at));
    let Some((session, _)) = session else {
        return error(StatusCode::FORBIDDEN, "not signed in");
    };
    let csrf = headers.get("csrf-token").and_then(|v| v.to_str().ok());
    if csrf != Some(session.jsessionid.as_str()) {
        return error(StatusCode::FORBIDDEN, "CSRF check failed");
    }
    let Ok(write) = serde_json::from_slice::<SettingWrite>(&body) else {
        return error(StatusCode::BAD_REQUEST, "expected {\"value\": true|false}");
    };
    match state.write_setting(&session.email, write.value) {
        Ok(()) => Json(json!({ "value": write.value })).into_response(),
        Err(SaveError::NotOffered) => error(StatusCode::NOT_FOUND, "setting not available"),
        Err(SaveError::Fails) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "status": status.as_u16(), "message": message })),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct ConsentAnswer {
    action: String,
}

/// `POST /cookie-consent`: the banner's buttons. Sets `li_gc` and, for a member,
/// remembers the choice on the account.
pub(crate) async fn cookie_consent(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(answer): Form<ConsentAnswer>,
) -> Response {
    let (consent, value) = match answer.action.as_str() {
        "ACCEPT" => (Consent::Accepted, "accepted"),
        "DENY" => (Consent::Denied, "denied"),
        _ => return error(StatusCode::BAD_REQUEST, "action must be ACCEPT or DENY"),
    };
    if let Some(session) = cookie(&headers, "li_at").and_then(|li_at| state.peek_session(&li_at)) {
        state.record_consent(&session.email, consent);
    }
    with_cookies(
        StatusCode::NO_CONTENT.into_response(),
        &[format!(
            "li_gc=v1:{value}; Path=/; Max-Age=15552000; SameSite=Lax"
        )],
    )
}
