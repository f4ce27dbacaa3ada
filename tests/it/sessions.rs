//! Sessions, checkpoints and secrets across runs, against the real Secret Service and the
//! simulator: a second run does not sign in, an expired session costs one sign-in, two-step
//! codes come from the stored secret, throttling starts a cool-down, accounts stay apart, and
//! no secret ever reaches the output or a file the tool wrote.
#![cfg(target_os = "linux")]

use std::path::Path;

use linkedin_optout::secrets::SecretChain;
use linkedin_sim::AiTraining;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::common::{Account, Home, PASSWORD, Run, Sim, Tool};

const TOTP_BASE32: &str = "JBSWY3DPEHPK3PXPJBSWY3DP";

/// `optout` (or another subcommand) for `account` on `sim`, secrets from the keyring.
fn tool<'h>(home: &'h Home, sim: &Sim, account: &Account, command: &str) -> Tool<'h> {
    Tool::new(home).args([
        "--base-url",
        &sim.base_url(),
        "--account",
        &account.email,
        command,
        "--json",
    ])
}

#[test]
fn the_second_run_reuses_the_session() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::on_sim("reuse", &sim, &home, json!({}));
    tool(&home, &sim, &account, "optout").run().expect_code(0);
    assert_eq!(sim.account(&account.email).sign_ins, 1);
    let second = tool(&home, &sim, &account, "status").run().expect_code(0);
    assert_eq!(second.report()["outcome"], "already_off");
    assert_eq!(
        sim.account(&account.email).sign_ins,
        1,
        "the second run signed in"
    );
}

#[test]
fn an_expired_session_costs_one_sign_in_and_is_replaced() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::on_sim("expired", &sim, &home, json!({}));
    tool(&home, &sim, &account, "status").run().expect_code(3);
    sim.revoke_sessions(&account.email);
    tool(&home, &sim, &account, "optout").run().expect_code(0);
    assert_eq!(sim.account(&account.email).sign_ins, 2);
    tool(&home, &sim, &account, "status").run().expect_code(0);
    assert_eq!(
        sim.account(&account.email).sign_ins,
        2,
        "the new session was not kept"
    );
    assert_eq!(
        sim.account(&account.email).spec.ai_training,
        AiTraining::Off
    );
}

#[test]
fn a_session_ending_before_the_reload_is_recovered() {
    let email = "expiring@example.com";
    // Three requests: the feed after signing in, the setting page, the save; the reload
    // finds the session gone.
    let sim = Sim::with_account(email, json!({"faults": {"session_expires_after": 3}}));
    let home = Home::new();
    let report = Tool::new(&home)
        .against(&sim, email)
        .args(["optout", "--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(report["outcome"], "opted_out");
    assert_eq!(
        sim.account(email).sign_ins,
        2,
        "one to start, one to verify"
    );
    assert_eq!(sim.account(email).spec.ai_training, AiTraining::Off);
    assert_eq!(sim.account(email).setting_writes, 1);
}

#[test]
fn a_session_beside_a_credentials_file_is_private_and_reused() {
    let email = "file-session@example.com";
    let sim = Sim::with_account(email, json!({}));
    let home = Home::new();
    for _ in 0..2 {
        Tool::new(&home)
            .against(&sim, email)
            .args(["optout"])
            .run()
            .expect_code(0);
    }
    assert_eq!(sim.account(email).sign_ins, 1);
    let sessions = home.state_dir().join("sessions");
    let file = std::fs::read_dir(&sessions)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(mode(&file), 0o600, "{}", file.display());
    assert_eq!(mode(&sessions), 0o700);
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn two_step_codes_come_from_the_stored_secret() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::new("totp");
    sim.put(
        &account.email,
        json!({"password": PASSWORD, "checkpoint": "two_step", "totp_secret": TOTP_BASE32}),
    );
    account
        .set_password_and_totp(
            &home,
            &format!(
                "{PASSWORD}\notpauth://totp/LinkedIn:me?secret={TOTP_BASE32}&issuer=LinkedIn\n"
            ),
        )
        .expect_code(0);
    let report = tool(&home, &sim, &account, "optout")
        .run()
        .expect_code(0)
        .report();
    assert_eq!(report["outcome"], "opted_out");
    assert_eq!(sim.account(&account.email).sign_ins, 1);
    assert_eq!(
        sim.account(&account.email).spec.ai_training,
        AiTraining::Off
    );
}

#[test]
fn two_step_without_a_stored_secret_needs_a_person() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::on_sim(
        "totp-missing",
        &sim,
        &home,
        json!({"checkpoint": "two_step", "totp_secret": TOTP_BASE32}),
    );
    let report = tool(&home, &sim, &account, "optout")
        .run()
        .expect_code(4)
        .report();
    assert!(
        report["message"].as_str().unwrap().contains("two-step"),
        "{report}"
    );
    assert_eq!(sim.account(&account.email).setting_writes, 0);
}

#[test]
fn throttling_starts_a_cool_down_that_the_next_run_respects() {
    let email = "throttled@example.com";
    let sim = Sim::with_account(email, json!({"checkpoint": "throttled"}));
    let home = Home::new();
    let run = || {
        Tool::new(&home)
            .against(&sim, email)
            .args(["optout", "--json"])
            .run()
            .expect_code(4)
    };
    let first = run().report();
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("do not retry before"),
        "{first}"
    );
    let requests = sim.account(email).requests;
    // The count the second run must not change is one that counts this account's requests.
    assert!(requests > 0, "{requests}");
    let second = run().report();
    assert!(
        second["message"].as_str().unwrap().contains("did not try"),
        "{second}"
    );
    assert_eq!(
        sim.account(email).requests,
        requests,
        "the second run went to LinkedIn"
    );
    assert_eq!(sim.account(email).setting_writes, 0);
}

