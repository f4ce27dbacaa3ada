//! The catalogue: every switch the tool knows, as data (`catalogue.toml`, embedded at build
//! time), and a member's overrides of it (`--rules FILE`, `rules_file`), entry by entry and
//! field by field. The flow reads a switch's page, key and titles from here, so a renamed key
//! or a moved page is fixed with a few lines of TOML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::Error;

/// The built-in catalogue.
const BUILT_IN: &str = include_str!("catalogue.toml");

/// The switch every command acts on unless told otherwise.
pub const DEFAULT_SWITCH: &str = "data-for-ai-improvement";

/// The name that picks the whole catalogue (`--setting all`).
pub const ALL: &str = "all";

/// Where a settings page's path starts, under the base URL.
const PREFERENCES: &str = "mypreferences/d/";

/// How the key labels the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyIs {
    /// The switch's `aria-labelledby` holds the key, or a `<label>` with the key as its id
    /// names it.
    #[serde(rename = "aria-labelledby")]
    AriaLabelledby,
    /// The key is the switch's own id.
    #[serde(rename = "id")]
    Id,
}

/// One switch, as the flow acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    pub name: String,
    /// The page, under `/mypreferences/d/`.
    pub path: String,
    pub key: String,
    pub key_is: KeyIs,
    /// The page's title per language (BCP 47 code); `en` is always there.
    pub title: BTreeMap<String, String>,
    pub category: String,
    /// What "on" lets LinkedIn do.
    pub on: String,
    pub evidence: String,
}

/// A field of a switch that an override file can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Path,
    Key,
    KeyIs,
    Title,
    Category,
    On,
    Evidence,
}

/// One entry of the active catalogue, and which of its fields an override file set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub switch: Switch,
    pub overridden: Vec<Field>,
}

/// The active catalogue: the built-in one, with a member's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    entries: Vec<Entry>,
    /// The override file, when one was applied.
    source: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltIn {
    switch: Vec<Switch>,
}

/// One entry of an override file: every field optional, each with where it was written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Override {
    path: Option<Spanned<String>>,
    key: Option<Spanned<String>>,
    key_is: Option<Spanned<KeyIs>>,
    title: Option<BTreeMap<String, Spanned<String>>>,
    category: Option<Spanned<String>>,
    on: Option<Spanned<String>>,
    evidence: Option<Spanned<String>>,
}

impl Catalogue {
    /// The catalogue built into the binary.
    pub fn built_in() -> Catalogue {
        let built_in: BuiltIn = toml::from_str(BUILT_IN).expect("the built-in catalogue parses");
        Catalogue {
            entries: built_in
                .switch
                .into_iter()
                .map(|switch| Entry {
                    switch,
                    overridden: Vec::new(),
                })
                .collect(),
            source: None,
        }
    }

