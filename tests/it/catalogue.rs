//! Every switch of the catalogue at once (issue 10): `audit` reads them all and changes
//! nothing, `optout --setting all` switches off exactly those that were on, one switch that
//! fails or is not offered never stops the others, and drift is judged switch by switch. Each
//! proven from the simulator's state (its per-switch states and save counts).

use std::collections::BTreeMap;

use linkedin_sim::SwitchState;
use serde_json::{Value, json};

use crate::common::{Home, Sim, Tool};

/// The catalogue's switches, in its order, as `rules show --json` lists them.
fn catalogue(home: &Home) -> Vec<String> {
    Tool::new(home)
        .args(["rules", "show", "--json"])
        .run()
        .expect_code(0)
        .json_lines()
        .iter()
        .map(|rule| rule["name"].as_str().unwrap().to_string())
        .collect()
}

/// The server's state of every switch of `email`.
fn states(sim: &Sim, email: &str) -> BTreeMap<String, SwitchState> {
    sim.account(email).spec.switches
}

/// The reports of a `--json` run, by switch.
fn by_switch(reports: &[Value]) -> BTreeMap<String, Value> {
    reports
        .iter()
        .map(|report| {
            (
                report["setting"].as_str().unwrap().to_string(),
                report.clone(),
            )
        })
        .collect()
}

/// Some switches off, one not offered, the rest on (LinkedIn's default).
const MIXED: &[(&str, &str)] = &[
    ("ads-by-age", "off"),
    ("interest-categories", "off"),
    ("member-cookies", "not_offered"),
];

fn mixed() -> Value {
    let switches: serde_json::Map<String, Value> = MIXED
        .iter()
        .map(|(name, state)| (name.to_string(), json!(state)))
        .collect();
    json!({ "switches": switches })
}

#[test]
fn audit_reads_every_switch_in_one_sign_in_and_changes_nothing() {
    const EMAIL: &str = "audit@example.com";
    let sim = Sim::with_account(EMAIL, mixed());
    let home = Home::new();
    let names = catalogue(&home);
    let before = states(&sim, EMAIL);

    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["audit", "--json"])
        .run()
        .expect_code(3);
    let reports = run.json_lines();
    let listed: Vec<&str> = reports
        .iter()
        .map(|report| report["setting"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed, names,
        "one object per switch, in the catalogue's order"
    );
    for report in &reports {
        let name = report["setting"].as_str().unwrap();
        let expected = match MIXED.iter().find(|(switch, _)| *switch == name) {
            Some((_, "off")) => "already_off",
            Some((_, "not_offered")) => "not_offered",
            _ => "would_opt_out",
        };
        assert_eq!(report["outcome"], expected, "{report}");
        assert_eq!(report["account"], EMAIL);
        assert_eq!(report["changed"], false);
    }
    // The two switches of one page are read from one load of it.
    assert!(
        run.stderr()
            .contains("reading linkedin-promotions-emails (5/13) on the same page"),
        "{}",
        run.stderr()
    );
    // The objection route goes to stderr: stdout holds only the objects.
    assert!(
        run.stderr().contains("help/linkedin/ask/TS-DPRO"),
        "{}",
        run.stderr()
    );
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.switches, before, "an audit changes nothing");
    assert!(
        server.switch_writes.values().all(|writes| *writes == 0),
        "{:?}",
        server.switch_writes
    );
    assert_eq!(server.sign_ins, 1, "signed in once for every switch");

    // As text: a table per account, the objection route last; the saved session is reused.
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .arg("audit")
        .run()
        .expect_code(3);
    let stdout = run.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("{EMAIL}:"));
    assert!(lines[1].trim_start().starts_with("SETTING"), "{stdout}");
    let row = |name: &str| {
        lines
            .iter()
            .find(|line| line.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}: {stdout}"))
            .to_string()
    };
    assert!(row("ads-by-age").contains(" off "), "{stdout}");
    assert!(row("member-cookies").contains(" not offered "), "{stdout}");
    let ai = row("data-for-ai-improvement");
    assert!(ai.contains(" ON ") && ai.contains("AI models"), "{ai}");
    assert!(
        lines
            .last()
            .unwrap()
            .contains("Data Processing Objection Form")
            && lines.last().unwrap().contains("TS-DPRO"),
        "{stdout}"
    );
    assert_eq!(
        sim.account(EMAIL).sign_ins,
        1,
        "the saved session was reused"
    );

    // Every switch off (one not offered): nothing on, exit 0.
    let off: serde_json::Map<String, Value> = names
        .iter()
        .map(|name| (name.clone(), json!("off")))
        .chain([("member-cookies".to_string(), json!("not_offered"))])
        .collect();
    sim.put(EMAIL, json!({ "switches": off }));
    Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["audit", "--json"])
        .run()
        .expect_code(0);
}

