//! A page skeleton safe to share: the same DOM with everything personal taken out and
//! everything structural kept, for a bug report when LinkedIn changes a page.
//!
//! The page is parsed by an HTML5 parser (html5ever, through `scraper`) and written out
//! again node by node; nothing here ever matches patterns over markup. What is kept is an
//! allow-list: element names and nesting, ARIA roles and states, the ids, classes and
//! attributes the rules look at, link paths, and the texts the rules table knows (the caller's `is_known`: the rules live above this
//! module). Every
//! other text is masked as `x` repeated to its length, every other attribute dropped.

use std::fmt::Write as _;

use scraper::{Html, Node};

use crate::html::escape;

/// The skeleton's name beside the screenshot and the raw HTML of a failure.
pub const FILE_NAME: &str = "page.skeleton.html";

/// Attributes kept with their value (long digit runs masked): structure, not content.
const KEPT: &[&str] = &[
    "id",
    "class",
    "type",
    "for",
    "name",
    "role",
    "lang",
    "dir",
    "componentkey",
    "autocomplete",
    "method",
    "tabindex",
    // Attributes the rules read (`src/linkedin/rules.rs`).
    "action-type",
    "data-control-name",
    "data-litms-control-urn",
];

/// Attributes whose presence is a state; kept without their value.
const STATES: &[&str] = &[
    "checked", "disabled", "hidden", "selected", "readonly", "required", "open", "multiple",
];

/// `aria-*` attributes whose values are states or references to ids, kept as they are.
const ARIA_VALUES: &[&str] = &[
    "aria-checked",
    "aria-pressed",
    "aria-expanded",
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-modal",
    "aria-hidden",
    "aria-busy",
    "aria-disabled",
    "aria-selected",
    "aria-current",
    "aria-haspopup",
    "aria-live",
    "aria-level",
];

/// Attributes that hold a URL: only its path is kept.
const URLS: &[&str] = &["href", "action"];

/// Elements whose content is dropped entirely (code and embedded documents).
const EMPTIED: &[&str] = &["script", "noscript", "iframe"];

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// A run of at least this many digits in a kept value is masked (member and URN ids).
const LONG_DIGITS: usize = 6;

/// The text of `bytes` when they are an HTML page, or what they look like instead: a
/// picture, an archive or any binary file would come out as a masked garbage document.
pub fn html_text(bytes: &[u8]) -> Result<&str, String> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"RIFF", "a RIFF file (WebP, WAV…)"),
        (b"\x7fELF", "a program"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(format!("it looks like {what}"));
    }
    if bytes.contains(&0) {
        return Err("it holds binary data".to_string());
    }
    let text = std::str::from_utf8(bytes).map_err(|err| format!("it is not UTF-8 text: {err}"))?;
    // Some markup: a tag, a doctype or a comment, wherever the page starts.
    let has_markup = text
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'<' && (pair[1].is_ascii_alphabetic() || pair[1] == b'!'));
    if !has_markup {
        return Err("it has no HTML tag".to_string());
    }
    Ok(text)
}

/// The redaction of `html`: a complete document, safe to attach to a public bug report.
/// `is_known` tells a text the rules table knows (`linkedin::rules::texts::is_known`): those
/// are kept verbatim.
pub fn redact(html: &str, is_known: &dyn Fn(&str) -> bool) -> String {
    let document = Html::parse_document(html);
    let mut out = String::with_capacity(html.len() / 2);
    out.push_str(concat!(
        "<!-- page skeleton by linkedin-optout ",
        env!("CARGO_PKG_VERSION"),
        ": texts masked as x, personal attributes removed -->\n"
    ));
    for child in document.tree.root().children() {
        write_node(&mut out, child, false, is_known);
    }
    out
}