    /// The built-in catalogue with the override file `path` (whose text is `text`) applied.
    /// A mistake is a usage error naming the file and the line.
    pub fn with_overrides(text: &str, path: &Path) -> Result<Catalogue, Error> {
        let mistake = |offset: usize, what: String| {
            Error::Usage(format!(
                "rules file {}, line {}: {what}; fix it (`rules show` prints the catalogue)",
                path.display(),
                line_of(text, offset)
            ))
        };
        let overrides: BTreeMap<Spanned<String>, Spanned<Override>> = toml::from_str(text)
            .map_err(|err: toml::de::Error| {
                mistake(
                    err.span().map_or(0, |span| span.start),
                    err.message().trim().to_string(),
                )
            })?;
        let mut catalogue = Catalogue::built_in();
        for (name, fields) in overrides {
            let Some(entry) = catalogue
                .entries
                .iter_mut()
                .find(|entry| entry.switch.name == *name.get_ref())
            else {
                return Err(mistake(
                    name.span().start,
                    format!("no switch is named `{}`", name.get_ref()),
                ));
            };
            let fields = fields.into_inner();
            let switch = &mut entry.switch;
            let mut set = |field: Field, to: &mut String, value: Option<Spanned<String>>| {
                if let Some(value) = value {
                    let span = value.span();
                    *to = value.into_inner();
                    if let Err(what) = check(field, to) {
                        return Err(mistake(span.start, what));
                    }
                    entry.overridden.push(field);
                }
                Ok(())
            };
            set(Field::Path, &mut switch.path, fields.path)?;
            set(Field::Key, &mut switch.key, fields.key)?;
            set(Field::Category, &mut switch.category, fields.category)?;
            set(Field::On, &mut switch.on, fields.on)?;
            set(Field::Evidence, &mut switch.evidence, fields.evidence)?;
            if let Some(key_is) = fields.key_is {
                switch.key_is = key_is.into_inner();
                entry.overridden.push(Field::KeyIs);
            }
            if let Some(titles) = fields.title {
                for (language, title) in titles {
                    let span = title.span();
                    let title = title.into_inner();
                    if let Err(what) =
                        check_language(&language).and_then(|()| check(Field::Title, &title))
                    {
                        return Err(mistake(span.start, what));
                    }
                    switch.title.insert(language, title);
                }
                entry.overridden.push(Field::Title);
            }
            entry.overridden.sort();
            entry.overridden.dedup();
        }
        catalogue.source = Some(path.to_path_buf());
        Ok(catalogue)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The override file applied, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// The switch named `name`.
    pub fn get(&self, name: &str) -> Option<&Switch> {
        self.entries
            .iter()
            .map(|entry| &entry.switch)
            .find(|switch| switch.name == name)
    }

    /// The switch every command acts on unless told otherwise: `data-for-ai-improvement`.
    pub fn default_switch(&self) -> &Switch {
        self.get(DEFAULT_SWITCH)
            .expect("the catalogue has the default switch")
    }

    /// Every switch, in the catalogue's order.
    pub fn switches(&self) -> Vec<Switch> {
        self.entries
            .iter()
            .map(|entry| entry.switch.clone())
            .collect()
    }

    /// The switches `names` pick, each once, in the order named (`all` stands for the whole
    /// catalogue in its order); `Err` holds the first name the catalogue does not know.
    pub fn select(&self, names: &[String]) -> Result<Vec<Switch>, String> {
        let mut chosen: Vec<Switch> = Vec::new();
        for name in names {
            let picked = if name == ALL {
                self.switches()
            } else {
                vec![self.get(name).ok_or_else(|| name.clone())?.clone()]
            };
            for switch in picked {
                if !chosen.iter().any(|known| known.name == switch.name) {
                    chosen.push(switch);
                }
            }
        }
        Ok(chosen)
    }

    /// The names a setting can be chosen by, for a message that refuses another.
    /// The name closest to `typed` (a typo's "did you mean"), if one is close enough.
    pub fn closest(&self, typed: &str) -> Option<&str> {
        self.entries
            .iter()
            .map(|entry| entry.switch.name.as_str())
            .chain(std::iter::once(ALL))
            .map(|name| (strsim::jaro_winkler(typed, name), name))
            .filter(|(likeness, _)| *likeness > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name)
    }

    /// "did you mean `NAME`? " for a name close to `typed`, else nothing.
    pub fn did_you_mean(&self, typed: &str) -> String {
        self.closest(typed)
            .map(|name| format!(": did you mean `{name}`?"))
            .unwrap_or_default()
    }

    pub fn names(&self) -> String {
        let mut names: Vec<&str> = self
            .entries
            .iter()
            .map(|e| e.switch.name.as_str())
            .collect();
        names.push(ALL);
        names.join(", ")
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::built_in()
    }
}

impl Switch {
    /// The page's path under the base URL.
    pub fn page_path(&self) -> String {
        format!("{PREFERENCES}{}", self.path)
    }

    /// The switch itself: any element with `role=switch` (WAI-ARIA 1.2), a toggle button
    /// (`aria-pressed`) or a native checkbox, labelled by the key. The key is checked to be a
    /// CSS identifier, so it needs no escaping.
    pub fn switch_css(&self) -> String {
        let key = &self.key;
        match self.key_is {
            KeyIs::AriaLabelledby => format!(
                "[role=switch][aria-labelledby~={key}], \
                 button[aria-pressed][aria-labelledby~={key}], \
                 input[type=checkbox][aria-labelledby~={key}]"
            ),
            KeyIs::Id => format!(
                "[role=switch]#{key}, button[aria-pressed]#{key}, input[type=checkbox]#{key}"
            ),
        }
    }

    /// A `<label>` whose id is the key: the control it names is the switch.
    pub fn label_css(&self) -> Option<String> {
        (self.key_is == KeyIs::AriaLabelledby).then(|| format!("label#{}", self.key))
    }

    /// A link to the page, as Data privacy lists it.
    pub fn link_css(&self) -> String {
        format!("a[href*='/{}']", self.page_path())
    }

    /// The page's titles, every language.
    pub fn titles(&self) -> Vec<&str> {
        self.title.values().map(String::as_str).collect()
    }

    /// The English title, the one messages use.
    pub fn title_en(&self) -> &str {
        self.title.get("en").map_or(&self.name, String::as_str)
    }
}

/// The line (from 1) of `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whether `value` is a valid `field`; the mistake otherwise.
fn check(field: Field, value: &str) -> Result<(), String> {
    let segment = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    match field {
        Field::Path if !value.split('/').all(segment) => Err(format!(
            "path `{value}` must be the part after /mypreferences/d/, in lower-case letters, digits, `-` and `/` (e.g. `settings/data-for-ai-improvement`)"
        )),
        Field::Key
            if !value.starts_with(|c: char| c.is_ascii_alphabetic())
                || !value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Err(format!(
                "key `{value}` must be the id that labels the switch: a letter, then letters, digits, `_` or `-`"
            ))
        }
        _ if value.trim().is_empty() => Err(format!("{field:?} must not be empty")),
        _ => Ok(()),
    }
}

