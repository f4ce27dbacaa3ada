//! The route for the past: switching off covers only later use, and data already used stays
//! used. LinkedIn's privacy policy names its routes: the Data Processing Objection Form
//! (TS-DPRO, a Help Center form), the request to delete data that settings cannot delete
//! (TS-DDF), and its Data Protection Officer (TSO-DPO); "Get a copy of your data" shows what
//! it holds. The tool names them all, writes the objection, and can open the form signed in;
//! sending it stays the member's own act, so nothing here ever fills in or submits a form.

use std::time::Duration;

use serde::Serialize;

use super::page::Page;
use super::session;
use super::setting::signed_out;
use crate::browser::wait;
use crate::error::Error;
use crate::secrets::StoredSession;

/// The Data Processing Objection Form, under the base URL.
pub const FORM_PATH: &str = "help/linkedin/ask/TS-DPRO";
/// The form that asks LinkedIn to delete data the member's settings cannot delete.
pub const DELETION_FORM_PATH: &str = "help/linkedin/ask/TS-DDF";
/// The form that reaches LinkedIn's Data Protection Officer.
pub const DPO_FORM_PATH: &str = "help/linkedin/ask/TSO-DPO";
/// "Get a copy of your data", under Settings & Privacy > Data privacy.
pub const COPY_OF_DATA_PATH: &str = "mypreferences/d/download-my-data";
/// Every page the objection route names (the policy watch knows them).
pub const ROUTE_PATHS: &[&str] = &[
    FORM_PATH,
    DELETION_FORM_PATH,
    DPO_FORM_PATH,
    COPY_OF_DATA_PATH,
];
/// Stands for the account in the text when no account is configured.
pub const ACCOUNT_PLACEHOLDER: &str = "[your LinkedIn account's email address]";

/// How often to look whether the member has closed the browser.
const CLOSED_POLL: Duration = Duration::from_millis(500);

/// The sentence of the objection for members in the UK, where since 3 November 2025 the
/// Gen-AI switch also covers sharing with Microsoft for its own AI training. Written so that
/// it holds wherever the member is: the tool does not know the member's region.
pub const UK_SENTENCE: &str = "Where UK data protection law applies to my account, I also \
object to LinkedIn sharing my data with Microsoft for the training of Microsoft's own AI \
models, which the same setting has covered for members in the UK since 3 November 2025.";

/// The objection, ready to paste into the form's explanation, naming `account` (or the
/// placeholder the member replaces).
pub fn text(account: Option<&str>) -> String {
    let account = account.unwrap_or(ACCOUNT_PLACEHOLDER);
    format!(
        "I object to LinkedIn's processing of my personal data, and of the content I create \
on LinkedIn, to train generative AI models, including data that has already been used for \
this (for example under Article 21 of the GDPR where it applies). Please stop this \
processing, exclude my data from future training and from models still being trained, and \
confirm in writing what you have done. {UK_SENTENCE} I have switched off \"Data for \
Generative AI Improvement\". My LinkedIn account: {account}."
    )
}

/// How the browser that shows the form was signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignedInWith {
    SavedSession,
    Password,
}

/// How the visible browser came to be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedBy {
    /// The member closed it.
    Member,
    /// Nobody did within the deadline: the tool closes it.
    Deadline,
}

/// Puts the saved session into the browser and opens the form; `false` when LinkedIn asks
/// to sign in (the session expired or was revoked), and nothing was typed.
pub async fn open_with_saved_session(
    page: &Page<'_>,
    saved: &StoredSession,
) -> Result<bool, Error> {
    session::restore(page, saved).await?;
    open_signed_in(page).await
}

/// Opens the form; `false` when LinkedIn asks to sign in instead.
pub async fn open_signed_in(page: &Page<'_>) -> Result<bool, Error> {
    let look = page.open(FORM_PATH).await?;
    Ok(!signed_out(&look))
}

/// Waits, up to `deadline`, until the member has closed the browser: its window is gone, or
/// the browser no longer answers.
pub async fn wait_until_closed(page: &Page<'_>, deadline: Duration) -> ClosedBy {
    let closed = wait::until_every(
        "the browser to be closed",
        deadline,
        CLOSED_POLL,
        async || {
            Ok::<_, Error>(match page.client.windows().await {
                Ok(windows) if !windows.is_empty() => None,
                // No window, or no browser to ask: nothing is left open.
                _ => Some(()),
            })
        },
    )
    .await;
    match closed {
        Ok(()) => ClosedBy::Member,
        Err(_) => ClosedBy::Deadline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_the_account_or_says_where_it_goes() {
        let named = text(Some("member@example.com"));
        assert!(named.ends_with("My LinkedIn account: member@example.com."));
        assert!(!named.contains(ACCOUNT_PLACEHOLDER));
        assert!(text(None).contains(ACCOUNT_PLACEHOLDER));
    }

    #[test]
    fn the_text_names_microsofts_ai_training_for_members_in_the_uk() {
        let text = text(None);
        assert!(text.contains(UK_SENTENCE), "{text}");
    }
}
