//! LinkedIn's public privacy policy page as the site serves it: its shape (served as
//! usual, gone, redesigned beyond recognition, or failing), the links a test added to it (a
//! settings page LinkedIn "just added"), and how often it was served. One for the whole site:
//! the page is public, nobody's account. Configured through `/__sim/policy`; not kept in the
//! state file (it is a test's doing, not an account's).

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// How the policy page answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyShape {
    /// The policy, with its links (and any a test added).
    #[default]
    Served,
    /// HTTP 404, the site's "page not found".
    NotFound,
    /// HTTP 200 and the policy's title, but redesigned: its text without a single link to a
    /// settings page or a help form.
    Unrecognisable,
    /// HTTP 503, every time.
    ServerError,
}

/// A link a test added to the policy, in its "How we use your data" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyLink {
    /// As the page's `href` has it (a path such as `/mypreferences/d/settings/x`, or a URL).
    pub href: String,
    /// The link's text.
    pub text: String,
}

/// The policy page as `GET /__sim/policy` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PolicyView {
    pub shape: PolicyShape,
    /// Links a test added, in the order added.
    pub added_links: Vec<PolicyLink>,
    /// How many times the page was served (whatever its shape).
    pub views: u64,
}

/// The fields `PUT /__sim/policy` changes; those left out stay.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyPatch {
    shape: Option<PolicyShape>,
    added_links: Option<Vec<PolicyLink>>,
}

/// The site's policy page.
#[derive(Debug, Default)]
pub(crate) struct PolicyPage(Mutex<PolicyView>);

impl PolicyPage {
    fn lock(&self) -> std::sync::MutexGuard<'_, PolicyView> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn view(&self) -> PolicyView {
        self.lock().clone()
    }

    pub fn patch(&self, patch: PolicyPatch) -> PolicyView {
        let mut view = self.lock();
        if let Some(shape) = patch.shape {
            view.shape = shape;
        }
        if let Some(links) = patch.added_links {
            view.added_links = links;
        }
        view.clone()
    }

    pub fn add_link(&self, link: PolicyLink) -> PolicyView {
        let mut view = self.lock();
        view.added_links.push(link);
        view.clone()
    }

    /// Counts one serving, and says what to serve.
    pub fn serve(&self) -> PolicyView {
        let mut view = self.lock();
        view.views += 1;
        view.clone()
    }
}
