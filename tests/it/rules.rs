//! The catalogue (issue 10): `rules show`, `--rules FILE` and `rules_file` overrides, their
//! mistakes named by line (and by `doctor`), and an override that fixes today's opt-out when
//! LinkedIn renames the switch's key or moves its page, proven from the simulator's state.

use linkedin_sim::{AiTraining, SecondSwitch};
use serde_json::json;

use crate::common::{Home, Sim, Tool};

const EMAIL: &str = "rules@example.com";

/// Writes `text` as a rules file beside `home`'s config file and returns its path.
fn rules_file(home: &Home, name: &str, text: &str) -> String {
    let dir = home.config_file().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn rules_show_prints_the_catalogue_and_where_each_entry_came_from() {
    let home = Home::new();
    let built_in = Tool::new(&home)
        .args(["rules", "show", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    assert_eq!(built_in.len(), 13, "{built_in:?}");
    let ai = &built_in[0];
    assert_eq!(ai["name"], "data-for-ai-improvement");
    assert_eq!(ai["path"], "settings/data-for-ai-improvement");
    assert_eq!(ai["key"], "allowDataForGenerativeAI");
    assert_eq!(ai["key_is"], "aria-labelledby");
    assert_eq!(ai["title"]["en"], "Data for Generative AI Improvement");
    assert_eq!(ai["category"], "Data privacy");
    assert_eq!(ai["source"], "built-in");
    assert_eq!(ai["overridden"], json!([]));
    for rule in &built_in {
        for key in ["on", "evidence"] {
            assert!(!rule[key].as_str().unwrap().is_empty(), "{key}: {rule}");
        }
    }
    let cookies = built_in
        .iter()
        .find(|rule| rule["name"] == "member-cookies")
        .unwrap();
    assert_eq!(cookies["key_is"], "id");

    let file = rules_file(
        &home,
        "rules.toml",
        "[ads-by-age]\nkey = \"allowAgeAds\"\ntitle.fr = \"Âge\"\n",
    );
    let overridden = Tool::new(&home)
        .args(["--rules", &file, "rules", "show", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    let age = overridden
        .iter()
        .find(|rule| rule["name"] == "ads-by-age")
        .unwrap();
    assert_eq!(age["key"], "allowAgeAds");
    assert_eq!(age["title"]["fr"], "Âge");
    assert_eq!(age["title"]["en"], "Age");
    assert_eq!(age["source"], file.as_str());
    assert_eq!(age["overridden"], json!(["key", "title"]));
    assert_eq!(
        overridden[0], built_in[0],
        "untouched entries stay built in"
    );

    // The same file from the config, relative to the config file's directory.
    home.write_config("rules_file = \"rules.toml\"\n");
    let text = Tool::new(&home)
        .args(["rules", "show"])
        .run()
        .expect_code(0);
    let row = text
        .stdout()
        .lines()
        .find(|line| line.starts_with("ads-by-age "))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("{}", text.stdout()));
    assert!(row.contains("allowAgeAds"), "{row}");
    assert!(row.contains("rules.toml (key, title)"), "{row}");
    assert!(
        text.stdout()
            .lines()
            .any(|line| line.starts_with("data-for-ai-improvement ") && line.contains("built in")),
        "{}",
        text.stdout()
    );
}

#[test]
fn a_mistake_in_a_rules_file_names_the_file_and_line_and_exits_2() {
    let home = Home::new();
    let file = rules_file(
        &home,
        "bad.toml",
        "# renamed\n[data-for-ai-improvement]\nkey = \"allow GenAI\"\n",
    );
    let run = Tool::new(&home)
        .args(["--rules", &file, "rules", "show"])
        .run()
        .expect_code(2);
    assert!(
        run.stderr()
            .contains(&format!("rules file {file}, line 3: key `allow GenAI`")),
        "{}",
        run.stderr()
    );
    // Nothing runs on a broken catalogue.
    let sim = Sim::with_account(EMAIL, json!({}));
    Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["--rules", &file, "status"])
        .run()
        .expect_code(2);
    assert_eq!(sim.account(EMAIL).setting_writes, 0);

    let unknown = rules_file(&home, "unknown.toml", "[ads-by-age]\n\nkye = \"x\"\n");
    home.write_config("rules_file = \"unknown.toml\"\n");
    // (No account is configured: doctor's exit code is that check's, 5.)
    let run = Tool::new(&home).args(["doctor", "--json"]).run();
    let checks = run.json_lines();
    let rules = checks
        .iter()
        .find(|check| check["check"] == "rules")
        .unwrap_or_else(|| panic!("{}", run.stdout()));
    assert_eq!(rules["status"], "fail", "{rules}");
    assert_eq!(rules["exit_code"], 2, "{rules}");
    let detail = rules["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "rules file {unknown}, line 3: unknown field `kye`"
        )),
        "{detail}"
    );
    assert_eq!(checks[0]["check"], "config");
    assert_eq!(checks[0]["status"], "ok", "{}", checks[0]);

    std::fs::write(&unknown, "[ads-by-age]\nkey = \"x\"\n").unwrap();
    let run = Tool::new(&home).args(["doctor", "--json"]).run();
    let checks = run.json_lines();
    let rules = checks
        .iter()
        .find(|check| check["check"] == "rules")
        .unwrap();
    assert_eq!(rules["status"], "ok", "{rules}");
    assert!(
        rules["detail"]
            .as_str()
            .unwrap()
            .contains("overrides 1 of 13 switches"),
        "{rules}"
    );
}

/// LinkedIn renamed the switch's key, and the page has another switch: the tool cannot tell
/// which is the setting and stops (6), touching nothing. A two-line override fixes the run.
#[test]
fn an_override_fixes_a_renamed_key() {
    let sim = Sim::with_account(
        EMAIL,
        json!({"switch_keys": {"data-for-ai-improvement": "allowGenAiTraining"}, "second_switch": "on"}),
    );
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json", "--timeout", "20"])
        .run()
        .expect_code(6);
    // The report names the key it looked for: the one to fix.
    assert!(
        run.stdout()
            .contains("none is labelled `allowDataForGenerativeAI`"),
        "{}",
        run.stdout()
    );
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.ai_training, AiTraining::On, "{server:?}");
    assert_eq!(server.setting_writes, 0, "{server:?}");

    let file = rules_file(
        &home,
        "renamed.toml",
        "[data-for-ai-improvement]\nkey = \"allowGenAiTraining\"\n",
    );
    let report = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["--rules", &file, "optout", "--json", "--timeout", "20"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.ai_training, AiTraining::Off, "{server:?}");
    assert_eq!(server.setting_writes, 1, "{server:?}");
    assert_eq!(server.spec.second_switch, SecondSwitch::On, "{server:?}");
}

/// LinkedIn moved the page: an override of the path opens it directly, without the walk.
#[test]
fn an_override_of_the_path_opens_a_moved_page_directly() {
    let sim = Sim::with_account(EMAIL, json!({"setting_slug": "ai-data"}));
    let home = Home::new();
    let file = rules_file(
        &home,
        "moved.toml",
        "[data-for-ai-improvement]\npath = \"settings/ai-data\"\n",
    );
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args([
            "--rules",
            &file,
            "optout",
            "--json",
            "-v",
            "--timeout",
            "20",
        ])
        .run()
        .expect_code(0);
    assert_eq!(run.report()["outcome"], "opted_out");
    assert!(!run.stderr().contains("walking"), "{}", run.stderr());
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.ai_training, AiTraining::Off, "{server:?}");
    assert_eq!(server.setting_writes, 1, "{server:?}");
}
