//! The control API under `/__sim/`: how tests and people configure accounts and look at
//! what happened to them. JSON only, never linked from any page, never delayed or
//! counted as an account's request.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::http::Shared;
use crate::policy::{PolicyLink, PolicyPatch};
use crate::state::AccountView;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/accounts", get(list))
        .route("/accounts/{email}", get(show).put(put))
        .route("/accounts/{email}/approve", post(approve))
        .route("/accounts/{email}/sessions", delete(revoke))
        .route("/policy", get(policy_show).put(policy_put))
        .route("/policy/links", post(policy_add_link))
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn no_account(email: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("no account `{email}`"))
}

/// An account as the control API shows it: everything but its secrets (the password and
/// the TOTP secret go in, never out), with whether it has a TOTP secret.
fn shown(view: AccountView) -> Value {
    let has_totp_secret = view.spec.totp_secret.is_some();
    let mut value = serde_json::to_value(view).unwrap_or(Value::Null);
    if let Some(fields) = value.as_object_mut() {
        fields.remove("password");
        fields.remove("totp_secret");
        fields.insert("has_totp_secret".into(), Value::Bool(has_totp_secret));
    }
    value
}

async fn list(State(state): State<Shared>) -> Response {
    Json(state.views().into_iter().map(shown).collect::<Vec<_>>()).into_response()
}

async fn show(State(state): State<Shared>, Path(email): Path<String>) -> Response {
    match state.view(&email) {
        Some(view) => Json(shown(view)).into_response(),
        None => no_account(&email),
    }
}

/// Creates the account or changes only the fields given; an empty body creates it with
/// every default.
async fn put(State(state): State<Shared>, Path(email): Path<String>, body: Bytes) -> Response {
    let fields = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => {
                return error(StatusCode::BAD_REQUEST, "expected a JSON object".into());
            }
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}")),
        }
    };
    match state.patch(&email, fields) {
        Ok(view) => Json(shown(view)).into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

/// Taps "Yes" in the app for the account's pending approval.
async fn approve(State(state): State<Shared>, Path(email): Path<String>) -> Response {
    if state.view(&email).is_none() {
        return no_account(&email);
    }
    if state.approve(&email) {
        Json(json!({ "approved": true })).into_response()
    } else {
        error(
            StatusCode::CONFLICT,
            format!("no app approval is pending for `{email}`"),
        )
    }
}

async fn revoke(State(state): State<Shared>, Path(email): Path<String>) -> Response {
    if state.revoke_sessions(&email) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        no_account(&email)
    }
}

/// The privacy policy page: its shape, the links added, how often it was served.
async fn policy_show(State(state): State<Shared>) -> Response {
    Json(state.policy.view()).into_response()
}

/// Changes the fields given (`shape`, `added_links`); the others stay.
async fn policy_put(State(state): State<Shared>, body: Bytes) -> Response {
    match serde_json::from_slice::<PolicyPatch>(&body) {
        Ok(patch) => Json(state.policy.patch(patch)).into_response(),
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            format!("invalid policy fields: {e}"),
        ),
    }
}

/// Adds one link (`{"href": …, "text": …}`) to the policy's section on how data is used.
async fn policy_add_link(State(state): State<Shared>, body: Bytes) -> Response {
    match serde_json::from_slice::<PolicyLink>(&body) {
        Ok(link) => Json(state.policy.add_link(link)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, format!("invalid link: {e}")),
    }
}