#[test]
fn optout_of_every_switch_turns_off_exactly_those_that_were_on() {
    const EMAIL: &str = "optout-all@example.com";
    let sim = Sim::with_account(
        EMAIL,
        json!({"switches": {"ads-by-age": "off", "interest-categories": "off", "linkedin-promotions-emails": "off"}}),
    );
    let home = Home::new();
    let names = catalogue(&home);
    let before = states(&sim, EMAIL);
    let was_on: Vec<&String> = names
        .iter()
        .filter(|name| before[*name] == SwitchState::On)
        .collect();
    assert_eq!(was_on.len(), names.len() - 3);

    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--setting", "all", "--json"])
        .run()
        .expect_code(0);
    let reports = by_switch(&run.json_lines());
    assert_eq!(reports.len(), names.len());
    let server = sim.account(EMAIL);
    for name in &names {
        assert_eq!(server.spec.switches[name], SwitchState::Off, "{name}");
        let on = was_on.contains(&name);
        // Each switch that was on was saved once, and no other was touched.
        assert_eq!(server.switch_writes[name], u64::from(on), "{name}");
        let expected = if on { "opted_out" } else { "already_off" };
        assert_eq!(reports[name]["outcome"], expected, "{}", reports[name]);
        assert_eq!(reports[name]["after"], "off", "{}", reports[name]);
    }
    assert_eq!(server.sign_ins, 1, "signed in once for every switch");
    // The second switch of a page is read from the reload that verified the first.
    assert!(
        run.stderr()
            .contains("reading linkedin-promotions-emails (5/13) on the same page"),
        "{}",
        run.stderr()
    );

    // Read back: every switch off, nothing saved again.
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--setting", "all", "--json"])
        .run()
        .expect_code(0);
    assert!(
        run.json_lines()
            .iter()
            .all(|report| report["outcome"] == "already_off"),
        "{}",
        run.stdout()
    );
    assert_eq!(sim.account(EMAIL).switch_writes, server.switch_writes);
}

/// One switch not offered to the account, and another whose page is not understood (its key
/// was renamed on a page with two switches): the others are still switched off; the exit
/// code is the highest, 6.
#[test]
fn a_switch_not_offered_or_not_understood_never_stops_the_others() {
    const EMAIL: &str = "one-fails@example.com";
    let sim = Sim::with_account(
        EMAIL,
        json!({
            "switches": {"member-cookies": "not_offered"},
            "switch_keys": {"linkedin-promotions-ads": "allowMarketingRenamed"}
        }),
    );
    let home = Home::new();
    let chosen = [
        "linkedin-promotions-ads",
        "member-cookies",
        "ads-by-gender",
        "linkedin-promotions-emails",
    ];
    let mut tool =
        Tool::new(&home)
            .against(&sim, EMAIL)
            .args(["optout", "--json", "--timeout", "20"]);
    for name in chosen {
        tool = tool.args(["--setting", name]);
    }
    let run = tool.run().expect_code(6);
    let reports = run.json_lines();
    let order: Vec<&str> = reports
        .iter()
        .map(|report| report["setting"].as_str().unwrap())
        .collect();
    assert_eq!(order, chosen, "one report per switch, in the order chosen");
    let reports = by_switch(&reports);
    let renamed = &reports["linkedin-promotions-ads"];
    assert_eq!(renamed["outcome"], "page_not_understood", "{renamed}");
    assert!(
        renamed["message"]
            .as_str()
            .unwrap()
            .contains("none is labelled `allowProfileAndActivityDataForMarketingAds`"),
        "{renamed}"
    );
    assert_eq!(reports["member-cookies"]["outcome"], "not_offered");
    assert_eq!(
        reports["member-cookies"]["exit_code"], 0,
        "a switch not offered is done"
    );
    for name in ["ads-by-gender", "linkedin-promotions-emails"] {
        assert_eq!(reports[name]["outcome"], "opted_out", "{}", reports[name]);
    }
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.switches["ads-by-gender"], SwitchState::Off);
    assert_eq!(
        server.spec.switches["linkedin-promotions-emails"],
        SwitchState::Off
    );
    assert_eq!(
        server.spec.switches["linkedin-promotions-ads"],
        SwitchState::On,
        "a switch not understood is never clicked"
    );
    assert_eq!(server.switch_writes["linkedin-promotions-ads"], 0);
    assert_eq!(
        server.spec.switches["member-cookies"],
        SwitchState::NotOffered
    );
}

