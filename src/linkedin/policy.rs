//! The policy watch's knowledge: LinkedIn's public privacy policy page, which of its links
//! lead to a settings page or a help form, which of those the tool already knows, and how a
//! link is compared with what the tool knows. LinkedIn has added data-use switches without
//! warning (the Gen-AI switch in 2024, already on), and its policy links each one: a link
//! to a page nothing here knows is worth a member's look.
//!
//! What to match is data, here in one place: the page, the watched paths, the pages the
//! tool knows besides the catalogue's switches and the objection's routes, and the one
//! script that reads the links.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use url::Url;

use super::catalogue::Catalogue;
use super::objection;
use super::page::Page;
use crate::error::Error;

/// LinkedIn's privacy policy, under the base URL: public, no sign-in needed.
pub const POLICY_PATH: &str = "legal/privacy-policy";

/// The paths a link must start with (whole segments, in the compared form) to be watched:
/// the settings pages and the help forms.
pub const WATCHED: &[&str] = &[
    "/mypreferences",
    "/psettings",
    "/jobs/application-settings",
    "/help/linkedin/ask",
];

/// Settings & Privacy's path, whose next segment, when it is one letter, is the page's
/// family (`d` desktop, `s` as LinkedIn's own policy links it, `m` mobile, `g` guest): the
/// same page in every family.
const PREFERENCES: &str = "/mypreferences";

/// Stands for the family segment in a compared form.
const ANY_FAMILY: &str = "*";

/// Pages the policy links that the tool knows although they are no switch of the catalogue
/// and no route of the objection: each with why it is not news.
pub const KNOWN_PAGES: &[(&str, &str)] = &[
    (
        "mypreferences/d/settings/share-data-with-trusted-partners",
        "the partners switch (share-data-with-select-partners) under the path LinkedIn's own policy links (Feb 2026)",
    ),
    (
        "mypreferences/d/categories/account",
        "Settings & Privacy's first category, where the policy sends members for their settings",
    ),
    (
        "mypreferences/d/categories/privacy",
        "Data privacy, the category the catalogue's walk goes through",
    ),
    (
        "help/linkedin/ask/TS-DRF",
        "the request to correct data (rectification): not a route about the use of data",
    ),
];

/// Every link of the document (`a[href]`, resolved against the document), with its text, in
/// page order; and the document's title.
const LINKS_SCRIPT: &str = r#"
const links = [];
for (const a of document.querySelectorAll('a[href]')) {
  const text = (a.textContent || a.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
  links.push({ url: a.href, text: text.slice(0, 200) });
}
return { title: document.title, links };
"#;

/// A link as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: Url,
    /// What it reads (its text), cut at 200 characters.
    pub text: String,
}

/// What the policy page held when it was read.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Where the browser ended up (after any redirect).
    pub url: Url,
    /// The document's HTTP status, when the browser tells.
    pub status: Option<u16>,
    pub title: String,
    pub links: Vec<Link>,
}

/// Opens the policy page on `page` and reads its links. An unreachable site is the page
/// layer's `Error::Unreachable`; a page the script cannot read, `Error::PageNotUnderstood`.
pub async fn read(page: &Page<'_>) -> Result<Reading, Error> {
    #[derive(Deserialize)]
    struct Read {
        title: String,
        links: Vec<Link>,
    }
    let look = page.open(POLICY_PATH).await?;
    let value = page
        .run_script(LINKS_SCRIPT, vec![], "lists the privacy policy's links")
        .await?;
    let read: Read = match serde_json::from_value(value) {
        Ok(read) => read,
        Err(err) => {
            return Err(page
                .not_understood(format!(
                    "the privacy policy's links script answered oddly ({err})"
                ))
                .await);
        }
    };
    Ok(Reading {
        url: look.url,
        status: look.status,
        title: printable(&read.title),
        links: read
            .links
            .into_iter()
            .map(|link| Link {
                text: printable(&link.text),
                ..link
            })
            .collect(),
    })
}

