//! The router of the simulated site and what its handlers share: cookies, redirects,
//! the page frame of a request, and the middleware that attributes each request to an
//! account (for its `requests` counter and its `latency_ms` fault).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{COOKIE, HOST, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::pages::{self, Frame};
use super::spec::AccountSpec;
use super::state::{NewSession, RequestFault, SimState};
use super::{control, member, signin};

pub(crate) type Shared = Arc<SimState>;

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

/// The value of a request cookie.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

/// The frame of a page shown to `spec`'s member (or, before sign-in, styled by it).
pub(crate) fn frame(headers: &HeaderMap, spec: Option<&AccountSpec>) -> Frame {
    Frame {
        locale: spec.map(|s| s.locale).unwrap_or_default(),
        banner: spec.is_some_and(|s| s.cookie_banner) && cookie(headers, "li_gc").is_none(),
    }
}

/// The frame of a page that precedes sign-in.
pub(crate) fn presenting_frame(
    state: &SimState,
    headers: &HeaderMap,
) -> (Frame, Option<AccountSpec>) {
    let spec = state.presenting_account();
    (frame(headers, spec.as_ref()), spec)
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

pub(crate) fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Adds `Set-Cookie` headers to a response.
pub(crate) fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

const YEAR: u32 = 365 * 24 * 60 * 60;

/// The cookies of a fresh session. `JSESSIONID` is readable by scripts because pages
/// send it back as the `csrf-token` header; its value keeps LinkedIn's double quotes.
pub(crate) fn session_cookies(session: &NewSession) -> Vec<String> {
    vec![
        format!(
            "li_at={}; Path=/; Max-Age={YEAR}; HttpOnly; SameSite=Lax",
            session.li_at
        ),
        format!("liap=true; Path=/; Max-Age={YEAR}; SameSite=Lax"),
        format!(
            "JSESSIONID=\"{}\"; Path=/; SameSite=Lax",
            session.jsessionid
        ),
    ]
}

/// Cookies that end a session in the browser.
pub(crate) fn cleared_session_cookies() -> Vec<String> {
    ["li_at", "liap", "JSESSIONID"]
        .iter()
        .map(|name| format!("{name}=; Path=/; Max-Age=0"))
        .collect()
}

/// Where a sign-in may continue to: a path on this site. An absolute URL counts only
/// when it names this very host; anything else (other hosts, `//host`) is dropped.
pub(crate) fn same_site_target(raw: &str, headers: &HeaderMap) -> Option<String> {
    let raw = raw.trim();
    if raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\') {
        return Some(raw.to_owned());
    }
    let url = url::Url::parse(raw).ok()?;
    let host = headers.get(HOST)?.to_str().ok()?;
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str()?),
        None => url.host_str()?.to_owned(),
    };
    (authority == host).then(|| match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    })
}

/// The path and query of a request, as `sessionRedirect` carries it.
pub(crate) fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned())
}
