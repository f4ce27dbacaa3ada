//! The layers of ARCHITECTURE.md against the code: every `crate::` path in `src/` must lead
//! to a lower layer than the module it is written in, and every module must have a layer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layer table of ARCHITECTURE.md: module path (`state::history`) -> layer number, top
/// first (1 is the top).
fn layers(markdown: &str) -> BTreeMap<String, u32> {
    let mut layers = BTreeMap::new();
    for line in markdown.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| 3 | `config`, `schedule` | … |` splits into ["", "3", "`config`, …", …].
        let (Some(number), Some(modules)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Ok(layer) = number.parse::<u32>() else {
            continue;
        };
        for module in modules.split(',') {
            let module = module.trim().trim_matches('`');
            assert!(
                !module.is_empty() && layers.insert(module.to_string(), layer).is_none(),
                "ARCHITECTURE.md lists `{module}` twice or empty"
            );
        }
    }
    layers
}

/// The entry of the table a module path belongs to: the longest entry it starts with.
fn entry<'a>(layers: &'a BTreeMap<String, u32>, path: &str) -> Option<(&'a str, u32)> {
    layers
        .iter()
        .filter(|(module, _)| {
            path == module.as_str()
                || path
                    .strip_prefix(module.as_str())
                    .is_some_and(|rest| rest.starts_with("::"))
        })
        .max_by_key(|(module, _)| module.len())
        .map(|(module, layer)| (module.as_str(), *layer))
}

/// The module a file of `src/` defines: `src/state/history.rs` is `state::history`,
/// `src/linkedin/mod.rs` is `linkedin`. `None` for the crate roots.
fn module_of(relative: &Path) -> Option<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if parts.is_empty() && matches!(stem, "lib" | "main") {
        return None;
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    Some(parts.join("::"))
}

/// The code without `//` comments (doc comments name paths in prose).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every module path named after `crate::` in `code`, groups (`crate::{a, b::{c, d}}`,
/// across lines) expanded: `["a", "b::c", "b::d"]`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("crate::") {
        let start = from + found;
        from = start + "crate::".len();
        if code[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        parse_tree(&code[from..], String::new(), &mut paths);
    }
    paths
}

/// Parses one use-tree at the start of `code` (`a::b`, `a::{b, c::d}`, `{a, b}`), adding the
/// paths it names to `paths` under `prefix`; returns how much of `code` it read.
fn parse_tree(code: &str, prefix: String, paths: &mut Vec<String>) -> usize {
    let code_trimmed = code.trim_start();
    let mut read = code.len() - code_trimmed.len();
    if let Some(inner) = code_trimmed.strip_prefix('{') {
        read += 1;
        let mut rest = inner;
        loop {
            let trimmed = rest.trim_start();
            read += rest.len() - trimmed.len();
            rest = trimmed;
            if rest.starts_with('}') {
                return read + 1;
            }
            if let Some(after) = rest.strip_prefix(',') {
                read += 1;
                rest = after;
                continue;
            }
            if rest.is_empty() {
                return read;
            }
            let used = parse_tree(rest, prefix.clone(), paths);
            if used == 0 {
                // Not a path (`self`, `*`…): skip one character.
                let skip = rest.chars().next().map_or(1, char::len_utf8);
                read += skip;
                rest = &rest[skip..];
                continue;
            }
            read += used;
            rest = &rest[used..];
        }
    }
    let ident_len = code_trimmed
        .find(|c: char| !is_ident(c))
        .unwrap_or(code_trimmed.len());
    if ident_len == 0 {
        return 0;
    }
    let ident = &code_trimmed[..ident_len];
    read += ident_len;
    let path = if prefix.is_empty() || ident == "self" {
        if ident == "self" {
            prefix.clone()
        } else {
            ident.to_string()
        }
    } else {
        format!("{prefix}::{ident}")
    };
    let rest = &code_trimmed[ident_len..];
    if let Some(after) = rest.strip_prefix("::") {
        read += 2;
        return read + parse_tree(after, path, paths);
    }
    if !path.is_empty() {
        paths.push(path);
    }
    read
}

/// Every import that runs to the module's own layer or up, and every module in no layer.
fn violations(layers: &BTreeMap<String, u32>, files: &[(PathBuf, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (relative, text) in files {
        let Some(module) = module_of(relative) else {
            continue;
        };
        let Some((own, own_layer)) = entry(layers, &module) else {
            found.push(format!(
                "src/{}: module `{module}` is in no layer of ARCHITECTURE.md: add it to the table",
                relative.display()
            ));
            continue;
        };
        for path in crate_paths(&without_comments(text)) {
            let Some((target, layer)) = entry(layers, &path) else {
                found.push(format!(
                    "src/{}: `crate::{path}` names a module in no layer of ARCHITECTURE.md",
                    relative.display()
                ));
                continue;
            };
            if target != own && layer <= own_layer {
                found.push(format!(
                    "src/{}: `{own}` (layer {own_layer}) imports `crate::{path}` from `{target}` (layer {layer}): a module may import only lower layers",
                    relative.display()
                ));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, root: &Path, files: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, root, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
        }
    }
}

#[test]
fn no_module_imports_its_own_layer_or_a_higher_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layers = layers(&std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap());
    assert!(
        layers.len() > 10,
        "the layer table was not read: {layers:?}"
    );
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    assert!(files.len() > 50, "src/ was not read");
    let found = violations(&layers, &files);
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

#[test]
fn the_check_finds_upward_imports_in_every_form() {
    let layers = layers(
        "| Layer | Modules | What |\n|--:|--|--|\n| 1 | `top`, `ops` | t |\n| 2 | `mid`, `low::records` | m |\n| 3 | `low` | l |\n",
    );
    assert_eq!(entry(&layers, "low::records::x"), Some(("low::records", 2)));
    assert_eq!(entry(&layers, "lowly"), None);
    let file = |path: &str, text: &str| (PathBuf::from(path), text.to_string());
    let found = violations(
        &layers,
        &[
            // Down, within itself, in comments: fine. `ops` is listed but has no file.
            file(
                "top.rs",
                "use crate::mid::X;\nuse crate::{low, mid::{self, Y}};\n",
            ),
            file("low/mod.rs", "use crate::low::inner; // see crate::top\n"),
            file("low/records.rs", "use crate::low::Z;\n"),
            // Up, a grouped multi-line use, and a path in an expression.
            file(
                "low/inner.rs",
                "use crate::{\n    mid::A,\n    low::records::B,\n};\nfn f() { crate::top::g() }\n",
            ),
            // The same layer.
            file("mid.rs", "use crate::low::records::R;\n"),
            // In no layer.
            file("stray.rs", "fn f() {}\n"),
        ],
    );
    let expected = [
        "src/low/inner.rs: `low` (layer 3) imports `crate::mid::A`",
        "src/low/inner.rs: `low` (layer 3) imports `crate::low::records::B`",
        "src/low/inner.rs: `low` (layer 3) imports `crate::top::g`",
        "src/mid.rs: `mid` (layer 2) imports `crate::low::records::R`",
        "src/stray.rs: module `stray` is in no layer",
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (found, expected) in found.iter().zip(expected) {
        assert!(found.starts_with(expected), "{found}\nis not\n{expected}");
    }
}
