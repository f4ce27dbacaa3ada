//! The outcome table (README, "What each outcome does") end to end: what a scheduled run
//! prints under `--quiet`, when it runs the notify command and with what, and its exit code,
//! each checked against the simulator's state and the history file.

use std::path::{Path, PathBuf};

use linkedin_sim::AiTraining;
use serde_json::{Value, json};

use crate::common::{Home, Sim, Tool};

/// What the notify command heard: one payload per line (it appends).
fn heard(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON payload"))
        .collect()
}

/// A scheduled run as cron makes it: `optout --quiet`, with a notify command that appends
/// what it hears to `notified`, and `--timeout` given.
fn scheduled<'h>(
    home: &'h Home,
    sim: &Sim,
    email: &str,
    notified: &Path,
    timeout: u32,
) -> Tool<'h> {
    Tool::new(home).against(sim, email).args([
        "optout",
        "--quiet",
        "--timeout",
        &timeout.to_string(),
        "--notify-command",
        &format!("cat >> '{}'", notified.display()),
    ])
}

/// A switch LinkedIn does not offer: exit 0, said on the first run, silent after, said again
/// when it changes (offered again, off), and never a notification.
#[test]
fn a_switch_not_offered_is_said_once_then_silent_and_never_notifies() {
    const EMAIL: &str = "not-offered@example.com";
    let sim = Sim::with_account(EMAIL, json!({"ai_training": "not_offered"}));
    let home = Home::new();
    let notified = home.path().join("notified.jsonl");
    let first = scheduled(&home, &sim, EMAIL, &notified, 20)
        .run()
        .expect_code(0);
    assert!(
        first
            .stdout()
            .contains("LinkedIn does not offer this setting"),
        "said when first seen: {}",
        first.stdout()
    );
    let second = scheduled(&home, &sim, EMAIL, &notified, 20)
        .run()
        .expect_code(0);
    assert_eq!(second.stdout(), "", "silent while unchanged");
    // LinkedIn offers it again, off: a change, said once.
    sim.put(EMAIL, json!({"ai_training": "off"}));
    let third = scheduled(&home, &sim, EMAIL, &notified, 20)
        .run()
        .expect_code(0);
    assert!(
        third.stdout().contains("off; nothing changed"),
        "{}",
        third.stdout()
    );
    assert!(heard(&notified).is_empty(), "{:?}", heard(&notified));
    // Read again on every run, never saved.
    let server = sim.account(EMAIL);
    assert_eq!(server.setting_writes, 0, "{server:?}");
    let outcomes: Vec<&str> = home
        .history()
        .iter()
        .map(|record| match record["outcome"].as_str().unwrap() {
            "not_offered" => "not_offered",
            "already_off" => "already_off",
            other => panic!("{other}"),
        })
        .collect();
    assert_eq!(outcomes, ["not_offered", "not_offered", "already_off"]);
    assert!(home.history().iter().all(|record| record["exit_code"] == 0));
}

/// A switch found on after a run read it off: the message says so first, `--json`, the
/// notify command, the receipt and `history --drift` carry it, with the last off reading.
#[test]
fn drift_leads_the_message_and_reaches_json_notify_history_and_receipt() {
    const EMAIL: &str = "drift-headline@example.com";
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let notified = home.path().join("notified.jsonl");
    scheduled(&home, &sim, EMAIL, &notified, 20)
        .run()
        .expect_code(0);
    let off_at = home.history()[0]["time"].as_str().unwrap().to_string();
    // LinkedIn switches it back on.
    sim.put(EMAIL, json!({"ai_training": "on"}));
    let run = scheduled(&home, &sim, EMAIL, &notified, 20)
        .arg("--json")
        .run()
        .expect_code(0);
    let report = run.report();
    assert_eq!(report["outcome"], "opted_out");
    assert_eq!(report["drift"], true, "{report}");
    assert_eq!(report["last_off"], off_at, "{report}");
    let message = report["message"].as_str().unwrap();
    let since = off_at[..16].replace('T', " ");
    assert_eq!(
        message,
        format!(
            "LinkedIn turned data-for-ai-improvement back on since {since} UTC (the last reading of it off); switched off again"
        )
    );
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.ai_training, AiTraining::Off);
    assert_eq!(server.setting_writes, 2);
    // Told twice: the first switch-off, and the drift.
    let told = heard(&notified);
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(told[0]["drift"], false);
    assert_eq!(told[1]["drift"], true);
    assert_eq!(told[1]["reports"][0]["drift"], true);
    assert_eq!(told[1]["reports"][0]["last_off"], off_at);
    assert_eq!(told[1]["stale"], false);
    // The history lists it under --drift, and its receipt says drift.
    let drift = Tool::new(&home)
        .args(["history", "--drift", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["last_off"], off_at);
    let receipt: Value = serde_json::from_slice(
        &std::fs::read(drift[0]["receipt"].as_str().expect("a receipt")).unwrap(),
    )
    .unwrap();
    assert_eq!(receipt["drift"], true, "{receipt}");
}

