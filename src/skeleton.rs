//! A page skeleton safe to share: the same DOM with nothing of the member left in it, for a
//! bug report when LinkedIn changes a page.
//!
//! The page is parsed by an HTML5 parser (html5ever, through `scraper`) and written out
//! again node by node; nothing here ever matches patterns over markup. It keeps only what is
//! known to be structure:
//!
//! - tag names and nesting; ARIA roles and states, from the WAI-ARIA vocabulary;
//! - the attributes of a short list ([`Attribute::of`]), and those the rules read;
//! - a value or text only where the rules know it (the caller's [`Known`]: setting keys,
//!   titles, LinkedIn's own ids and classes), or where it comes from a closed vocabulary
//!   (`type`, `autocomplete`, `dir`…);
//! - of a URL, its origin when the rules know the host, and the path segments they know.
//!
//! Everything else is masked or dropped: a text becomes `x` repeated to its length, a value
//! a placeholder (`_1`, `_2`…, the same for the same value, so that `id`, `for` and
//! `aria-labelledby` still point at each other), a URL's other host and path segments a
//! placeholder of the same shape (`xxxx-xxx`), and every other attribute goes.

use std::collections::HashMap;
use std::fmt::Write as _;

use scraper::{Html, Node};

use crate::html::escape;

/// The skeleton's name beside the screenshot and the raw HTML of a failure.
pub const FILE_NAME: &str = "page.skeleton.html";

/// What the rules know about LinkedIn's pages, which the skeleton may keep: it takes them as
/// a value, since the rules live above this module (`linkedin::rules::skeleton_knowledge`).
pub trait Known {
    /// A visible text the rules know (however the page spaces or cases it).
    fn text(&self, text: &str) -> bool;
    /// An attribute value, or one token of it, the rules know: a switch's key, LinkedIn's
    /// own ids, classes and attribute values.
    fn value(&self, value: &str) -> bool;
    /// An attribute the rules read, kept as if on the skeleton's own list.
    fn attribute(&self, name: &str) -> bool;
    /// A URL's host the rules know (LinkedIn's own).
    fn host(&self, host: &str) -> bool;
    /// A URL's path segment the rules know.
    fn path_segment(&self, segment: &str) -> bool;
}

/// How an attribute on the skeleton's list is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    /// A state: its presence is kept, not its value (`checked`, `disabled`…).
    State,
    /// `role`: each token kept when it is a WAI-ARIA role.
    Role,
    /// An ARIA state or property: its value kept when it is one of the vocabulary's.
    AriaState,
    /// Free text (`aria-label`…): kept when the rules know it, else masked like a text.
    AriaText,
    /// Space-separated tokens (ids and references to them, classes): each kept when the rules
    /// know it, else its placeholder.
    Tokens,
    /// One value (`name`, `componentkey`, an attribute the rules read): kept when the rules
    /// know it, else its placeholder.
    Value,
    /// A value from a closed vocabulary: kept when it is one of `words`.
    Vocabulary(&'static [&'static str]),
    /// A URL: its known origin and path segments.
    Url,
}

impl Attribute {
    /// How `name` is kept, or `None`: it is dropped.
    fn of(name: &str, known: &dyn Known) -> Option<Attribute> {
        Some(match name {
            "checked" | "disabled" | "hidden" | "selected" | "readonly" | "required" | "open"
            | "multiple" | "inert" => Attribute::State,
            "role" => Attribute::Role,
            "aria-checked"
            | "aria-pressed"
            | "aria-expanded"
            | "aria-modal"
            | "aria-hidden"
            | "aria-busy"
            | "aria-disabled"
            | "aria-selected"
            | "aria-current"
            | "aria-haspopup"
            | "aria-live"
            | "aria-level"
            | "aria-invalid"
            | "aria-required"
            | "aria-readonly"
            | "aria-multiselectable"
            | "aria-orientation"
            | "aria-sort"
            | "aria-atomic"
            | "aria-autocomplete"
            | "aria-posinset"
            | "aria-setsize" => Attribute::AriaState,
            "aria-label"
            | "aria-description"
            | "aria-roledescription"
            | "aria-placeholder"
            | "aria-valuetext" => Attribute::AriaText,
            "id"
            | "for"
            | "class"
            | "form"
            | "list"
            | "headers"
            | "aria-labelledby"
            | "aria-describedby"
            | "aria-controls"
            | "aria-owns"
            | "aria-activedescendant"
            | "aria-details"
            | "aria-errormessage"
            | "aria-flowto" => Attribute::Tokens,
            "name" | "componentkey" => Attribute::Value,
            "type" => Attribute::Vocabulary(TYPES),
            "autocomplete" => Attribute::Vocabulary(AUTOCOMPLETE),
            "method" => Attribute::Vocabulary(&["get", "post", "dialog"]),
            "dir" => Attribute::Vocabulary(&["ltr", "rtl", "auto"]),
            "lang" => Attribute::Vocabulary(LANGUAGES),
            "tabindex" => Attribute::Vocabulary(&["-1", "0", "1"]),
            "href" | "action" => Attribute::Url,
            _ if known.attribute(name) => Attribute::Value,
            _ => return None,
        })
    }
}

