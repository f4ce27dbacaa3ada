//! The README's promises, each proven by a test: a credentials file names its account
//! whatever the config says, one verb (`remove`, with `delete` as its alias) and what it
//! does to the config, `demo --json` prints only JSON, and every `verdict` of `schedule
//! show --json` is one the README lists.

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{Account, Home, PASSWORD, Sim, Terminal, Tool};

/// "The account is the file's email": with `--credentials-file` and no `--account`, the run
/// acts on the file's account even when the config names another (as `credentials set`
/// leaves it), and records nothing for the config's.
#[test]
fn a_credentials_file_selects_its_own_account_whatever_the_config_names() {
    let in_file = "file-owner@example.org";
    let in_config = "config-owner@example.org";
    let sim = Sim::start(&[
        json!({"email": in_file, "password": PASSWORD}),
        json!({"email": in_config, "password": PASSWORD}),
    ]);
    let home = Home::new();
    home.write_config(&format!("[[account]]\nemail = {in_config:?}\n"));
    let credentials = home.credentials_file(in_file, PASSWORD);
    let run = Tool::new(&home)
        .args(["--base-url", &sim.base_url()])
        .args(["--credentials-file", credentials.to_str().unwrap()])
        .args(["optout", "--json"])
        .run()
        .expect_code(0);
    let reports = run.json_lines();
    assert_eq!(reports.len(), 1, "{}", run.stdout());
    assert_eq!(reports[0]["account"], in_file, "{}", reports[0]);
    assert_eq!(reports[0]["outcome"], "opted_out", "{}", reports[0]);
    assert_eq!(sim.account(in_file).spec.ai_training, AiTraining::Off);
    let untouched = sim.account(in_config);
    assert_eq!(untouched.spec.ai_training, AiTraining::On, "{untouched:?}");
    assert_eq!(untouched.sign_ins, 0, "{untouched:?}");
    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    assert!(!history.contains(in_config), "{history}");
    assert!(!history.contains("bad_credentials"), "{history}");
}

/// `credentials remove` (and its alias `delete`): without `--forget`, and not on a terminal,
/// the account stays in the config with a warning that says what follows; the next run
/// stops with exit 5 and a message that names both ways out. `--forget` takes it out, and a
/// run has no account left to act on.
#[test]
fn credentials_remove_keeps_or_forgets_the_account_and_says_what_follows() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::new("remove-forget");
    sim.put(&account.email, json!({"password": PASSWORD}));
    account
        .set_password(&home, &format!("{PASSWORD}\n"))
        .expect_code(0);
    let kept = Tool::new(&home)
        .args([
            "credentials",
            "remove",
            "--account",
            &account.email,
            "--json",
        ])
        .run()
        .expect_code(0);
    let report = &kept.json_lines()[0];
    assert_eq!(report["deleted"]["password"], true, "{report}");
    assert_eq!(report["forgotten"], false, "{report}");
    assert_eq!(report["in_config"], true, "{report}");
    assert!(
        kept.stderr().contains(&format!(
            "{} stays in {}, so every run (a scheduled one too) stops for it with exit 5",
            account.email,
            home.config_file().display()
        )),
        "{}",
        kept.stderr()
    );
    assert!(config_names(&home, &account.email));

    // What the scheduled run then does: exit 5, never silently, with both ways out.
    let stopped = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "optout", "--quiet", "--json"])
        .run()
        .expect_code(5);
    let report = stopped.report();
    assert_eq!(report["outcome"], "bad_credentials", "{report}");
    let message = report["message"].as_str().unwrap();
    assert!(message.contains("credentials set --account"), "{message}");
    assert!(
        message.contains("credentials remove --forget --account"),
        "{message}"
    );
    assert_eq!(sim.account(&account.email).sign_ins, 0);

    let forgotten = Tool::new(&home)
        .args([
            "credentials",
            "delete",
            "--forget",
            "--account",
            &account.email,
            "--json",
        ])
        .run()
        .expect_code(0);
    let report = &forgotten.json_lines()[0];
    assert_eq!(report["forgotten"], true, "{report}");
    assert_eq!(report["in_config"], false, "{report}");
    assert!(!config_names(&home, &account.email));
    assert_eq!(forgotten.stderr(), "", "no warning once it is out");
    let nothing = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "optout"])
        .run()
        .expect_code(2);
    assert!(
        nothing.stderr().contains("no account selected"),
        "{}",
        nothing.stderr()
    );
}

/// On a terminal, `credentials remove` without `--forget` asks whether to take the account
/// out of the config, and does what the member answers.
#[test]
fn credentials_remove_on_a_terminal_asks_whether_to_forget() {
    let home = Home::new();
    for (answer, forgotten) in [("n", false), ("y", true)] {
        let account = Account::new(&format!("remove-asks-{answer}"));
        account
            .set_password(&home, &format!("{PASSWORD}\n"))
            .expect_code(0);
        let shown = on_a_terminal(
            &Tool::new(&home).args(["credentials", "remove", "--account", &account.email]),
            "? [y/N]",
            &format!("{answer}\n"),
        );
        assert!(
            shown.contains(&format!(
                "Also take {} out of {}, so that no run acts on it any more? [y/N]",
                account.email,
                home.config_file().display()
            )),
            "{shown}"
        );
        assert_eq!(config_names(&home, &account.email), !forgotten, "{shown}");
    }
}

fn config_names(home: &Home, email: &str) -> bool {
    std::fs::read_to_string(home.config_file())
        .unwrap_or_default()
        .contains(email)
}

/// Runs `tool` on a pseudo-terminal of its own (`script`), types `input` once it has printed
/// `prompt`, and returns all it showed.
fn on_a_terminal(tool: &Tool<'_>, prompt: &str, input: &str) -> String {
    let mut terminal = Terminal::start(&tool.command());
    terminal.wait_for(prompt);
    terminal.type_in(input);
    terminal.finish()
}

/// `demo --json` prints only JSON on stdout (the report, its server-side proof in the
/// simulator going to stderr with the rest of the story).
#[cfg(feature = "simulator")]
#[test]
fn demo_json_prints_only_json() {
    let home = Home::new();
    let run = Tool::new(&home)
        .args(["demo", "--json"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .run()
        .expect_code(0);
    let stdout = run.stdout();
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {line}\n{stdout}"));
    }
    let report = run.report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    assert!(
        run.stderr()
            .contains("after:      the server says the setting is off (1 save accepted)"),
        "{}",
        run.stderr()
    );
}
