//! What the simulated site's handlers share: the state they are served with, cookies,
//! redirects, and the page frame of a request. The router (`router.rs`) imports the
//! handlers; the handlers import only this, so no import runs back to the router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{COOKIE, HOST, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::pages::Frame;
use crate::spec::AccountSpec;
use crate::state::{NewSession, SimState};

/// The state every handler is served with.
pub(crate) type Shared = Arc<SimState>;

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
