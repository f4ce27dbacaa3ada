//! Handlers for signing in and out: the sign-in page and its submit (both variants), the
//! "Remember me" prompt, the checkpoints, the authwall and the throttle notice.

use std::collections::HashMap;

use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::http::{
    Shared, cleared_session_cookies, cookie, frame, html, presenting_frame, redirect,
    same_site_target, session_cookies, with_cookies,
};
use crate::member::interstitial_url;
use crate::pages::checkpoint;
use crate::pages::login::{self, Field, LoginForm};
use crate::pages::{self, Frame};
use crate::spec::{AccountSpec, Checkpoint, Interstitial, LoginVariant};
use crate::state::{Challenge, Consent, LoginError};

const THROTTLED: &str = "/checkpoint/lg/login?errorKey=challenge_global_internal_error";
const REMEMBER_PROMPT: &str = "/checkpoint/lg/login-submit";

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    session_redirect: Option<String>,
}

/// `GET /login`: members already signed in go straight on.
pub(crate) async fn login_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let target = query.session_redirect.unwrap_or_default();
    if cookie(&headers, "li_at").is_some_and(|li_at| state.peek_session(&li_at).is_some()) {
        let to = same_site_target(&target, &headers).unwrap_or_else(|| "/feed/".into());
        return redirect(StatusCode::SEE_OTHER, &to);
    }
    let (frame, spec) = presenting_frame(&state, &headers);
    if let Some(elsewhere) = spec
        .as_ref()
        .and_then(|s| s.login_redirect_origin.as_deref())
        .filter(|origin| !is_this_host(origin, &headers))
    {
        let to = format!("{}/login", elsewhere.trim_end_matches('/'));
        return redirect(StatusCode::FOUND, &to);
    }
    let variant = spec.map(|s| s.login_variant).unwrap_or_default();
    let token = state.issue_login_token();
    let form = LoginForm {
        csrf_token: &token,
        session_redirect: &target,
        email: "",
        error: None,
    };
    html(StatusCode::OK, login::login(&frame, variant, &form))
}

/// Whether `origin` names the host the request was sent to (its `Host` header).
fn is_this_host(origin: &str, headers: &HeaderMap) -> bool {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

#[derive(Deserialize)]
pub(crate) struct LoginSubmit {
    #[serde(default)]
    session_key: String,
    #[serde(default)]
    session_password: String,
    #[serde(rename = "csrfToken")]
    csrf_token: Option<String>,
    #[serde(default)]
    session_redirect: String,
}

/// How the submit should answer: the classic form gets pages and redirects, the modern
/// page's fetch gets JSON naming where to go.
struct Answer<'a> {
    fetch: bool,
    variant: LoginVariant,
    headers: &'a HeaderMap,
}

impl Answer<'_> {
    fn go(&self, to: &str, cookies: &[String]) -> Response {
        let response = if self.fetch {
            Json(json!({ "redirect": to })).into_response()
        } else {
            redirect(StatusCode::SEE_OTHER, to)
        };
        with_cookies(response, cookies)
    }
}

/// `POST /checkpoint/lg/login-submit`.
pub(crate) async fn login_submit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(submit): Form<LoginSubmit>,
) -> Response {
    let (frame, spec) = presenting_frame(&state, &headers);
    let answer = Answer {
        fetch: headers
            .get("x-requested-with")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"fetch")),
        variant: spec.map(|s| s.login_variant).unwrap_or_default(),
        headers: &headers,
    };
    let t = frame.t();
    let token_ok = submit
        .csrf_token
        .as_deref()
        .is_some_and(|token| state.login_token_known(token));
    if !token_ok {
        return if answer.fetch {
            (
                StatusCode::FORBIDDEN,
                Json(json!({ "error": t.request_refused })),
            )
                .into_response()
        } else {
            html(StatusCode::FORBIDDEN, login::refused(&frame))
        };
    }
    let target =
        same_site_target(&submit.session_redirect, &headers).unwrap_or_else(|| "/feed/".to_owned());
    let account = match state.check_password(&submit.session_key, &submit.session_password) {
        Ok(account) => account,
        Err(error) => {
            let (field, message) = match error {
                LoginError::UnknownEmail => (Field::Username, t.unknown_email),
                LoginError::WrongPassword => (Field::Password, t.wrong_password),
            };
            if answer.fetch {
                return Json(json!({ "error": message, "field": field.name() })).into_response();
            }
            let token = state.issue_login_token();
            let form = LoginForm {
                csrf_token: &token,
                session_redirect: &submit.session_redirect,
                email: &submit.session_key,
                error: Some((field, message)),
            };
            return html(StatusCode::OK, login::login(&frame, answer.variant, &form));
        }
    };
    match account.checkpoint {
        Checkpoint::None => sign_in(&state, &answer, &account, target),
        Checkpoint::EmailPin
        | Checkpoint::TwoStep
        | Checkpoint::AppApproval
        | Checkpoint::Captcha => {
            let token = state.open_challenge(&account.email, account.checkpoint, target);
            answer.go(&format!("/checkpoint/challenge/{token}"), &[])
        }
        Checkpoint::Throttled => answer.go(THROTTLED, &[]),
        Checkpoint::Http999 => {
            let status = StatusCode::from_u16(999).expect("999 is a valid status code");
            html(status, login::denied(&frame, 999))
        }
        Checkpoint::Http429 => {
            let mut response = html(StatusCode::TOO_MANY_REQUESTS, login::denied(&frame, 429));
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("3600"));
            response
        }
    }
}

