//! What the tool has already seen and told the member about, so that each new thing is told
//! once: the privacy policy's links that the tool does not know, per policy page, with when
//! that page was last checked (the scheduled run checks it once a week).
//!
//! Kept in `<state_dir>/seen/policy-links.json`, in a private directory, rewritten whole
//! (`files::replace_private`). A damaged record is set aside with a warning: the links it
//! held are told again, once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

const DIR: &str = "seen";
const POLICY_LINKS: &str = "policy-links.json";

/// Where the seen policy links of a state directory are kept.
pub fn policy_links_path(state_dir: &Path) -> PathBuf {
    state_dir.join(DIR).join(POLICY_LINKS)
}

/// One link the member has been told about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenLink {
    /// The link as the page had it when first seen.
    pub url: String,
    pub first_seen: Timestamp,
}

/// One policy page's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    /// When the page was last checked, whatever came of it.
    pub last_check: Option<Timestamp>,
    /// By compared form (`linkedin::policy::compared_form`).
    #[serde(default)]
    pub links: BTreeMap<String, SeenLink>,
}

/// The seen policy links of a state directory, by policy page URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyLinks {
    #[serde(default)]
    pub pages: BTreeMap<String, PageRecord>,
}

impl PolicyLinks {
    /// The record of `state_dir`; none yet, or one that cannot be read, is an empty record
    /// (the latter with a warning).
    pub fn load(state_dir: &Path) -> PolicyLinks {
        let path = policy_links_path(state_dir);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if super::is_absent(&err) => return PolicyLinks::default(),
            Err(err) => {
                tracing::warn!(
                    "cannot read the policy links seen before in {}: {err}; links seen before may be reported again",
                    path.display()
                );
                return PolicyLinks::default();
            }
        };
        serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::warn!(
                "the record of policy links seen before, {}, is damaged ({err}): it is replaced, and links seen before are reported again",
                path.display()
            );
            PolicyLinks::default()
        })
    }

    /// The record of the policy page at `page`.
    pub fn page(&self, page: &str) -> Option<&PageRecord> {
        self.pages.get(page)
    }

    /// Whether a check of `page` is due: never checked, last checked `every` ago or more, or
    /// at a time still to come (a clock that was wrong).
    pub fn is_due(&self, page: &str, every: jiff::SignedDuration, now: Timestamp) -> bool {
        match self.page(page).and_then(|record| record.last_check) {
            None => true,
            Some(last) => last > now || now.duration_since(last) >= every,
        }
    }

    /// Notes a check of `page` at `now` that found `new` links (compared form, URL).
    pub fn record_check(
        &mut self,
        page: &str,
        now: Timestamp,
        new: impl IntoIterator<Item = (String, String)>,
    ) {
        let record = self.pages.entry(page.to_string()).or_default();
        record.last_check = Some(now);
        for (form, url) in new {
            record.links.entry(form).or_insert(SeenLink {
                url,
                first_seen: now,
            });
        }
    }

    /// Writes the record of `state_dir`, in its private directory.
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        let path = policy_links_path(state_dir);
        let dir = path.parent().expect("a file inside the state directory");
        super::files::create_private_dir(dir)?;
        let json = serde_json::to_vec_pretty(self).expect("the record serialises");
        super::files::replace_private(&path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://www.linkedin.com/legal/privacy-policy";

    #[test]
    fn a_record_survives_a_save_and_keeps_when_a_link_was_first_seen() {
        let state = tempfile::tempdir().unwrap();
        let first: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-01-09T00:00:00Z".parse().unwrap();
        let mut seen = PolicyLinks::load(state.path());
        assert_eq!(seen, PolicyLinks::default());
        seen.record_check(PAGE, first, [("/a".to_string(), "https://x/a".to_string())]);
        seen.save(state.path()).unwrap();
        let mut again = PolicyLinks::load(state.path());
        again.record_check(
            PAGE,
            later,
            [("/a".to_string(), "https://x/a?b".to_string())],
        );
        let record = again.page(PAGE).unwrap();
        assert_eq!(record.last_check, Some(later));
        assert_eq!(record.links["/a"].first_seen, first);
        assert_eq!(record.links["/a"].url, "https://x/a");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let path = policy_links_path(state.path());
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn a_check_is_due_after_a_week_or_when_the_clock_went_back() {
        let week = jiff::SignedDuration::from_hours(7 * 24);
        let checked: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut seen = PolicyLinks::default();
        assert!(seen.is_due(PAGE, week, checked));
        seen.record_check(PAGE, checked, []);
        assert!(!seen.is_due(PAGE, week, checked + jiff::SignedDuration::from_hours(167)));
        assert!(seen.is_due(PAGE, week, checked + week));
        assert!(seen.is_due(PAGE, week, checked - jiff::SignedDuration::from_hours(1)));
        assert!(seen.is_due("https://other/legal/privacy-policy", week, checked));
    }

    #[test]
    fn a_damaged_record_is_an_empty_one() {
        let state = tempfile::tempdir().unwrap();
        let path = policy_links_path(state.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{ not json").unwrap();
        assert_eq!(PolicyLinks::load(state.path()), PolicyLinks::default());
    }
}
