//! Signing in through the login page (classic form or modern form-less variant), stopping at
//! every checkpoint a person must handle. Signed in is proven by the session cookie on a page
//! that is no sign-in or checkpoint page, wherever LinkedIn lands (the feed, or an
//! interstitial such as "remember me" or "add a phone number", which is never answered).

use fantoccini::key::Key;
use secrecy::ExposeSecret as _;

use super::page::{Look, Page, browser_error};
use super::rules::{Marker, paths, texts};
use super::setting::signed_out;
use crate::error::{Checkpoint, Error};
use crate::progress::Steps;
use crate::secrets::{self, Credentials};

/// How long to keep away from the sign-in page after LinkedIn throttled it.
pub const THROTTLE_COOL_DOWN: jiff::SignedDuration = jiff::SignedDuration::from_hours(6);

/// Where a page after a sign-in attempt leaves us.
enum Landing {
    SignedIn,
    TwoStep,
    Checkpoint(Checkpoint),
    Throttled(String),
    Rejected,
    Unknown,
}

fn landing(look: &Look, session_cookie: bool) -> Landing {
    match look.status {
        Some(999) => return Landing::Throttled("HTTP 999, request denied".to_string()),
        Some(429) => return Landing::Throttled("HTTP 429, too many requests".to_string()),
        _ => {}
    }
    let query = look.url.query().unwrap_or_default();
    if query.contains(paths::THROTTLED_QUERY) {
        return Landing::Throttled("challenge_global_internal_error".to_string());
    }
    if look.has(Marker::TwoStep) {
        Landing::TwoStep
    } else if look.has(Marker::EmailPin) {
        Landing::Checkpoint(Checkpoint::EmailPin)
    } else if look.has(Marker::AppApproval) {
        Landing::Checkpoint(Checkpoint::AppApproval)
    } else if look.has(Marker::Captcha) {
        Landing::Checkpoint(Checkpoint::Captcha)
    } else if look.path().starts_with(paths::CHALLENGE_PREFIX) {
        Landing::Checkpoint(Checkpoint::Unknown)
    } else if look.has(Marker::LoginPassword) && !look.alert.is_empty() {
        Landing::Rejected
    } else if session_cookie && !signed_out(look) {
        Landing::SignedIn
    } else {
        Landing::Unknown
    }
}

/// Whether the page proves a session: the session cookie, on a page that is no sign-in or
/// checkpoint page (the feed, or any page LinkedIn shows first).
pub async fn proves_session(page: &Page<'_>, look: &Look) -> Result<bool, Error> {
    let cookie = page.has_session_cookie().await?;
    Ok(matches!(landing(look, cookie), Landing::SignedIn))
}

/// Signs in with the password (and the TOTP secret when LinkedIn asks for a code).
pub async fn sign_in(
    page: &Page<'_>,
    credentials: &Credentials,
    steps: &Steps,
) -> Result<(), Error> {
    steps.step("opening the sign-in page");
    let look = page.open(paths::LOGIN).await?;
    if !signed_out(&look) && page.has_session_cookie().await? {
        return Ok(());
    }
    if !look.has(Marker::LoginUsername) || !look.has(Marker::LoginPassword) {
        return Err(page
            .not_understood("the sign-in page has no email and password fields")
            .await);
    }
    steps.step("signing in");
    ensure_base_origin(page).await?;
    page.type_into(Marker::LoginUsername, &credentials.email)
        .await?;
    ensure_base_origin(page).await?;
    page.type_into(Marker::LoginPassword, credentials.password.expose_secret())
        .await?;
    page.mark_document().await?;
    submit(page, &look).await?;
    // A new page, or (modern variant) an error shown on this one.
    let (mut look, ()) = page
        .wait_for("the sign-in to answer", |look| {
            let new_page = look.page_token_is_new() && look.ready;
            (new_page || !look.alert.is_empty()).then_some(())
        })
        .await?;
    look = page.arrive(look).await?;
    let mut code_tried = false;
    loop {
        match landing(&look, page.has_session_cookie().await?) {
            Landing::SignedIn => {
                if !look.path().starts_with(paths::FEED_PATH) {
                    tracing::info!(url = %look.url, "signed in; LinkedIn shows a page of its own first, which the tool leaves unanswered");
                }
                return Ok(());
            }
            Landing::TwoStep => {
                let checkpoint = match (&credentials.totp_secret, code_tried) {
                    (None, _) => Checkpoint::TwoStep,
                    (Some(_), true) => Checkpoint::TwoStepRejected,
                    (Some(secret), false) => {
                        steps.step("entering the two-step verification code");
                        let code = secrets::current_code(secret)?;
                        ensure_base_origin(page).await?;
                        page.type_into(Marker::TwoStepCode, &code).await?;
                        code_tried = true;
                        look = page.click_and_follow(Marker::TwoStepSubmit).await?;
                        continue;
                    }
                };
                return Err(needs_person(credentials, checkpoint));
            }
            Landing::Checkpoint(checkpoint) => return Err(needs_person(credentials, checkpoint)),
            Landing::Throttled(why) => {
                let retry_at = jiff::Timestamp::now() + THROTTLE_COOL_DOWN;
                return Err(Error::Throttled {
                    account: credentials.email.clone(),
                    why,
                    retry_at,
                });
            }
            Landing::Rejected => {
                return Err(Error::CredentialsRejected {
                    account: credentials.email.clone(),
                });
            }
            Landing::Unknown => {
                return Err(page
                    .not_understood(
                        "after signing in, the page is no known checkpoint and LinkedIn set no session cookie",
                    )
                    .await);
            }
        }
    }
}

/// Stops unless the browser is on the base URL's origin: a sign-in page that redirected
/// elsewhere (a look-alike, a captive portal) gets nothing typed into it.
async fn ensure_base_origin(page: &Page<'_>) -> Result<(), Error> {
    let current = page.client.current_url().await.map_err(browser_error)?;
    if current.origin() == page.base.origin() {
        return Ok(());
    }
    Err(page
        .not_understood(format!(
            "the sign-in page is at {}, not at {}: the password goes only to the base URL's origin, so nothing was typed",
            current.origin().ascii_serialization(),
            page.base.origin().ascii_serialization()
        ))
        .await)
}

fn needs_person(credentials: &Credentials, checkpoint: Checkpoint) -> Error {
    Error::NeedsPerson {
        account: credentials.email.clone(),
        checkpoint,
    }
}

/// Clicks the classic form's submit button, else the modern page's button by its text, else
/// presses Enter in the password field.
async fn submit(page: &Page<'_>, look: &Look) -> Result<(), Error> {
    if look.has(Marker::LoginSubmit) {
        return page.click(Marker::LoginSubmit).await;
    }
    if page.click_by_text("button", texts::SIGN_IN).await? {
        return Ok(());
    }
    page.find(Marker::LoginPassword)
        .await?
        .send_keys(&String::from(char::from(Key::Enter)))
        .await
        .map_err(browser_error)
}
