//! Reusing a signed-in browser session between runs, so that a scheduled check does not sign
//! in (and draw LinkedIn's checkpoints) every time.

use cookie::{Cookie, SameSite};
use secrecy::{ExposeSecret as _, SecretString};

use super::page::{Page, browser_error};
use crate::error::Error;
use crate::secrets::{SessionCookie, StoredSession};

/// The cookies that make a signed-in session: the member token, the CSRF token and the
/// logged-in flag.
const SESSION_COOKIES: &[&str] = &["li_at", "JSESSIONID", "liap"];

/// A page of the site that costs nothing to load: cookies can be set only for the site the
/// browser is on.
const CHEAP_PAGE: &str = "robots.txt";

/// Puts the saved session's cookies into the browser.
pub async fn restore(page: &Page<'_>, saved: &StoredSession) -> Result<(), Error> {
    let cheap = page.url_for(CHEAP_PAGE);
    // Like every page load, it tells an unreachable LinkedIn from a broken browser.
    page.open(CHEAP_PAGE).await?;
    let host = cheap.host_str().unwrap_or_default().to_string();
    for saved_cookie in &saved.cookies {
        let mut cookie = Cookie::new(
            saved_cookie.name.clone(),
            saved_cookie.value.expose_secret().to_string(),
        );
        // chromedriver refuses a cookie without an explicit domain and SameSite.
        cookie.set_domain(saved_cookie.domain.clone().unwrap_or_else(|| host.clone()));
        cookie.set_path(saved_cookie.path.clone().unwrap_or_else(|| "/".to_string()));
        cookie.set_secure(saved_cookie.secure);
        cookie.set_http_only(saved_cookie.http_only);
        cookie.set_same_site(SameSite::Lax);
        // The cookie crate speaks its own `time` (re-exported as `cookie::time`): only here.
        if let Some(expires) = saved_cookie
            .expires_unix
            .and_then(|at| cookie::time::OffsetDateTime::from_unix_timestamp(at).ok())
        {
            cookie.set_expires(expires);
        }
        page.client
            .add_cookie(cookie)
            .await
            .map_err(browser_error)?;
    }
    Ok(())
}

/// The browser's session cookies, to keep for the next run.
pub async fn capture(page: &Page<'_>) -> Result<StoredSession, Error> {
    let cookies = page
        .client
        .get_all_cookies()
        .await
        .map_err(browser_error)?
        .into_iter()
        .filter(|cookie| SESSION_COOKIES.contains(&cookie.name()))
        .map(|cookie| SessionCookie {
            name: cookie.name().to_string(),
            value: SecretString::from(cookie.value().to_string()),
            domain: cookie.domain().map(str::to_string),
            path: cookie.path().map(str::to_string),
            secure: cookie.secure().unwrap_or(false),
            http_only: cookie.http_only().unwrap_or(false),
            expires_unix: cookie
                .expires_datetime()
                .map(cookie::time::OffsetDateTime::unix_timestamp),
        })
        .collect();
    Ok(StoredSession {
        cookies,
        saved_at: jiff::Timestamp::now(),
    })
}