/// A page's text as the tool prints it: without control characters (a terminal's escape
/// sequences) and without the marks that reorder text on screen (bidirectional overrides),
/// which a page could use to make a link read as something else.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// The form in which a link is compared with what the tool knows, or `None` when it is not
/// watched (another site, or neither a settings page nor a help form).
///
/// - Only the site itself counts: the base URL's host and port, or, for LinkedIn, any host
///   under linkedin.com (`linkedin.com`, `www.`, `de.`); scheme, query and fragment are
///   dropped (`?li_theme=light`, `?trk=…` name the same page).
/// - The path is compared in lower case, with empty segments (`//`, a trailing `/`) dropped.
/// - Under `/mypreferences/`, a one-letter family (`d`, `s`, `m`, `g`) stands for any
///   family: `/mypreferences/s/settings/x` is `/mypreferences/d/settings/x`.
pub fn compared_form(link: &Url, base: &Url) -> Option<String> {
    if !same_site(link, base) {
        return None;
    }
    let mut segments: Vec<String> = link
        .path_segments()?
        .filter(|segment| !segment.is_empty())
        .map(str::to_lowercase)
        .collect();
    if segments.first().map(String::as_str) == Some(&PREFERENCES[1..])
        && segments
            .get(1)
            .is_some_and(|family| family.chars().count() == 1)
    {
        segments[1] = ANY_FAMILY.to_string();
    }
    let form = format!("/{}", segments.join("/"));
    WATCHED
        .iter()
        .any(|watched| form == *watched || form.starts_with(&format!("{watched}/")))
        .then_some(form)
}

/// Whether `link` is on the site of `base`.
fn same_site(link: &Url, base: &Url) -> bool {
    if !matches!(link.scheme(), "http" | "https") {
        return false;
    }
    if crate::security::is_linkedin_host(base) {
        return crate::security::is_linkedin_host(link);
    }
    link.host() == base.host() && link.port_or_known_default() == base.port_or_known_default()
}

/// The compared forms of every page the tool knows: the switches of `catalogue` (the active
/// one, a member's overrides included), the objection's routes, and `KNOWN_PAGES`.
pub fn known_forms(catalogue: &Catalogue, base: &Url) -> BTreeSet<String> {
    let catalogued = catalogue
        .entries()
        .iter()
        .map(|entry| entry.switch.page_path());
    let others = objection::ROUTE_PATHS
        .iter()
        .chain(KNOWN_PAGES.iter().map(|(path, _)| path))
        .map(|path| path.to_string());
    catalogued
        .chain(others)
        .filter_map(|path| base.join(&path).ok())
        .filter_map(|url| compared_form(&url, base))
        .collect()
}

/// What the watch makes of a reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The policy page, with its watched links apart: those the tool knows (how many) and
    /// the others, once each by compared form, in page order.
    Read {
        known: usize,
        unknown: Vec<(String, Link)>,
    },
    /// Not the policy page as the watch knows it: why.
    NotRecognised(String),
}