#[test]
fn two_accounts_in_one_run_are_kept_apart() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let first = Account::on_sim("apart-a", &sim, &home, json!({}));
    let second = Account::on_sim("apart-b", &sim, &home, json!({"ai_training": "off"}));
    // Both accounts were recorded in the config file: no --account needed.
    let run = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "optout", "--json"])
        .run()
        .expect_code(0);
    let reports = run.json_lines();
    assert_eq!(reports.len(), 2, "{}", run.stdout());
    assert_eq!(reports[0]["account"], first.email.as_str());
    assert_eq!(reports[0]["outcome"], "opted_out");
    assert_eq!(reports[1]["account"], second.email.as_str());
    assert_eq!(reports[1]["outcome"], "already_off");
    for account in [&first, &second] {
        assert_eq!(sim.account(&account.email).sign_ins, 1, "{}", account.email);
        assert_eq!(
            sim.account(&account.email).spec.ai_training,
            AiTraining::Off
        );
    }
    assert_eq!(sim.account(&second.email).setting_writes, 0);
}

#[test]
fn no_stored_password_exits_5_with_a_hint() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::new("no-password");
    sim.put(&account.email, json!({"password": PASSWORD}));
    let report = tool(&home, &sim, &account, "optout")
        .run()
        .expect_code(5)
        .report();
    assert_eq!(report["outcome"], "bad_credentials");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("credentials set"),
        "{report}"
    );
    // Without a password nothing was tried on LinkedIn.
    let server = sim.account(&account.email);
    assert_eq!(server.sign_ins, 0, "{server:?}");
    assert_eq!(server.setting_writes, 0, "{server:?}");
}

/// A keyring that cannot be reached is not a wrong password: the run says so in its own
/// outcome and headline, still exit 5, and nothing is tried on LinkedIn.
#[test]
fn an_unreachable_keyring_is_its_own_outcome_not_bad_credentials() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::new("keyring-gone");
    sim.put(&account.email, json!({"password": PASSWORD}));
    let runtime_dir = tempfile::tempdir().unwrap();
    let without_bus = |tool: Tool<'_>| {
        tool.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", runtime_dir.path().to_str().unwrap())
            .run()
            .expect_code(5)
    };
    let report = without_bus(tool(&home, &sim, &account, "optout")).report();
    assert_eq!(report["outcome"], "keyring_unavailable", "{report}");
    assert_eq!(report["exit_code"], 5, "{report}");
    let human = without_bus(Tool::new(&home).args([
        "--base-url",
        &sim.base_url(),
        "--account",
        &account.email,
        "status",
    ]));
    let headline = human
        .stdout()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        headline.starts_with(&format!(
            "{}: keyring unavailable: cannot reach the OS keyring: there is no D-Bus session bus at",
            account.email
        )),
        "{}",
        human.stdout()
    );
    assert!(
        !human.stdout().contains("bad credentials"),
        "{}",
        human.stdout()
    );
    let server = sim.account(&account.email);
    assert_eq!(server.sign_ins, 0, "{server:?}");
}

