//! Handlers for what members see once signed in: the feed, Settings & Privacy, the
//! settings API behind the switch, and the cookie-consent answer. Every member page goes
//! through [`member`], which sends signed-out visitors to the authwall.

use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::http::{
    Shared, cleared_session_cookies, cookie, frame, html, path_and_query, redirect,
    same_site_target, with_cookies,
};
use crate::pages::member::Me;
use crate::pages::{
    self, Frame, interstitial as interstitial_page, member as member_pages, settings,
};
use crate::spec::{AccountSpec, Interstitial};
use crate::state::{Consent, SaveError, SimState};
use crate::switches::AI;

/// A signed-in request.
pub(crate) struct Member {
    pub spec: AccountSpec,
    pub frame: Frame,
}

impl Member {
    /// The member as their pages show them; without a name, the part of the email before
    /// the `@`.
    pub fn me(&self) -> Me<'_> {
        Me {
            name: self
                .spec
                .name
                .as_deref()
                .unwrap_or_else(|| self.spec.email.split('@').next().unwrap_or_default()),
            headline: self.spec.headline.as_deref(),
            email: &self.spec.email,
            photo: self.spec.photo.as_deref(),
        }
    }
}

/// Authenticates a member request (counting it against `session_expires_after`), or
/// answers instead: a signed-out visitor gets LinkedIn's redirect to the authwall, and a
/// member whose interstitial insists is sent back to it.
pub(crate) fn member(
    state: &SimState,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<Member, NotServed> {
    let li_at = cookie(headers, "li_at");
    match li_at.as_deref().and_then(|li_at| state.authenticate(li_at)) {
        Some((_, spec)) => {
            let pending = state.pending_interstitial(&spec.email);
            if let Some(path) = pending
                .filter(|_| spec.interstitial_insists)
                .and_then(Interstitial::path)
            {
                return Err(NotServed::Interstitial(interstitial_url(
                    path,
                    &path_and_query(uri),
                )));
            }
            Ok(Member {
                frame: frame(headers, Some(&spec)),
                spec,
            })
        }
        None => Err(NotServed::SignedOut(SignedOut {
            target: path_and_query(uri),
            had_cookie: li_at.is_some(),
        })),
    }
}

/// Why a member page was not served.
pub(crate) enum NotServed {
    SignedOut(SignedOut),
    /// The member's interstitial insists: back to it (this URL).
    Interstitial(String),
}

impl IntoResponse for NotServed {
    fn into_response(self) -> Response {
        match self {
            NotServed::SignedOut(signed_out) => signed_out.into_response(),
            NotServed::Interstitial(url) => redirect(StatusCode::SEE_OTHER, &url),
        }
    }
}

/// Where an interstitial at `path` is shown to a member who was going to `target`.
pub(crate) fn interstitial_url(path: &str, target: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("sessionRedirect", target)
        .finish();
    format!("{path}?{query}")
}

#[derive(Deserialize)]
pub(crate) struct InterstitialQuery {
    #[serde(rename = "sessionRedirect")]
    session_redirect: Option<String>,
}

/// `GET /check/add-phone`, `GET /check/confirm-email`: the account's interstitial, for a
/// signed-in member.
pub(crate) async fn interstitial(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<InterstitialQuery>,
) -> Response {
    let Some((_, spec)) = cookie(&headers, "li_at").and_then(|li_at| state.authenticate(&li_at))
    else {
        return redirect(StatusCode::SEE_OTHER, "/login");
    };
    let kind = spec.interstitial;
    if kind.path() != Some(uri.path()) {
        return html(
            StatusCode::NOT_FOUND,
            pages::not_found(&frame(&headers, Some(&spec))),
        );
    }
    let target = query.session_redirect.unwrap_or_else(|| "/feed/".into());
    html(
        StatusCode::OK,
        interstitial_page::page(&frame(&headers, Some(&spec)), kind, uri.path(), &target),
    )
}

#[derive(Deserialize)]
pub(crate) struct InterstitialAnswer {
    #[serde(rename = "sessionRedirect")]
    session_redirect: Option<String>,
}

/// `POST /check/…`: the member answered the interstitial (or skipped it); on to where they
/// were going.
pub(crate) async fn answer_interstitial(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(answer): Form<InterstitialAnswer>,
) -> Response {
    let Some((session, _)) = cookie(&headers, "li_at").and_then(|li_at| state.authenticate(&li_at))
    else {
        return redirect(StatusCode::SEE_OTHER, "/login");
    };
    state.answer_interstitial(&session.email);
    let target = answer
        .session_redirect
        .as_deref()
        .and_then(|target| same_site_target(target, &headers))
        .unwrap_or_else(|| "/feed/".into());
    redirect(StatusCode::SEE_OTHER, &target)
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
        Ok(m) => html(StatusCode::OK, member_pages::feed(&m.frame, &m.me())),
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
    match settings::category(&m.frame, &m.me(), &category, &m.spec) {
        Some(page) => html(StatusCode::OK, page),
        None => html(StatusCode::NOT_FOUND, pages::not_found(&m.frame)),
    }
}

/// `/mypreferences/d/settings/<slug>`: a switch's page where it is for the account (its
/// usual path answers 404 once it moved), or a neighbouring setting.
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
    let path = format!("settings/{slug}");
    if let Some(page) = switch_page(&state, &m, &path).await {
        return page;
    }
    match settings::neighbour_title(m.frame.t(), &format!("/mypreferences/d/{path}")) {
        Some(title) => html(
            StatusCode::OK,
            settings::neighbour(&m.frame, &m.me(), title),
        ),
        None => html(StatusCode::NOT_FOUND, pages::not_found(&m.frame)),
    }
}

