//! The router of the simulated site: which handler answers which path, and the middleware
//! that attributes each request to an account (for its `requests` counter and its
//! `latency_ms` fault). What the handlers share lives in `http.rs`.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::http::{Shared, cookie, frame, html, redirect};
use crate::pages;
use crate::state::RequestFault;
use crate::{control, member, signin};

pub(crate) fn router(state: Shared) -> Router {
    let site = Router::new()
        .route("/", get(root))
        .route("/login", get(signin::login_page))
        .route("/uas/login", get(signin::login_page))
        .route(
            "/checkpoint/lg/login-submit",
            post(signin::login_submit).get(signin::remember_prompt),
        )
        .route(
            "/checkpoint/lg/remember-me-submit",
            post(signin::remember_submit),
        )
        .route("/checkpoint/lg/login", get(signin::throttled))
        .route("/checkpoint/lg/logout", get(signin::logout))
        .route("/m/logout/", get(signin::logout))
        .route("/checkpoint/challenge/verify", post(signin::verify))
        .route("/checkpoint/challenge/{token}", get(signin::challenge))
        .route(
            "/checkpoint/challenge/{token}/status",
            get(signin::challenge_status),
        )
        .route(
            "/checkpoint/challenge/{token}/captcha",
            get(signin::captcha_frame),
        )
        .route("/authwall", get(signin::authwall))
        .route("/feed/", get(member::feed))
        .route(
            "/feed",
            get(|| async { redirect(StatusCode::FOUND, "/feed/") }),
        )
        .route("/mypreferences/d", get(member::preferences_root))
        .route("/mypreferences/d/", get(member::preferences_root))
        .route(
            "/mypreferences/d/categories/{category}",
            get(member::category),
        )
        .route("/mypreferences/d/settings/{slug}", get(member::setting))
        .route(
            "/mypreferences/d/download-my-data",
            get(member::download_my_data),
        )
        .route("/mypreferences/{*rest}", get(member::unknown_preference))
        .route(
            "/mysettings-api/settingsApiSettings/{key}",
            post(member::save_setting),
        )
        .route(
            "/check/{kind}",
            get(member::interstitial).post(member::answer_interstitial),
        )
        .route("/cookie-consent", post(member::cookie_consent))
        .route(pages::policy::POLICY_PAGE, get(pages::policy::policy_page))
        .route(
            pages::help::OBJECTION_FORM,
            get(pages::help::objection_form).post(pages::help::objection_submit),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), attribute));
    Router::new()
        .nest("/__sim", control::router())
        .merge(site)
        .with_state(state)
}

/// Counts the request against the account it concerns and applies that account's
/// latency and server errors. A request concerns the signed-in member, or else the account that styles
/// pre-sign-in pages.
async fn attribute(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let email = cookie(request.headers(), "li_at")
        .and_then(|li_at| state.peek_session(&li_at))
        .map(|session| session.email)
        .or_else(|| state.presenting_account().map(|spec| spec.email));
    if let Some(email) = email {
        let (latency, fault) = state.count_request(&email);
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        match fault {
            // A body that fails before its first byte makes the server drop the connection
            // without an answer.
            Some(RequestFault::Drop) => {
                let cut = futures_util::stream::once(async {
                    Err::<axum::body::Bytes, _>(std::io::Error::from(
                        std::io::ErrorKind::ConnectionReset,
                    ))
                });
                return Response::new(Body::from_stream(cut));
            }
            Some(RequestFault::ServerError) => {
                return html(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "<!DOCTYPE html><title>LinkedIn</title><h1>Service unavailable</h1>"
                        .to_string(),
                );
            }
            None => {}
        }
    }
    next.run(request).await
}

/// `/`: the feed for members, the sign-in page for everyone else.
async fn root(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let signed_in =
        cookie(&headers, "li_at").is_some_and(|li_at| state.peek_session(&li_at).is_some());
    redirect(
        StatusCode::SEE_OTHER,
        if signed_in { "/feed/" } else { "/login" },
    )
}

async fn not_found(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let spec = cookie(&headers, "li_at")
        .and_then(|li_at| state.peek_session(&li_at))
        .and_then(|session| state.spec(&session.email))
        .or_else(|| state.presenting_account());
    let frame = frame(&headers, spec.as_ref());
    html(StatusCode::NOT_FOUND, pages::not_found(&frame))
}
