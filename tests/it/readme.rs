//! The README's catalogue table is the built-in catalogue, word for word: the same switches
//! in the same order, each with its `on` and `evidence` text as `catalogue.toml` has them.

use std::path::Path;

use linkedin_optout::linkedin::catalogue::Catalogue;

/// The rows of the table under the README's "The catalogue": name, what "on" means,
/// evidence.
fn readme_catalogue_rows() -> Vec<[String; 3]> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let (_, section) = readme
        .split_once("\n## The catalogue\n")
        .expect("README has a \"The catalogue\" section");
    let section = section.split("\n## ").next().unwrap();
    let mut lines = section
        .lines()
        .skip_while(|line| !line.starts_with("| name | what \"on\" lets LinkedIn do | evidence |"));
    assert!(lines.next().is_some(), "the catalogue table's header");
    assert_eq!(
        lines.next(),
        Some("|---|---|---|"),
        "the catalogue table's rule"
    );
    lines
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_string())
                .collect();
            let [name, on, evidence]: [String; 3] = cells
                .try_into()
                .unwrap_or_else(|cells| panic!("a row of three cells, not {cells:?}"));
            let name = name
                .strip_prefix('`')
                .and_then(|name| name.strip_suffix('`'))
                .unwrap_or_else(|| panic!("the name in backticks: {name}"))
                .to_string();
            [name, on, evidence]
        })
        .collect()
}

#[test]
fn the_readme_catalogue_table_is_the_built_in_catalogue() {
    let rows = readme_catalogue_rows();
    let catalogue: Vec<[String; 3]> = Catalogue::built_in()
        .entries()
        .iter()
        .map(|entry| {
            let switch = &entry.switch;
            [
                switch.name.clone(),
                switch.on.clone(),
                switch.evidence.clone(),
            ]
        })
        .collect();
    assert_eq!(catalogue.len(), 13);
    assert_eq!(rows, catalogue);
}