/// The page of the switches at `path` (under `/mypreferences/d/`) for the member, if any:
/// the AI switch's own page (held while `hold_setting_page` is on), or the page of others.
async fn switch_page(state: &SimState, m: &Member, path: &str) -> Option<Response> {
    let switches = m.spec.switches_at(path);
    if switches.iter().any(|s| s.name == AI) {
        state
            .wait_while_held(&m.spec.email, |faults| faults.hold_setting_page)
            .await;
        return Some(html(
            StatusCode::OK,
            settings::ai_setting(&m.frame, &m.me(), &m.spec),
        ));
    }
    (!switches.is_empty()).then(|| {
        html(
            StatusCode::OK,
            settings::switch_page(&m.frame, &m.me(), &m.spec, &switches),
        )
    })
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
                settings::neighbour(&m.frame, &m.me(), title),
            )
        }
        Err(signed_out) => signed_out.into_response(),
    }
}

/// Any other page under `/mypreferences/`: members only; a switch's page when one is there
/// for the account (`interest-categories`, `member-cookies`, or where a switch moved), else
/// not simulated.
pub(crate) async fn unknown_preference(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let m = match member(&state, &headers, &uri) {
        Ok(m) => m,
        Err(signed_out) => return signed_out.into_response(),
    };
    let page = match uri.path().strip_prefix("/mypreferences/d/") {
        Some(path) => switch_page(&state, &m, path).await,
        None => None,
    };
    page.unwrap_or_else(|| html(StatusCode::NOT_FOUND, pages::not_found(&m.frame)))
}

#[derive(Deserialize)]
struct SettingWrite {
    value: bool,
}

/// `POST /mysettings-api/settingsApiSettings/<key>` for the switches and the second AI
/// switch: needs a session and its `JSESSIONID` (without quotes) in the `csrf-token` header.
pub(crate) async fn save_setting(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> Response {
    let li_at = cookie(&headers, "li_at");
    let session = li_at.as_deref().and_then(|li_at| state.authenticate(li_at));
    let Some((session, spec)) = session else {
        return error(StatusCode::FORBIDDEN, "not signed in");
    };
    let to_ai = spec.switch_by_key(&key).is_some_and(|s| s.name == AI);
    if to_ai && state.take_session_end(&session.email) {
        if let Some(li_at) = &li_at {
            state.end_session(li_at);
        }
        return error(StatusCode::UNAUTHORIZED, "session expired");
    }
    let csrf = headers.get("csrf-token").and_then(|v| v.to_str().ok());
    if csrf != Some(session.jsessionid.as_str()) {
        return error(StatusCode::FORBIDDEN, "CSRF check failed");
    }
    let Ok(write) = serde_json::from_slice::<SettingWrite>(&body) else {
        return error(StatusCode::BAD_REQUEST, "expected {\"value\": true|false}");
    };
    state
        .wait_while_held(&session.email, |faults| faults.hold_save)
        .await;
    match state.write_setting(&session.email, &key, write.value) {
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