/// A failure of the account (here, a wrong password) stops every switch at once: the first
/// reports it, the others say they were not checked; nothing is signed into twice.
#[test]
fn a_failure_of_the_account_stops_every_switch_and_says_so() {
    const EMAIL: &str = "account-fails@example.com";
    let sim = Sim::with_account(EMAIL, json!({"password": "another one"}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args([
            "optout",
            "--setting",
            "ads-by-age",
            "--setting",
            "ads-by-gender",
            "--json",
        ])
        .run()
        .expect_code(5);
    let reports = run.json_lines();
    assert_eq!(reports.len(), 2, "{}", run.stdout());
    assert_eq!(reports[0]["setting"], "ads-by-age");
    assert_eq!(reports[0]["outcome"], "bad_credentials", "{}", reports[0]);
    assert_eq!(reports[1]["setting"], "ads-by-gender");
    assert_eq!(reports[1]["outcome"], "bad_credentials", "{}", reports[1]);
    assert_eq!(reports[1]["exit_code"], 5);
    assert!(
        reports[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("not checked: the account's run stopped (ads-by-age: "),
        "{}",
        reports[1]
    );
    let server = sim.account(EMAIL);
    assert_eq!(server.sign_ins, 0);
    assert!(server.switch_writes.values().all(|writes| *writes == 0));
}

/// Chosen in the config file, kept off, then one switch is found on again: drift on that
/// switch alone, in the history and in what the notify command hears.
#[test]
fn drift_is_marked_on_the_one_switch_that_came_back_on() {
    const EMAIL: &str = "drift-one@example.com";
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    home.write_config(&format!(
        "[[account]]\nemail = \"{EMAIL}\"\nsettings = [\"ads-by-age\", \"ads-by-gender\"]\n"
    ));
    let heard = home.path().join("heard.json");
    let notify = format!("cat > {}", heard.display());
    let run = |args: &[&str], code: i32| {
        Tool::new(&home)
            .against(&sim, EMAIL)
            .args(args.iter().copied())
            .args(["--json", "--notify-command", notify.as_str()])
            .run()
            .expect_code(code)
    };
    let first = run(&["optout"], 0).json_lines();
    let chosen: Vec<&str> = first
        .iter()
        .map(|r| r["setting"].as_str().unwrap())
        .collect();
    assert_eq!(
        chosen,
        ["ads-by-age", "ads-by-gender"],
        "the config's choice"
    );
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.switches["ads-by-age"], SwitchState::Off);
    assert_eq!(server.spec.switches["ads-by-gender"], SwitchState::Off);
    assert_eq!(
        server.spec.ai_training,
        linkedin_sim::AiTraining::On,
        "a switch not chosen is left alone"
    );
    std::fs::remove_file(&heard).unwrap();

    // LinkedIn switches one of them on again.
    sim.put(EMAIL, json!({"switches": {"ads-by-age": "on"}}));
    let found = by_switch(&run(&["status"], 3).json_lines());
    assert_eq!(found["ads-by-age"]["outcome"], "would_opt_out");
    assert_eq!(found["ads-by-gender"]["outcome"], "already_off");
    let heard: Value = serde_json::from_str(&std::fs::read_to_string(&heard).unwrap()).unwrap();
    let told = by_switch(heard["reports"].as_array().unwrap());
    assert_eq!(told["ads-by-age"]["before"], "on", "{heard}");
    assert_eq!(told["ads-by-gender"]["before"], "off", "{heard}");

    let history = Tool::new(&home)
        .args(["history", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    let last: BTreeMap<String, Value> = by_switch(&history[history.len() - 2..]);
    assert_eq!(last["ads-by-age"]["drift"], true, "{history:?}");
    assert_eq!(last["ads-by-gender"]["drift"], false, "{history:?}");
    assert!(
        history
            .iter()
            .filter(|record| record["drift"] == true)
            .count()
            == 1,
        "{history:?}"
    );
}

/// `--walk` goes where a member goes for every switch: Data privacy's from Data privacy, an
/// advertising switch from the category that links to it.
#[test]
fn the_walk_finds_a_switch_in_whichever_category_links_to_it() {
    const EMAIL: &str = "walk-categories@example.com";
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--walk", "--json"])
        .args([
            "--setting",
            "ads-by-age",
            "--setting",
            "policy-and-academic-research",
        ])
        .run()
        .expect_code(0);
    let reports = by_switch(&run.json_lines());
    for name in ["ads-by-age", "policy-and-academic-research"] {
        assert_eq!(reports[name]["outcome"], "opted_out", "{}", reports[name]);
    }
    assert!(run.stderr().contains("walking: Age"), "{}", run.stderr());
    let server = sim.account(EMAIL);
    assert_eq!(server.spec.switches["ads-by-age"], SwitchState::Off);
    assert_eq!(
        server.spec.switches["policy-and-academic-research"],
        SwitchState::Off
    );
    assert_eq!(
        server.switch_writes.values().sum::<u64>(),
        2,
        "only the two chosen switches were saved: {:?}",
        server.switch_writes
    );
}