/// WAI-ARIA 1.2 roles.
const ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
];

/// The values ARIA states and properties take (`aria-level` and the like take small
/// numbers, kept as well).
const ARIA_VALUES: &[&str] = &[
    "true",
    "false",
    "mixed",
    "undefined",
    "page",
    "step",
    "location",
    "date",
    "time",
    "menu",
    "listbox",
    "tree",
    "grid",
    "dialog",
    "off",
    "polite",
    "assertive",
    "horizontal",
    "vertical",
    "ascending",
    "descending",
    "none",
    "other",
    "inline",
    "list",
    "both",
];

/// `type` of inputs, buttons, lists, scripts and styles.
const TYPES: &[&str] = &[
    "button",
    "checkbox",
    "color",
    "date",
    "datetime-local",
    "email",
    "file",
    "hidden",
    "image",
    "month",
    "number",
    "password",
    "radio",
    "range",
    "reset",
    "search",
    "submit",
    "tel",
    "text",
    "time",
    "url",
    "week",
    "module",
    "text/javascript",
    "text/css",
    "application/ld+json",
    "application/json",
    "1",
    "a",
    "A",
    "i",
    "I",
];

/// `autocomplete` tokens (HTML's autofill field names).
const AUTOCOMPLETE: &[&str] = &[
    "on",
    "off",
    "username",
    "current-password",
    "new-password",
    "one-time-code",
    "email",
    "name",
    "given-name",
    "family-name",
    "additional-name",
    "nickname",
    "tel",
    "tel-national",
    "organization",
    "organization-title",
    "street-address",
    "address-line1",
    "address-line2",
    "postal-code",
    "country",
    "country-name",
    "bday",
    "sex",
    "url",
    "photo",
    "language",
    "webauthn",
    "shipping",
    "billing",
    "home",
    "work",
    "mobile",
];

/// `lang` values: the languages the rules' texts are in, and their common regional forms.
const LANGUAGES: &[&str] = &[
    "en", "en-US", "en-GB", "de", "de-DE", "fr", "fr-FR", "es", "es-ES", "it", "it-IT", "nl",
    "nl-NL", "pt", "pt-BR", "pl", "pl-PL", "sv", "sv-SE", "tr", "tr-TR", "ja", "ja-JP", "zh",
    "zh-CN", "zh-TW", "ko", "ko-KR", "ar", "hi", "hi-IN",
];

/// Elements whose content is dropped entirely (code and embedded documents).
const EMPTIED: &[&str] = &["script", "noscript", "iframe"];

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

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
/// `known` is what the rules know (`linkedin::rules::skeleton_knowledge`): that alone is kept
/// as it is.
pub fn redact(html: &str, known: &dyn Known) -> String {
    let document = Html::parse_document(html);
    let mut redactor = Redactor {
        known,
        placeholders: HashMap::new(),
        out: String::with_capacity(html.len() / 2),
    };
    redactor.out.push_str(concat!(
        "<!-- page skeleton by linkedin-optout ",
        env!("CARGO_PKG_VERSION"),
        ": only structure kept; texts masked as x, values as _N -->\n"
    ));
    for child in document.tree.root().children() {
        redactor.node(child);
    }
    redactor.out
}

struct Redactor<'k> {
    known: &'k dyn Known,
    /// Each masked value's placeholder, by value: the same value, the same placeholder.
    placeholders: HashMap<String, String>,
    out: String,
}