impl Reading {
    /// Sorts the watched links into known and unknown. The page is recognised when it is
    /// still at the policy's path, answered without an HTTP error, and links at least one page
    /// the tool knows: every version of the policy seen links the settings and the objection
    /// form, so a page that links none has changed beyond recognition (or is not the policy).
    pub fn verdict(&self, base: &Url, known: &BTreeSet<String>) -> Verdict {
        let policy = base.join(POLICY_PATH).expect("a relative path");
        if self.url.path().trim_end_matches('/') != policy.path() {
            return Verdict::NotRecognised(format!(
                "LinkedIn sent the browser to {} instead",
                self.url
            ));
        }
        if let Some(status) = self.status.filter(|status| *status >= 400) {
            return Verdict::NotRecognised(format!("LinkedIn answered HTTP {status}"));
        }
        let mut seen = BTreeSet::new();
        let mut known_count = 0;
        let mut unknown = Vec::new();
        for link in &self.links {
            let Some(form) = compared_form(&link.url, base) else {
                continue;
            };
            if !seen.insert(form.clone()) {
                continue;
            }
            if known.contains(&form) {
                known_count += 1;
            } else {
                unknown.push((form, link.clone()));
            }
        }
        if known_count == 0 {
            return Verdict::NotRecognised(format!(
                "the page (\"{}\") links none of the {} settings pages and help forms the tool knows: it changed beyond recognition",
                self.title,
                known.len()
            ));
        }
        Verdict::Read {
            known: known_count,
            unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn form(link: &str, base: &str) -> Option<String> {
        compared_form(&url(link), &url(base))
    }

    #[test]
    fn one_page_under_other_forms_compares_the_same() {
        let linkedin = "https://www.linkedin.com/";
        let page = Some("/mypreferences/*/settings/share-data-with-trusted-partners".to_string());
        for link in [
            "https://www.linkedin.com/mypreferences/s/settings/share-data-with-trusted-partners?li_theme=light",
            "https://linkedin.com/mypreferences/d/settings/share-data-with-trusted-partners/",
            "http://de.linkedin.com/mypreferences/m/settings/Share-Data-With-Trusted-Partners#top",
            "https://www.linkedin.com//mypreferences/g/settings//share-data-with-trusted-partners",
        ] {
            assert_eq!(form(link, linkedin), page, "{link}");
        }
        assert_eq!(
            form(
                "https://www.linkedin.com/help/linkedin/ask/TS-DPRO?lang=de",
                linkedin
            ),
            Some("/help/linkedin/ask/ts-dpro".to_string())
        );
        assert_eq!(
            form(
                "https://www.linkedin.com/jobs/application-settings/",
                linkedin
            ),
            Some("/jobs/application-settings".to_string())
        );
        // A family is one letter: a longer segment is a page of its own.
        assert_eq!(
            form(
                "https://www.linkedin.com/mypreferences/settings/x",
                linkedin
            ),
            Some("/mypreferences/settings/x".to_string())
        );
        let sim = "http://127.0.0.1:8080/";
        assert_eq!(
            form("http://127.0.0.1:8080/psettings/advertising", sim),
            Some("/psettings/advertising".to_string())
        );
    }

    #[test]
    fn links_elsewhere_or_to_other_pages_are_not_watched() {
        let linkedin = "https://www.linkedin.com/";
        for link in [
            "https://www.linkedin.com/legal/cookie-policy",
            "https://www.linkedin.com/help/linkedin/answer/a5538339",
            "https://www.linkedin.com/mypreferencesx/d/settings/x",
            "https://www.linkedin.com/jobs/application-settings-old",
            "https://linkedin.com.evil.test/mypreferences/d/settings/x",
            "https://privacy.microsoft.com/mypreferences/d/settings/x",
            "mailto:dpo@linkedin.com",
        ] {
            assert_eq!(form(link, linkedin), None, "{link}");
        }
        // Another port of the same host is another site.
        assert_eq!(
            form(
                "http://127.0.0.1:9/mypreferences/d/settings/x",
                "http://127.0.0.1:8080/"
            ),
            None
        );
    }

    #[test]
    fn the_catalogue_and_the_objection_routes_are_known() {
        let base = url("https://www.linkedin.com/");
        let known = known_forms(&Catalogue::built_in(), &base);
        for page in [
            "/mypreferences/*/settings/data-for-ai-improvement",
            "/mypreferences/*/interest-categories",
            "/mypreferences/*/download-my-data",
            "/help/linkedin/ask/ts-dpro",
            "/help/linkedin/ask/ts-ddf",
            "/help/linkedin/ask/tso-dpo",
        ] {
            assert!(known.contains(page), "{page}: {known:?}");
        }
    }

    #[test]
    fn a_pages_text_is_printed_without_escapes_or_reordering_marks() {
        assert_eq!(
            printable("Data\u{1b}[31m for \u{202e}AI\u{7} agents — été"),
            "Data[31m for AI agents — été"
        );
    }

    fn reading(links: &[&str]) -> Reading {
        Reading {
            url: url("https://www.linkedin.com/legal/privacy-policy"),
            status: Some(200),
            title: "LinkedIn Privacy Policy".to_string(),
            links: links
                .iter()
                .map(|link| Link {
                    url: url(link),
                    text: "a link".to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_reading_sorts_watched_links_and_knows_a_page_it_cannot_recognise() {
        let base = url("https://www.linkedin.com/");
        let known = known_forms(&Catalogue::built_in(), &base);
        let read = reading(&[
            "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement",
            "https://www.linkedin.com/legal/cookie-policy",
            "https://www.linkedin.com/mypreferences/d/settings/ai-agents",
            "https://www.linkedin.com/mypreferences/s/settings/ai-agents?li_theme=light",
            "https://www.linkedin.com/help/linkedin/ask/TS-NEW",
        ]);
        let Verdict::Read {
            known: count,
            unknown,
        } = read.verdict(&base, &known)
        else {
            panic!("recognised");
        };
        assert_eq!(count, 1);
        let forms: Vec<&str> = unknown.iter().map(|(form, _)| form.as_str()).collect();
        assert_eq!(
            forms,
            [
                "/mypreferences/*/settings/ai-agents",
                "/help/linkedin/ask/ts-new"
            ]
        );
        // The first of several links to one page is the one reported.
        assert_eq!(
            unknown[0].1.url.as_str(),
            "https://www.linkedin.com/mypreferences/d/settings/ai-agents"
        );

        let unrecognisable = reading(&["https://www.linkedin.com/legal/cookie-policy"]);
        assert!(matches!(
            unrecognisable.verdict(&base, &known),
            Verdict::NotRecognised(why) if why.contains("changed beyond recognition")
        ));
        let moved = Reading {
            url: url("https://www.linkedin.com/authwall?trk=x"),
            ..reading(&[])
        };
        assert!(matches!(
            moved.verdict(&base, &known),
            Verdict::NotRecognised(why) if why.contains("/authwall")
        ));
        let gone = Reading {
            status: Some(404),
            ..read
        };
        assert!(matches!(
            gone.verdict(&base, &known),
            Verdict::NotRecognised(why) if why.contains("HTTP 404")
        ));
    }
}