/// `in_title`: the text belongs to `<title>`, which is kept.
fn write_node(
    out: &mut String,
    node: ego_tree::NodeRef<'_, Node>,
    in_title: bool,
    is_known: &dyn Fn(&str) -> bool,
) {
    match node.value() {
        Node::Document | Node::Fragment => {
            for child in node.children() {
                write_node(out, child, in_title, is_known);
            }
        }
        Node::Doctype(doctype) => {
            let _ = writeln!(out, "<!DOCTYPE {}>", escape(doctype.name(), false));
        }
        Node::Text(text) => {
            if in_title || is_known(text) {
                out.push_str(&escape(text, false));
            } else {
                out.push_str(&mask(text));
            }
        }
        Node::Element(element) => {
            let name = element.name();
            if name == "meta" && !is_page_key(element) {
                return;
            }
            out.push('<');
            out.push_str(name);
            for (attribute, value) in element.attrs() {
                if let Some(value) = kept_attribute(name, attribute, value, is_known) {
                    let _ = write!(out, " {attribute}=\"{}\"", escape(&value, true));
                }
            }
            out.push('>');
            if VOID.contains(&name) {
                return;
            }
            if !EMPTIED.contains(&name) {
                // The document's title, not an SVG's `<title>` (which can name anything).
                let is_title = name == "title"
                    && node
                        .parent()
                        .and_then(|parent| parent.value().as_element())
                        .is_some_and(|parent| parent.name() == "head");
                for child in node.children() {
                    write_node(out, child, is_title, is_known);
                }
            }
            let _ = write!(out, "</{name}>");
        }
        // Comments and processing instructions can hold anything: gone.
        Node::Comment(_) | Node::ProcessingInstruction(_) => {}
    }
}

/// `<meta name="pageKey">` names the kind of page LinkedIn served, nothing about the member.
fn is_page_key(element: &scraper::node::Element) -> bool {
    element
        .attr("name")
        .is_some_and(|name| name.eq_ignore_ascii_case("pageKey"))
}

/// The value an attribute keeps in the skeleton, or `None` to drop it.
fn kept_attribute(
    element: &str,
    attribute: &str,
    value: &str,
    is_known: &dyn Fn(&str) -> bool,
) -> Option<String> {
    if element == "meta" {
        // Only pageKey's meta gets here: its name and content.
        return matches!(attribute, "name" | "content").then(|| value.to_string());
    }
    if KEPT.contains(&attribute)
        || attribute.starts_with("data-test")
        || ARIA_VALUES.contains(&attribute)
    {
        return Some(mask_long_digits(value));
    }
    if STATES.contains(&attribute) {
        return Some(String::new());
    }
    if URLS.contains(&attribute) {
        return Some(url_path(value));
    }
    if attribute.starts_with("aria-") {
        // Free text (aria-label, aria-description…): kept only when the rules know it.
        return Some(if is_known(value) {
            value.to_string()
        } else {
            mask(value)
        });
    }
    None
}

/// `x` repeated to the text's length; the whitespace around it is kept for layout.
fn mask(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return text.to_string();
    }
    let start = text.len() - text.trim_start().len();
    let end = start + trimmed.len();
    format!(
        "{}{}{}",
        &text[..start],
        "x".repeat(trimmed.chars().count()),
        &text[end..]
    )
}