impl Redactor<'_> {
    fn node(&mut self, node: ego_tree::NodeRef<'_, Node>) {
        match node.value() {
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.node(child);
                }
            }
            // Whatever the page says, a skeleton is an HTML document.
            Node::Doctype(_) => self.out.push_str("<!DOCTYPE html>\n"),
            Node::Text(text) => {
                let kept = if self.known.text(text) {
                    escape(text, false)
                } else {
                    mask(text)
                };
                self.out.push_str(&kept);
            }
            Node::Element(element) => {
                let name = element.name();
                if name == "meta" && !is_page_key(element) {
                    return;
                }
                self.out.push('<');
                self.out.push_str(name);
                for (attribute, value) in element.attrs() {
                    if let Some(value) = self.attribute(name, attribute, value) {
                        let _ = write!(self.out, " {attribute}=\"{}\"", escape(&value, true));
                    }
                }
                self.out.push('>');
                if VOID.contains(&name) {
                    return;
                }
                if !EMPTIED.contains(&name) {
                    for child in node.children() {
                        self.node(child);
                    }
                }
                let _ = write!(self.out, "</{name}>");
            }
            // Comments and processing instructions can hold anything: gone.
            Node::Comment(_) | Node::ProcessingInstruction(_) => {}
        }
    }

    /// The value an attribute keeps in the skeleton, or `None` to drop it.
    fn attribute(&mut self, element: &str, attribute: &str, value: &str) -> Option<String> {
        if element == "meta" {
            // Only pageKey's meta gets here: its name, and its content if the rules know it.
            return match attribute {
                "name" => Some(value.to_string()),
                "content" => Some(self.value(value)),
                _ => None,
            };
        }
        Some(match Attribute::of(attribute, self.known)? {
            Attribute::State => String::new(),
            Attribute::Role => self.tokens(value, |token| ROLES.contains(&token)),
            Attribute::AriaState => {
                let value = value.trim();
                if ARIA_VALUES.contains(&value)
                    || (value.len() <= 3 && value.bytes().all(|b| b.is_ascii_digit()))
                {
                    value.to_string()
                } else {
                    self.value(value)
                }
            }
            Attribute::AriaText => {
                if self.known.text(value) {
                    value.to_string()
                } else {
                    mask(value)
                }
            }
            Attribute::Tokens => self.tokens(value, |_| false),
            Attribute::Value => self.value(value),
            Attribute::Vocabulary(words) => self.tokens(value, |token| words.contains(&token)),
            Attribute::Url => self.url(value),
        })
    }

    /// `value` if the rules know it, else its placeholder.
    fn value(&mut self, value: &str) -> String {
        if value.is_empty() || self.known.value(value) {
            return value.to_string();
        }
        let next = self.placeholders.len() + 1;
        self.placeholders
            .entry(value.to_string())
            .or_insert_with(|| format!("_{next}"))
            .clone()
    }

    /// Each space-separated token of `value` kept when `keep` (or the rules) accept it,
    /// else replaced by its placeholder.
    fn tokens(&mut self, value: &str, keep: impl Fn(&str) -> bool) -> String {
        value
            .split_ascii_whitespace()
            .map(|token| {
                if keep(token) {
                    token.to_string()
                } else {
                    self.value(token)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A URL's origin when the rules know its host (or it is this machine), and each path
    /// segment the rules know; any other host or segment becomes a placeholder of the same
    /// shape. No user name, password, query or fragment. A scheme other than http(s) keeps
    /// only its name (`mailto:`).
    fn url(&mut self, value: &str) -> String {
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
        let path = url
            .path()
            .split('/')
            .map(|segment| {
                if segment.is_empty() || self.known.path_segment(segment) {
                    segment.to_string()
                } else {
                    shape(segment)
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        if relative {
            return path;
        }
        let host = url.host_str().unwrap_or_default();
        let host = if self.known.host(host) || is_this_machine(&url) {
            host.to_string()
        } else {
            shape(host)
        };
        let port = url
            .port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default();
        format!("{}://{host}{port}{path}", url.scheme())
    }
}

/// A loopback host (a simulator on this machine): nobody's trace.
fn is_this_machine(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// `<meta name="pageKey">` names the kind of page LinkedIn served.
fn is_page_key(element: &scraper::node::Element) -> bool {
    element
        .attr("name")
        .is_some_and(|name| name.eq_ignore_ascii_case("pageKey"))
}

/// Every character but white space becomes `x`: the text's length and words stay, for
/// layout, and nothing of what it said.
fn mask(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_whitespace() { c } else { 'x' })
        .collect()
}

/// A placeholder of the same shape: letters become `x` (`X` in upper case), digits `0`, and
/// the punctuation between them stays (`jane-doe-0815` is `xxxx-xxx-0000`).
fn shape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_uppercase() => 'X',
            c if c.is_alphabetic() => 'x',
            c if c.is_numeric() => '0',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a rules table would know of `PAGE` (the real table is tested in
    /// `linkedin::rules`).
    struct Rules;

    impl Known for Rules {
        fn text(&self, text: &str) -> bool {
            [
                "Data for Generative AI Improvement",
                "Use my data for training content creation AI models",
                "On",
                "Sign in",
            ]
            .iter()
            .any(|known| known.eq_ignore_ascii_case(text.trim()))
        }

        fn value(&self, value: &str) -> bool {
            [
                "allowDataForGenerativeAI",
                "artdeco-toggle",
                "COOKIE_CONSENT",
            ]
            .contains(&value)
        }

        fn attribute(&self, name: &str) -> bool {
            name == "data-test-global-alert-type"
        }

        fn host(&self, host: &str) -> bool {
            host == "www.linkedin.com"
        }

        fn path_segment(&self, segment: &str) -> bool {
            [
                "mypreferences",
                "d",
                "settings",
                "data-for-ai-improvement",
                "in",
                "feed",
            ]
            .contains(&segment)
        }
    }

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8"><meta name="pageKey" content="d_flagship3_settings">
<meta name="csrf" content="ajax:1234567890123">
<title>Jane Doe | LinkedIn</title>
<script>var token = "ajax:1234567890123"; document.cookie;</script>
</head><body>
<!-- member: Jane Doe -->
<div data-test-global-alert-type="COOKIE_CONSENT" data-member="jane"></div>
<a href="https://www.linkedin.com/in/jane-doe-0815/?trk=nav" aria-label="View Jane Doe's profile">Jane Doe</a>
<a href="mailto:jane@example.com">jane@example.com</a>
<main><h1>Data for Generative AI Improvement</h1>
<label id="allowDataForGenerativeAI" for="ember12">Use my data for training content creation AI models</label>
<input id="ember12" class="artdeco-toggle jane-doe" type="checkbox" role="switch bogus" aria-labelledby="allowDataForGenerativeAI" aria-checked="true" checked value="jane" data-test-switch="on" componentkey="c1234567">
<span id="hint-jane" aria-hidden="true">On</span><p aria-describedby="hint-jane">x</p>
<form action="https://jane.example.net/u/jane@example.com/save" method="post"><input type="email" autocomplete="username jane" name="jane@example.com"></form>
</main></body></html>"#;

    #[test]
    fn keeps_structure_and_what_the_rules_know() {
        let skeleton = redact(PAGE, &Rules);
        for kept in [
            "<!DOCTYPE html>",
            r#"<html lang="en">"#,
            "<title>xxxx xxx x xxxxxxxx</title>",
            r#"<div data-test-global-alert-type="COOKIE_CONSENT"></div>"#,
            "<h1>Data for Generative AI Improvement</h1>",
            r#"<label id="allowDataForGenerativeAI" for="_2">Use my data for training content creation AI models</label>"#,
            r#"<input id="_2" class="artdeco-toggle _3" type="checkbox" role="switch _4" aria-labelledby="allowDataForGenerativeAI" aria-checked="true" checked="" componentkey="_5">"#,
            r#"<span id="_6" aria-hidden="true">On</span><p aria-describedby="_6">x</p>"#,
            r#"<a href="https://www.linkedin.com/in/xxxx-xxx-0000/" aria-label="xxxx xxxx xxxxx xxxxxxx">xxxx xxx</a>"#,
            r#"<a href="mailto:">"#,
            r#"<form action="https://xxxx.xxxxxxx.xxx/x/xxxx@xxxxxxx.xxx/xxxx" method="post">"#,
            r#"<input type="email" autocomplete="username _7" name="_8">"#,
            "<script></script>",
        ] {
            assert!(skeleton.contains(kept), "missing {kept} in\n{skeleton}");
        }
        // The pageKey's meta stays, its value a placeholder.
        assert!(
            skeleton.contains(r#"<meta name="pageKey" content="_1">"#),
            "{skeleton}"
        );
    }

    #[test]
    fn nothing_of_the_member_survives() {
        let skeleton = redact(PAGE, &Rules);
        for gone in [
            "Jane",
            "jane",
            "0815",
            "1234567890123",
            "example",
            "trk=",
            "charset",
            "cookie",
            "ember12",
            "flagship",
            "data-member",
            "c1234567",
            "data-test-switch",
            "value=",
        ] {
            assert!(!skeleton.contains(gone), "found {gone} in\n{skeleton}");
        }
    }

    #[test]
    fn masks_keep_length_and_shape() {
        assert_eq!(mask("  Jane Doe \n"), "  xxxx xxx \n");
        assert_eq!(mask("Zoë"), "xxx");
        assert_eq!(mask(" \n "), " \n ");
        assert_eq!(shape("Jane-Doe_0815@ex.com"), "Xxxx-Xxx_0000@xx.xxx");
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
}