/// A correct password with no checkpoint: the session starts here, before any prompt.
fn sign_in(state: &Shared, answer: &Answer<'_>, account: &AccountSpec, target: String) -> Response {
    // LinkedIn puts its interstitial between the sign-in and where the member was going.
    let target = match state
        .pending_interstitial(&account.email)
        .and_then(Interstitial::path)
    {
        Some(path) => interstitial_url(path, &target),
        None => target,
    };
    // A choice made on the banner before signing in becomes the member's choice.
    match cookie(answer.headers, "li_gc").as_deref() {
        Some("v1:accepted") => state.record_consent(&account.email, Consent::Accepted),
        Some("v1:denied") => state.record_consent(&account.email, Consent::Denied),
        _ => {}
    }
    if !account.remember_me_prompt {
        let session = state.start_session(&account.email, None);
        return answer.go(&target, &session_cookies(&session));
    }
    let session = state.start_session(&account.email, Some(target));
    let cookies = session_cookies(&session);
    if answer.fetch {
        return answer.go(REMEMBER_PROMPT, &cookies);
    }
    let frame = frame(answer.headers, Some(account));
    with_cookies(html(StatusCode::OK, login::remember_me(&frame)), &cookies)
}

/// `GET /checkpoint/lg/login-submit`: where the modern page's fetch sends a member with a
/// pending "Remember me" prompt.
pub(crate) async fn remember_prompt(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let pending = cookie(&headers, "li_at")
        .and_then(|li_at| state.peek_session(&li_at))
        .filter(|session| session.remember_target.is_some());
    match pending.and_then(|session| state.spec(&session.email)) {
        Some(spec) => html(
            StatusCode::OK,
            login::remember_me(&frame(&headers, Some(&spec))),
        ),
        None => redirect(StatusCode::SEE_OTHER, "/login"),
    }
}

/// `POST /checkpoint/lg/remember-me-submit`: either button continues to the target.
pub(crate) async fn remember_submit(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let Some(li_at) = cookie(&headers, "li_at").filter(|li_at| state.peek_session(li_at).is_some())
    else {
        return redirect(StatusCode::SEE_OTHER, "/login");
    };
    let target = state
        .take_remember_target(&li_at)
        .unwrap_or_else(|| "/feed/".to_owned());
    redirect(StatusCode::SEE_OTHER, &target)
}

/// `GET /checkpoint/lg/login?errorKey=…`: the throttle notice; otherwise the sign-in page.
pub(crate) async fn throttled(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if query.get("errorKey").map(String::as_str) != Some("challenge_global_internal_error") {
        return redirect(StatusCode::SEE_OTHER, "/login");
    }
    let (frame, _) = presenting_frame(&state, &headers);
    html(StatusCode::OK, login::throttled(&frame))
}

/// Signs out (the Me menu's "Sign Out" and `/checkpoint/lg/logout`).
pub(crate) async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(li_at) = cookie(&headers, "li_at") {
        state.end_session(&li_at);
    }
    with_cookies(
        redirect(StatusCode::SEE_OTHER, "/login"),
        &cleared_session_cookies(),
    )
}

#[derive(Deserialize)]
pub(crate) struct AuthwallQuery {
    #[serde(rename = "sessionRedirect")]
    session_redirect: Option<String>,
}

