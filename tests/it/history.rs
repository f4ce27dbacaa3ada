//! `history`: the table, `--json`, drift marking and `--account` filtering, over a
//! history file written the way runs write it.

use crate::common::{Home, Tool};

/// Two accounts: `a` was switched off, found on again later (drift), and switched off again;
/// `b` stayed off.
const FIXTURE: &str = r#"{"time":"2026-04-01T07:31:00Z","account":"a@example.com","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":9000,"version":"0.1.0","message":"switched off"}
{"time":"2026-04-01T07:32:00Z","account":"b@example.com","before":"off","after":"off","outcome":"already_off","changed":false,"duration_ms":4000,"version":"0.1.0","message":""}
not json: a line cut short by a crash
{"time":"2026-04-02T07:31:00Z","account":"a@example.com","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":8000,"version":"0.1.0","message":"switched off"}
{"time":"2026-04-03T07:31:00Z","account":"a@example.com","before":"off","after":"off","outcome":"already_off","changed":false,"duration_ms":3000,"version":"0.1.0","message":""}
"#;

fn home_with_history() -> Home {
    let home = Home::new();
    std::fs::create_dir_all(home.state_dir()).unwrap();
    std::fs::write(home.state_dir().join("history.jsonl"), FIXTURE).unwrap();
    home
}

#[test]
fn empty_history_says_where_it_looked() {
    let home = Home::new();
    let run = Tool::new(&home).arg("history").run().expect_code(0);
    let expected = format!(
        "no runs recorded yet (history: {})",
        home.state_dir().join("history.jsonl").display()
    );
    assert!(run.stderr().contains(&expected), "{}", run.stderr());
    assert_eq!(run.stdout(), "");
}

#[test]
fn table_marks_drift_and_skips_bad_lines() {
    let home = home_with_history();
    let run = Tool::new(&home).arg("history").run().expect_code(0);
    let stdout = run.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(lines[0].starts_with("TIME (UTC)"), "{stdout}");
    assert!(lines[1].contains("2026-04-01 07:31Z"), "{stdout}");
    assert!(
        lines[1].contains("on → off") && lines[1].contains("opted out"),
        "{stdout}"
    );
    let drift: Vec<bool> = lines[1..].iter().map(|l| l.ends_with("DRIFT")).collect();
    assert_eq!(drift, [false, false, true, false], "{stdout}");
    assert!(run.stderr().contains("skipping line 3"), "{}", run.stderr());
}

#[test]
fn json_lines_carry_a_drift_flag() {
    let home = home_with_history();
    let run = Tool::new(&home)
        .args(["history", "--json"])
        .run()
        .expect_code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 4);
    let drift: Vec<bool> = lines
        .iter()
        .map(|l| l["drift"].as_bool().unwrap())
        .collect();
    assert_eq!(drift, [false, false, true, false]);
    assert_eq!(lines[2]["account"], "a@example.com");
    assert_eq!(lines[2]["outcome"], "opted_out");
    assert_eq!(lines[2]["time"], "2026-04-02T07:31:00Z");
}

#[test]
fn account_filters_but_drift_is_judged_on_the_whole_history() {
    let home = home_with_history();
    // The config's accounts are not a filter: only `--account` on the command line is.
    home.write_config("[[account]]\nemail = \"b@example.com\"\n");
    let all = Tool::new(&home)
        .args(["history", "--json"])
        .run()
        .expect_code(0);
    assert_eq!(all.json_lines().len(), 4);

    let run = Tool::new(&home)
        .args(["history", "--json", "--account", "a@example.com"])
        .run()
        .expect_code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["account"] == "a@example.com"));
    let drift: Vec<bool> = lines
        .iter()
        .map(|l| l["drift"].as_bool().unwrap())
        .collect();
    assert_eq!(drift, [false, true, false]);

    let none = Tool::new(&home)
        .args(["history", "--account", "nobody@example.com"])
        .run()
        .expect_code(0);
    assert!(
        none.stderr().contains("no runs recorded yet"),
        "{}",
        none.stderr()
    );
}