/// LinkedIn unreachable (exit 9) prints on every run, even under `--quiet`, but notifies only
/// from the third run in a row (config key `notify_after_failures`).
#[test]
fn passing_failures_notify_from_the_third_run_in_a_row() {
    const EMAIL: &str = "passing@example.com";
    let sim = Sim::with_account(EMAIL, json!({"faults": {"server_errors": 1_000_000}}));
    let home = Home::new();
    let notified = home.path().join("notified.jsonl");
    for run in 1..=3 {
        let failed = scheduled(&home, &sim, EMAIL, &notified, 5)
            .run()
            .expect_code(9);
        assert!(
            failed.stdout().contains("unreachable"),
            "run {run} prints under -q: {}",
            failed.stdout()
        );
        let told = heard(&notified);
        assert_eq!(told.len(), usize::from(run == 3), "run {run}: {told:?}");
    }
    let told = heard(&notified);
    assert_eq!(told[0]["reports"][0]["outcome"], "unreachable");
    assert_eq!(told[0]["reports"][0]["exit_code"], 9);
    assert_eq!(sim.account(EMAIL).sign_ins, 0);
    let codes: Vec<Value> = home
        .history()
        .iter()
        .map(|r| r["exit_code"].clone())
        .collect();
    assert_eq!(codes, [9, 9, 9]);
}

/// An account no run has read for `stale_after_days`: a run that cannot read it either runs
/// the notify command, `stale: true`, although its own failure would not (the first in a
/// row); `schedule show` and `doctor` show the last successful reading.
#[test]
fn a_stale_account_notifies_and_shows_its_last_reading() {
    const EMAIL: &str = "stale@example.com";
    let sim = Sim::with_account(EMAIL, json!({"faults": {"server_errors": 1_000_000}}));
    let home = Home::new();
    home.write_config(&format!(
        "stale_after_days = 3\n[[account]]\nemail = \"{EMAIL}\"\n"
    ));
    // The last reading, four days ago, on a clock the test sets.
    let last = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 4);
    let last = jiff::Timestamp::from_second(last.as_second()).unwrap();
    std::fs::create_dir_all(home.state_dir()).unwrap();
    std::fs::write(
        home.state_dir().join("history.jsonl"),
        format!(
            "{}\n",
            json!({"time": last, "account": EMAIL, "setting": "data-for-ai-improvement",
                   "before": "off", "after": "off", "outcome": "already_off", "changed": false,
                   "duration_ms": 1, "version": "0.1.0", "message": "", "exit_code": 0})
        ),
    )
    .unwrap();
    let notified = home.path().join("notified.jsonl");
    scheduled(&home, &sim, EMAIL, &notified, 5)
        .run()
        .expect_code(9);
    let told = heard(&notified);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["stale"], true, "{}", told[0]);
    assert_eq!(told[0]["stale_accounts"], json!([EMAIL]));
    assert_eq!(told[0]["last_reading"], json!(last));

    let shown = Tool::new(&home)
        .args(["schedule", "show", "--json"])
        .run()
        .expect_code(1)
        .report();
    assert_eq!(
        shown["last_readings"],
        json!([{"account": EMAIL, "time": last, "stale": true}]),
        "{shown}"
    );
    let checks = Tool::new(&home)
        .args(["doctor", "--json"])
        .run()
        .json_lines();
    let check = checks
        .iter()
        .find(|check| check["check"] == "last reading")
        .unwrap_or_else(|| panic!("{checks:?}"));
    assert_eq!(check["status"], "warn", "{check}");
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .contains(&last.strftime("%Y-%m-%d %H:%M UTC").to_string()),
        "{check}"
    );
}

/// A notify command that hangs is killed at its bound (config key `notify_timeout`), named in
/// a warning; the run keeps its exit code, its history and its receipt, and leaves nothing of
/// the command running (the builder checks every process the run started).
#[test]
fn a_notify_command_that_hangs_is_killed_and_the_run_is_kept() {
    const EMAIL: &str = "hanging-notify@example.com";
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    home.write_config("notify_timeout = 2\n");
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--timeout", "20", "--notify-command", "sleep 600"])
        .run()
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("the notify command `sleep 600` did not finish within 2s and was killed"),
        "{}",
        run.stderr()
    );
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::Off);
    let records = home.history();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["outcome"], "opted_out");
    let receipt = PathBuf::from(records[0]["receipt"].as_str().unwrap());
    assert!(receipt.is_file(), "{receipt:?}");
}