pub(crate) async fn authwall(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<AuthwallQuery>,
) -> Response {
    let (frame, _) = presenting_frame(&state, &headers);
    let href = match query.session_redirect {
        Some(target) => format!(
            "/login?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("session_redirect", &target)
                .finish()
        ),
        None => "/login".to_owned(),
    };
    html(StatusCode::OK, login::authwall(&frame, &href))
}

/// The frame of a checkpoint page: the account it belongs to is known.
fn challenge_frame(state: &Shared, headers: &HeaderMap, challenge: &Challenge) -> Frame {
    frame(headers, state.spec(&challenge.email).as_ref())
}

/// A passed checkpoint: now the session starts.
fn complete(state: &Shared, token: &str, challenge: &Challenge) -> Response {
    state.close_challenge(token);
    let session = state.start_session(&challenge.email, None);
    with_cookies(
        redirect(StatusCode::SEE_OTHER, &challenge.target),
        &session_cookies(&session),
    )
}

/// `GET /checkpoint/challenge/<token>`.
pub(crate) async fn challenge(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let Some(challenge) = state.challenge(&token) else {
        return redirect(StatusCode::SEE_OTHER, "/login");
    };
    let frame = challenge_frame(&state, &headers, &challenge);
    let page = match challenge.kind {
        Checkpoint::EmailPin => checkpoint::email_pin(&frame, &token, None),
        Checkpoint::TwoStep => checkpoint::two_step(&frame, &token, None),
        Checkpoint::AppApproval if challenge.approved => {
            return complete(&state, &token, &challenge);
        }
        Checkpoint::AppApproval => checkpoint::app_approval(&frame, &token),
        Checkpoint::Captcha => checkpoint::captcha(&frame, &token),
        Checkpoint::None | Checkpoint::Throttled | Checkpoint::Http999 | Checkpoint::Http429 => {
            unreachable!("only person-facing checkpoints are opened as challenges")
        }
    };
    html(StatusCode::OK, page)
}

#[derive(Deserialize)]
pub(crate) struct Verify {
    #[serde(rename = "challengeId")]
    challenge_id: String,
    #[serde(default)]
    pin: String,
}

/// `POST /checkpoint/challenge/verify`: a PIN or an authenticator code.
pub(crate) async fn verify(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(verify): Form<Verify>,
) -> Response {
    let token = verify.challenge_id;
    let Some(challenge) = state.challenge(&token) else {
        return redirect(StatusCode::SEE_OTHER, "/login");
    };
    let frame = challenge_frame(&state, &headers, &challenge);
    let code = verify.pin.trim();
    let wrong = Some(frame.t().wrong_code);
    let page = match challenge.kind {
        Checkpoint::EmailPin if challenge.pin.as_deref() == Some(code) => {
            return complete(&state, &token, &challenge);
        }
        Checkpoint::EmailPin => checkpoint::email_pin(&frame, &token, wrong),
        Checkpoint::TwoStep => {
            let secret = state.spec(&challenge.email).and_then(|s| s.totp_secret);
            if secret.is_some_and(|secret| totp_matches(&secret, code)) {
                return complete(&state, &token, &challenge);
            }
            checkpoint::two_step(&frame, &token, wrong)
        }
        _ => {
            return redirect(
                StatusCode::SEE_OTHER,
                &format!("/checkpoint/challenge/{token}"),
            );
        }
    };
    html(StatusCode::OK, page)
}

/// RFC 6238 as authenticator apps do it: SHA-1, six digits, 30-second steps, one step of
/// clock skew either way. A secret that is not base32 matches nothing.
fn totp_matches(secret: &str, code: &str) -> bool {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .collect::<String>()
        .to_uppercase();
    let Ok(secret) = totp_rs::Secret::try_from_base32(cleaned) else {
        return false;
    };
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(secret)
        .build_noncompliant();
    code.len() == 6 && totp.check_current(code).is_some()
}

/// `GET /checkpoint/challenge/<token>/status`: what the app-approval page polls.
pub(crate) async fn challenge_status(
    State(state): State<Shared>,
    Path(token): Path<String>,
) -> Response {
    match state.challenge(&token) {
        Some(challenge) => Json(json!({ "approved": challenge.approved })).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The CAPTCHA's iframe.
pub(crate) async fn captcha_frame(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    match state.challenge(&token) {
        Some(challenge) => {
            let frame = challenge_frame(&state, &headers, &challenge);
            html(StatusCode::OK, checkpoint::captcha_frame(&frame))
        }
        None => {
            let (frame, _) = presenting_frame(&state, &headers);
            html(StatusCode::NOT_FOUND, pages::not_found(&frame))
        }
    }
}
