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

/// Three switches of one account over a week, one found on again (drift).
const SWITCHES: &str = r#"{"time":"2026-04-01T07:00:00Z","account":"a@example.com","setting":"ads-by-age","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":1,"version":"0.1.0","message":""}
{"time":"2026-04-01T07:00:00Z","account":"a@example.com","setting":"data-for-ai-improvement","before":"off","after":"off","outcome":"already_off","changed":false,"duration_ms":1,"version":"0.1.0","message":""}
{"time":"2026-04-03T07:00:00Z","account":"a@example.com","setting":"ads-by-age","before":"off","after":"off","outcome":"already_off","changed":false,"duration_ms":1,"version":"0.1.0","message":""}
{"time":"2026-04-03T07:00:00Z","account":"a@example.com","setting":"data-for-ai-improvement","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":1,"version":"0.1.0","message":""}
{"time":"2026-04-05T07:00:00Z","account":"a@example.com","setting":"ads-by-age","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":1,"version":"0.1.0","message":""}
{"time":"2026-04-05T07:00:00Z","account":"a@example.com","setting":"data-for-ai-improvement","before":"off","after":"off","outcome":"already_off","changed":false,"duration_ms":1,"version":"0.1.0","message":""}
"#;

/// `history --setting`, `--since`, `--limit` and `--drift`: `--setting` filters only when
/// typed (the config file's `settings` never does), drift is still judged on the whole
/// history, and each filter narrows the one before.
#[test]
fn history_filters_by_setting_time_count_and_drift() {
    let home = Home::new();
    std::fs::create_dir_all(home.state_dir()).unwrap();
    std::fs::write(home.state_dir().join("history.jsonl"), SWITCHES).unwrap();
    home.write_config("settings = [\"ads-by-age\"]\n");
    let history = |args: &[&str]| -> Vec<(String, String, bool)> {
        Tool::new(&home)
            .args(["history", "--json"])
            .args(args.iter().copied())
            .run()
            .expect_code(0)
            .json_lines()
            .iter()
            .map(|record| {
                (
                    record["time"].as_str().unwrap()[..10].to_string(),
                    record["setting"].as_str().unwrap().to_string(),
                    record["drift"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let row = |day: &str, setting: &str, drift: bool| (day.to_string(), setting.to_string(), drift);
    assert_eq!(
        history(&[]).len(),
        6,
        "the config's settings are not a filter"
    );
    assert_eq!(
        history(&["--setting", "ads-by-age"]),
        [
            row("2026-04-01", "ads-by-age", false),
            row("2026-04-03", "ads-by-age", false),
            row("2026-04-05", "ads-by-age", true),
        ]
    );
    assert_eq!(
        history(&["--drift"]),
        [
            row("2026-04-03", "data-for-ai-improvement", true),
            row("2026-04-05", "ads-by-age", true),
        ],
        "only drift: ads-by-age's first switch-off is not"
    );
    assert_eq!(
        history(&[
            "--since",
            "2026-04-03",
            "--setting",
            "data-for-ai-improvement"
        ]),
        [
            row("2026-04-03", "data-for-ai-improvement", true),
            row("2026-04-05", "data-for-ai-improvement", false),
        ]
    );
    assert_eq!(
        history(&["--limit", "2"]),
        [
            row("2026-04-05", "ads-by-age", true),
            row("2026-04-05", "data-for-ai-improvement", false),
        ],
        "the newest two, oldest first"
    );
    assert_eq!(history(&["--since", "2026-04-06T00:00:00Z"]), []);
    // Drift carries when the switch was last read off.
    let drift = Tool::new(&home)
        .args(["history", "--json", "--drift"])
        .run()
        .expect_code(0)
        .json_lines();
    assert_eq!(drift[0]["last_off"], "2026-04-01T07:00:00Z", "{drift:?}");
    assert_eq!(drift[1]["last_off"], "2026-04-03T07:00:00Z", "{drift:?}");
    // A bad `--since` is a usage error naming what it takes.
    let bad = Tool::new(&home)
        .args(["history", "--since", "yesterday"])
        .run()
        .expect_code(2);
    assert!(bad.stderr().contains("48h, 7d, 2w"), "{}", bad.stderr());
    let unknown = Tool::new(&home)
        .args(["history", "--setting", "no-such-switch"])
        .run()
        .expect_code(2);
    assert!(
        unknown.stderr().contains("names no setting"),
        "{}",
        unknown.stderr()
    );
}