fn check_language(language: &str) -> Result<(), String> {
    let mut parts = language.split('-');
    let primary = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "title language `{language}` must be a language code such as `en` or `pt-BR`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_is_valid_and_complete() {
        let catalogue = Catalogue::built_in();
        let names: Vec<&str> = catalogue
            .entries()
            .iter()
            .map(|e| e.switch.name.as_str())
            .collect();
        for wanted in [
            "data-for-ai-improvement",
            "policy-and-academic-research",
            "share-data-with-select-partners",
            "linkedin-promotions-ads",
            "linkedin-promotions-emails",
            "ads-by-age",
            "ads-by-gender",
            "ads-beyond-linkedin",
            "ads-interactions-with-business",
            "ads-related-actions",
            "ads-inferred-location",
            "interest-categories",
            "member-cookies",
        ] {
            assert!(names.contains(&wanted), "{wanted} missing");
        }
        let mut seen = std::collections::HashSet::new();
        for entry in catalogue.entries() {
            let s = &entry.switch;
            assert!(seen.insert(&s.name), "{} twice", s.name);
            assert!(
                check(Field::Path, &s.name).is_ok(),
                "{} is not kebab-case",
                s.name
            );
            for (field, value) in [
                (Field::Path, &s.path),
                (Field::Key, &s.key),
                (Field::Category, &s.category),
                (Field::On, &s.on),
                (Field::Evidence, &s.evidence),
            ] {
                assert_eq!(check(field, value), Ok(()), "{}", s.name);
            }
            assert!(
                s.title.contains_key("en"),
                "{} has no English title",
                s.name
            );
            for (language, title) in &s.title {
                assert_eq!(check_language(language), Ok(()));
                assert_eq!(check(Field::Title, title), Ok(()));
            }
        }
        let ai = catalogue.default_switch();
        assert_eq!(
            ai.page_path(),
            "mypreferences/d/settings/data-for-ai-improvement"
        );
        assert_eq!(ai.key, "allowDataForGenerativeAI");
        assert_eq!(
            ai.label_css().as_deref(),
            Some("label#allowDataForGenerativeAI")
        );
        let cookies = catalogue.get("member-cookies").unwrap();
        assert_eq!(cookies.key_is, KeyIs::Id);
        assert!(
            cookies
                .switch_css()
                .contains("[role=switch]#nonEssentialCookieConsent")
        );
        assert_eq!(cookies.label_css(), None);
    }

    #[test]
    fn an_override_changes_only_the_fields_it_names() {
        let path = Path::new("/etc/rules.toml");
        let text = "[data-for-ai-improvement]\nkey = \"allowGenAI\"\ntitle.de = \"KI-Daten\"\n";
        let catalogue = Catalogue::with_overrides(text, path).unwrap();
        let built_in = Catalogue::built_in();
        let ai = catalogue.default_switch();
        assert_eq!(ai.key, "allowGenAI");
        assert_eq!(ai.title["de"], "KI-Daten");
        assert_eq!(ai.title["en"], built_in.default_switch().title["en"]);
        assert_eq!(ai.path, built_in.default_switch().path);
        assert_eq!(
            catalogue.entries()[0].overridden,
            vec![Field::Key, Field::Title]
        );
        assert_eq!(catalogue.source(), Some(path));
        assert_eq!(catalogue.entries()[1], built_in.entries()[1]);
    }

    #[test]
    fn a_mistake_names_the_file_and_its_line() {
        let path = Path::new("rules.toml");
        for (text, line, what) in [
            (
                "\n\n[no-such-switch]\nkey = \"k\"\n",
                3,
                "no switch is named `no-such-switch`",
            ),
            (
                "[ads-by-age]\n\nkey = \"has space\"\n",
                3,
                "key `has space`",
            ),
            (
                "[ads-by-age]\npath = \"/Settings\"\n",
                2,
                "path `/Settings`",
            ),
            ("[ads-by-age]\nkye = \"x\"\n", 2, "unknown field `kye`"),
            (
                "[ads-by-age]\nkey_is = \"class\"\n",
                2,
                "unknown variant `class`",
            ),
            (
                "[ads-by-age]\ntitle.EN = \"Age\"\n",
                2,
                "title language `EN`",
            ),
            ("[ads-by-age\n", 1, ""),
        ] {
            let err = Catalogue::with_overrides(text, path).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE);
            let message = err.to_string();
            assert!(
                message.contains(&format!("rules file rules.toml, line {line}: ")),
                "{text:?}: {message}"
            );
            assert!(message.contains(what), "{text:?}: {message}");
        }
    }

    #[test]
    fn a_selection_expands_all_and_names_each_switch_once_in_the_order_chosen() {
        let catalogue = Catalogue::built_in();
        let names = |chosen: Vec<Switch>| chosen.into_iter().map(|s| s.name).collect::<Vec<_>>();
        let pick = |words: &[&str]| {
            catalogue.select(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            names(pick(&["member-cookies", "ads-by-age", "member-cookies"]).unwrap()),
            ["member-cookies", "ads-by-age"]
        );
        let all = names(pick(&["ads-by-age", ALL]).unwrap());
        assert_eq!(all.len(), catalogue.entries().len());
        assert_eq!(all[0], "ads-by-age");
        assert_eq!(all[1], DEFAULT_SWITCH);
        assert_eq!(pick(&["ads-by-age", "nope"]).unwrap_err(), "nope");
        assert!(catalogue.names().ends_with("member-cookies, all"));
    }
}
