//! `--json` on the commands that printed only text before the one `Output`: `doctor` and
//! `login` (`schedule`'s is in schedule.rs, with the crontab it needs; `history`'s in
//! history.rs). One JSON object per line, and what it claims checked against the simulator.

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

#[test]
fn login_json_names_the_account_whose_session_is_kept() {
    let email = "loginjson@example.com";
    let sim = Sim::with_account(email, json!({}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, email)
        .args(["login", "--json"])
        .run()
        .expect_code(0);
    assert_eq!(
        run.json_lines(),
        [json!({"account": email, "session_kept": true})]
    );
    assert_eq!(sim.account(email).sign_ins, 1);
    // The kept session is real: the next run does not sign in again.
    Tool::new(&home)
        .against(&sim, email)
        .arg("status")
        .run()
        .expect_code(3);
    assert_eq!(sim.account(email).sign_ins, 1, "status signed in again");
}