#[test]
fn doctor_passes_on_a_good_setup_and_names_the_fix_on_a_broken_one() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::on_sim("doctor", &sim, &home, json!({}));
    let good = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "doctor"])
        .run()
        .expect_code(0);
    for line in [
        "ok    browser:",
        "ok    driver:",
        "ok    webdriver session:",
        "ok    accounts:",
    ] {
        assert!(good.stdout().contains(line), "{line}\n{}", good.stdout());
    }
    assert!(good.stdout().contains("from PATH)"), "{}", good.stdout());
    let driver = std::fs::canonicalize(crate::common::require(
        "chromedriver",
        "apt-get install chromium-driver",
    ))
    .unwrap();
    let off_path = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "doctor"])
        .with_driver_only_at(&driver)
        .run()
        .expect_code(0);
    let driver_line = format!("({}, a well-known location, not on PATH)", driver.display());
    assert!(
        off_path.stdout().contains(&driver_line),
        "{driver_line}\n{}",
        off_path.stdout()
    );
    let no_driver = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "doctor"])
        .without_driver()
        .run()
        .expect_code(8);
    assert!(
        no_driver
            .stdout()
            .contains("FAIL  driver: no chromedriver found on PATH or where distributions put it"),
        "{}",
        no_driver.stdout()
    );
    let stranger = Tool::new(&home)
        .args([
            "--base-url",
            &sim.base_url(),
            "--account",
            "stranger@example.com",
            "doctor",
        ])
        .run()
        .expect_code(5);
    assert!(
        stranger
            .stdout()
            .contains("FAIL  accounts: no password for stranger@example.com"),
        "{}",
        stranger.stdout()
    );
    drop(account);
}

/// Every byte the tool wrote, on its streams and in its files.
fn everything_written(home: &Home, runs: &[Run]) -> String {
    let mut all = String::new();
    for run in runs {
        all.push_str(&run.stdout());
        all.push_str(&run.stderr());
    }
    let mut dirs = vec![home.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                all.push_str(&String::from_utf8_lossy(
                    &std::fs::read(path).unwrap_or_default(),
                ));
            }
        }
    }
    all
}

#[test]
fn no_secret_reaches_the_output_or_a_file() {
    let sim = Sim::start(&[]);
    let home = Home::new();
    let account = Account::on_sim("leak", &sim, &home, json!({"remember_me_prompt": true}));
    let runs = vec![
        tool(&home, &sim, &account, "status")
            .arg("-vv")
            .run()
            .expect_code(3),
        tool(&home, &sim, &account, "optout")
            .arg("-vv")
            .run()
            .expect_code(0),
        Tool::new(&home)
            .args(["--account", &account.email, "credentials", "check", "-vv"])
            .run()
            .expect_code(0),
        Tool::new(&home)
            .args(["--base-url", &sim.base_url(), "doctor", "-vv"])
            .run(),
        Tool::new(&home).args(["history"]).run().expect_code(0),
    ];
    let chain = SecretChain::new(None, None, home.state_dir());
    let session = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(chain.session(&account.email))
        .unwrap()
        .expect("the session is kept in the keyring");
    let li_at = session
        .cookies
        .iter()
        .find(|cookie| cookie.name == "li_at")
        .expect("an li_at cookie")
        .value
        .expose_secret()
        .to_string();
    let written = everything_written(&home, &runs);
    assert!(
        written.contains(&account.email),
        "the check looked at the wrong output"
    );
    assert!(!written.contains(PASSWORD), "the password was written");
    assert!(!written.contains(&li_at), "the session cookie was written");
}

#[test]
fn a_two_step_code_from_the_wrong_secret_is_not_retried() {
    let email = "wrong-totp@example.com";
    let sim = Sim::with_account(
        email,
        json!({"checkpoint": "two_step", "totp_secret": TOTP_BASE32}),
    );
    let home = Home::new();
    let credentials = home.path().join("credentials.toml");
    std::fs::write(
        &credentials,
        format!("email = \"{email}\"\npassword = \"{PASSWORD}\"\ntotp_secret = \"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\"\n"),
    )
    .unwrap();
    crate::common::set_mode(&credentials, 0o600);
    let report = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "--account", email])
        .args([
            "--credentials-file",
            credentials.to_str().unwrap(),
            "optout",
            "--json",
        ])
        .run()
        .expect_code(4)
        .report();
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("did not accept the two-step code"),
        "{report}"
    );
    assert_eq!(sim.account(email).sign_ins, 0);
}
