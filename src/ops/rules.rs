//! `rules show`'s reading: the active catalogue, and where each entry came from.

use std::path::PathBuf;

use serde::Serialize;

use crate::config::Settings;
use crate::linkedin::catalogue::{Field, Switch};

/// One entry of the active catalogue: its `--json` object has every field of the switch, then
/// `source` (`"built-in"`, or the override file) and `overridden` (the fields that file set).
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    #[serde(flatten)]
    pub switch: Switch,
    pub source: String,
    pub overridden: Vec<Field>,
}

/// The active catalogue, entry by entry, and the override file applied (if any).
#[derive(Debug, Clone, Serialize)]
pub struct Rules {
    pub rules: Vec<Rule>,
    pub file: Option<PathBuf>,
}

/// What `source` says of an entry no file changed.
pub const BUILT_IN: &str = "built-in";

/// The active catalogue of `settings`.
pub fn show(settings: &Settings) -> Rules {
    let catalogue = &settings.catalogue;
    let rules = catalogue
        .entries()
        .iter()
        .map(|entry| Rule {
            switch: entry.switch.clone(),
            source: match (catalogue.source(), entry.overridden.is_empty()) {
                (Some(file), false) => file.display().to_string(),
                _ => BUILT_IN.to_string(),
            },
            overridden: entry.overridden.clone(),
        })
        .collect();
    Rules {
        rules,
        file: catalogue.source().map(PathBuf::from),
    }
}