/// Digit runs of `LONG_DIGITS` or more become `N`s: ids of members, posts and URNs.
fn mask_long_digits(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut run = String::new();
    for c in value.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() >= LONG_DIGITS {
            out.extend(std::iter::repeat_n('N', run.len()));
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// A URL's path only: no query, no fragment, long digit runs masked, and the segment after
/// `/in/` (a member's profile name) and any segment with an `@` masked. Other schemes
/// (`mailto:`, `tel:`, `javascript:`, `data:`) keep only their name.
fn url_path(value: &str) -> String {
    let value = value.trim();
    let (url, relative) = match url::Url::parse(value) {
        Ok(url) => (url, false),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let base = url::Url::parse("https://base.invalid/").expect("a valid base");
            match base.join(value) {
                Ok(url) => (url, true),
                Err(_) => return String::new(),
            }
        }
        Err(_) => return String::new(),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return format!("{}:", url.scheme());
    }
    let mut after_in = false;
    let path: Vec<String> = url
        .path()
        .split('/')
        .map(|segment| {
            let masked = if (after_in && !segment.is_empty()) || segment.contains('@') {
                "x".repeat(segment.chars().count())
            } else {
                mask_long_digits(segment)
            };
            after_in = segment == "in";
            masked
        })
        .collect();
    let path = path.join("/");
    if relative {
        path
    } else {
        format!("{}://{}{path}", url.scheme(), url.host_str().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of `PAGE` a rules table would know (the real table is tested with
    /// `linkedin::rules::texts::is_known`).
    fn known(text: &str) -> bool {
        [
            "Data for Generative AI Improvement",
            "Use my data for training content creation AI models",
            "On",
            "Anmelden",
            "Sign in",
        ]
        .iter()
        .any(|known| known.eq_ignore_ascii_case(text.trim()))
    }

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8"><meta name="pageKey" content="d_flagship3_settings">
<meta name="csrf" content="ajax:1234567890123">
<title>Settings | LinkedIn</title>
<script>var token = "ajax:1234567890123"; document.cookie;</script>
<style>.a{background:url(https://media.example/jane.jpg)}</style>
</head><body>
<!-- member: Jane Doe -->
<header><img src="https://media.example/jane.jpg" srcset="a.jpg 1x" alt="Jane Doe" class="photo">
<a href="/in/jane-doe-0815/?trk=nav" aria-label="View Jane Doe's profile">Jane Doe</a>
<a href="mailto:jane@example.com">jane@example.com</a>
<a href="https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/?x=1#c">post</a>
</header>
<main><h1>Data for Generative AI Improvement</h1>
<label id="allowDataForGenerativeAI" for="ember12">Use my data for training content creation AI models</label>
<input id="ember12" type="checkbox" role="switch" aria-labelledby="allowDataForGenerativeAI" aria-checked="true" checked value="jane" style="background:url(x.png)" data-test-switch="on" componentkey="c1234567">
<span aria-hidden="true">On</span>
<button aria-label="Sign in" type="button">Anmelden</button>
<svg><title>Jane Doe</title></svg><template><p>Jane</p></template><textarea>Jane</textarea><noscript>Jane Doe</noscript><iframe src="https://ads.example/"><p>Jane</p></iframe>
<input type="hidden" name="csrfToken" value="ajax:1234567890123">
</main></body></html>"#;

    #[test]
    fn keeps_structure_and_known_texts() {
        let skeleton = redact(PAGE, &known);
        for kept in [
            "<!DOCTYPE html>",
            r#"<html lang="en">"#,
            r#"<meta name="pageKey" content="d_flagship3_settings">"#,
            "<title>Settings | LinkedIn</title>",
            "<h1>Data for Generative AI Improvement</h1>",
            r#"<label id="allowDataForGenerativeAI" for="ember12">Use my data for training content creation AI models</label>"#,
            r#"<input id="ember12" type="checkbox" role="switch" aria-labelledby="allowDataForGenerativeAI" aria-checked="true" checked="" data-test-switch="on" componentkey="cNNNNNNN">"#,
            r#"<span aria-hidden="true">On</span>"#,
            r#"<button aria-label="Sign in" type="button">Anmelden</button>"#,
            r#"<a href="/in/xxxxxxxxxxxxx/" aria-label="xxxxxxxxxxxxxxxxxxxxxxx">xxxxxxxx</a>"#,
            r#"<a href="mailto:">xxxxxxxxxxxxxxxx</a>"#,
            r#"href="https://www.linkedin.com/feed/update/urn:li:activity:NNNNNNNNNNNNNNNNNNN/""#,
            "<script></script>",
            "<noscript></noscript>",
            "<iframe></iframe>",
            r#"<input type="hidden" name="csrfToken">"#,
        ] {
            assert!(skeleton.contains(kept), "missing {kept} in\n{skeleton}");
        }
    }

    #[test]
    fn removes_everything_personal() {
        let skeleton = redact(PAGE, &known);
        for gone in [
            "Jane",
            "jane",
            "0815",
            "1234567890123",
            "media.example",
            "ads.example",
            "a.jpg",
            "trk=",
            "#c",
            "charset",
            "cookie",
            "x.png",
        ] {
            assert!(!skeleton.contains(gone), "found {gone} in\n{skeleton}");
        }
    }

    #[test]
    fn only_html_is_redacted() {
        assert!(html_text(PAGE.as_bytes()).is_ok());
        assert!(html_text(b"\xef\xbb\xbf<p>x</p>").is_ok());
        for (bytes, why) in [
            (&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], "a PNG image"),
            (b"%PDF-1.7\n", "a PDF document"),
            (b"<p>\0</p>", "binary data"),
            (b"<p>\xff\xfe</p>", "not UTF-8"),
            (b"just a note, no page", "no HTML tag"),
        ] {
            let err = html_text(bytes).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn masks_text_to_its_length() {
        assert_eq!(mask("  Jane Doe \n"), "  xxxxxxxx \n");
        assert_eq!(mask("Zoë"), "xxx");
        assert_eq!(mask(" \n "), " \n ");
        assert_eq!(mask_long_digits("a12345b1234567"), "a12345bNNNNNNN");
    }
}
