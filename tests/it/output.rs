//! `--json` on the commands that printed only text before the one `Output`: `doctor` here
//! (`login`'s is in login.rs, `schedule`'s in schedule.rs with the crontab it needs,
//! `history`'s in history.rs). One JSON object per line, and what it claims checked.

use serde_json::json;

use crate::common::{Account, Home, Sim, Tool};

#[test]
fn doctor_json_is_one_object_per_check_with_the_exit_code_of_its_failure() {
    let home = Home::new();
    home.write_config("timeout = \"soon\"\n");
    let run = Tool::new(&home)
        .args(["doctor", "--json"])
        .run()
        .expect_code(2);
    let checks = run.json_lines();
    assert_eq!(checks.len(), 1, "{}", run.stdout());
    assert_eq!(checks[0]["check"], "config");
    assert_eq!(checks[0]["status"], "fail");
    assert_eq!(checks[0]["exit_code"], 2);
    assert!(
        checks[0]["detail"]
            .as_str()
            .unwrap()
            .contains("not valid at line 1"),
        "{}",
        checks[0]
    );

    let sim = Sim::start(&[]);
    let home = Home::new();
    let _account = Account::on_sim("doctorjson", &sim, &home, json!({}));
    let good = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "doctor", "--json"])
        .run()
        .expect_code(0);
    let checks = good.json_lines();
    assert_eq!(checks.len(), good.stdout().lines().count());
    for check in &checks {
        let keys: Vec<&str> = check
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 4, "{check}");
        for key in ["check", "status", "detail", "exit_code"] {
            assert!(keys.contains(&key), "{key} in {check}");
        }
        assert!(
            ["ok", "warn"].contains(&check["status"].as_str().unwrap()),
            "{check}"
        );
    }
    let session = checks
        .iter()
        .find(|check| check["check"] == "webdriver session")
        .expect("a webdriver session check");
    assert_eq!(session["status"], "ok", "{session}");
    assert_eq!(session["exit_code"], 0, "{session}");
}

/// The commands that print a document print it whole, or under `--json` one object holding
/// exactly that text and naming what it is.
#[test]
fn documents_under_json_are_one_object_holding_the_same_text() {
    let home = Home::new();
    let page = home.path().join("saved.html");
    std::fs::write(
        &page,
        "<html><body><p>Jane Doe's private note</p><button role=\"switch\" aria-checked=\"true\">On</button></body></html>",
    )
    .unwrap();
    for (document, args) in [
        ("man", vec!["man"]),
        ("completions", vec!["completions", "bash"]),
        ("skeleton", vec!["skeleton", page.to_str().unwrap()]),
    ] {
        let plain = Tool::new(&home).args(args.clone()).run().expect_code(0);
        let json = Tool::new(&home)
            .args(args)
            .arg("--json")
            .run()
            .expect_code(0);
        assert!(!plain.stdout().is_empty(), "{document}");
        assert_eq!(
            json.json_lines(),
            [json!({"document": document, "text": plain.stdout()})],
            "{document}"
        );
    }
}
