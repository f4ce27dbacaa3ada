//! End to end: the real binary drives headless Chromium through chromedriver against the
//! simulator, and the simulator's server-side state says what really happened.

use linkedin_sim::{AiTraining, Consent};
use serde_json::{Value, json};

use crate::common::{Home, Sim, Tool};

const EMAIL: &str = "member@example.com";

/// Runs `optout --json` (plus `extra`) for the one account of `sim`.
fn optout(sim: &Sim, extra: &[&str]) -> crate::common::Run {
    let home = Home::new();
    Tool::new(&home)
        .against(sim, EMAIL)
        .args(["optout", "--json", "--timeout", "20"])
        .args(extra.iter().copied())
        .run()
}

/// Asserts the server's view of the setting and how many saves it accepted.
#[track_caller]
fn assert_server(sim: &Sim, ai_training: AiTraining, setting_writes: u64) {
    let account = sim.account(EMAIL);
    assert_eq!(account.spec.ai_training, ai_training, "{account:?}");
    assert_eq!(account.setting_writes, setting_writes, "{account:?}");
}

#[test]
fn switches_the_setting_off_and_verifies_it() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let run = optout(&sim, &[]).expect_code(0);
    let report = run.report();
    assert_eq!(report["account"], EMAIL);
    assert_eq!(report["setting"], "data-for-ai-improvement");
    assert_eq!(report["before"], "on");
    assert_eq!(report["after"], "off");
    assert_eq!(report["outcome"], "opted_out");
    assert_eq!(report["changed"], true);
    assert!(report["message"].is_string());
    assert_server(&sim, AiTraining::Off, 1);
    assert_eq!(sim.account(EMAIL).sign_ins, 1);
}

#[test]
fn already_off_changes_nothing() {
    let sim = Sim::with_account(EMAIL, json!({"ai_training": "off"}));
    let report = optout(&sim, &[]).expect_code(0).report();
    assert_eq!(report["outcome"], "already_off");
    assert_eq!(report["changed"], false);
    assert_server(&sim, AiTraining::Off, 0);
}

#[test]
fn dry_run_and_status_only_report() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let report = optout(&sim, &["--dry-run"]).expect_code(3).report();
    assert_eq!(report["outcome"], "would_opt_out");
    assert_eq!(report["before"], "on");
    let home = Home::new();
    let status = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--json"])
        .run()
        .expect_code(3);
    assert_eq!(status.report()["outcome"], "would_opt_out");
    assert_server(&sim, AiTraining::On, 0);
}

#[test]
fn a_wrong_password_exits_5() {
    let sim = Sim::with_account(EMAIL, json!({"password": "another password"}));
    let report = optout(&sim, &[]).expect_code(5).report();
    assert_eq!(report["outcome"], "bad_credentials");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("credentials set"),
        "{report}"
    );
    assert_server(&sim, AiTraining::On, 0);
}

#[test]
fn each_checkpoint_needs_a_person() {
    for checkpoint in ["email_pin", "two_step", "app_approval", "captcha"] {
        let sim = Sim::with_account(EMAIL, json!({"checkpoint": checkpoint}));
        let report = optout(&sim, &[]).expect_code(4).report();
        assert_eq!(report["outcome"], "needs_person", "{checkpoint}: {report}");
        assert!(
            report["message"]
                .as_str()
                .unwrap()
                .contains("login --headed"),
            "{checkpoint}: {report}"
        );
        assert_server(&sim, AiTraining::On, 0);
        assert_eq!(sim.account(EMAIL).sign_ins, 0, "{checkpoint}");
    }
}

#[test]
fn throttling_stops_at_once() {
    for checkpoint in ["throttled", "http_999", "http_429"] {
        let sim = Sim::with_account(EMAIL, json!({"checkpoint": checkpoint}));
        let report = optout(&sim, &[]).expect_code(4).report();
        assert!(
            report["message"]
                .as_str()
                .unwrap()
                .contains("do not retry before"),
            "{checkpoint}: {report}"
        );
        assert_server(&sim, AiTraining::On, 0);
    }
}

/// A setting LinkedIn does not offer to the account is done: exit 0 (README, "What each
/// outcome does").
#[test]
fn a_setting_not_offered_exits_0() {
    let sim = Sim::with_account(EMAIL, json!({"ai_training": "not_offered"}));
    let report = optout(&sim, &[]).expect_code(0).report();
    assert_eq!(report["outcome"], "not_offered");
    assert_eq!(report["before"], "not_offered");
    // It signed in and read the page, and tried no save.
    assert_server(&sim, AiTraining::NotOffered, 0);
    assert_eq!(sim.account(EMAIL).sign_ins, 1);
}

#[test]
fn a_failed_save_is_never_success() {
    let sim = Sim::with_account(EMAIL, json!({"faults": {"save_fails": true}}));
    let report = optout(&sim, &[]).expect_code(7).report();
    assert_eq!(report["outcome"], "did_not_stick");
    assert_eq!(report["after"], "on");
    assert_eq!(report["changed"], false);
    assert_server(&sim, AiTraining::On, 0);
}

#[test]
fn a_save_not_kept_is_caught_by_the_reload() {
    let sim = Sim::with_account(EMAIL, json!({"faults": {"save_not_kept": true}}));
    let report = optout(&sim, &[]).expect_code(7).report();
    assert_eq!(report["outcome"], "did_not_stick");
    assert_eq!(report["after"], "on");
    assert_server(&sim, AiTraining::On, 1);
}

/// Page variants the flow must handle without a code path of their own.
#[test]
fn works_across_page_variants() {
    let variants: &[Value] = &[
        json!({"login_variant": "modern"}),
        json!({"locale": "de"}),
        json!({"locale": "fr", "login_variant": "modern"}),
        json!({"cookie_banner": true}),
        json!({"remember_me_prompt": true}),
        json!({"faults": {"latency_ms": 150}}),
    ];
    for variant in variants {
        let sim = Sim::with_account(EMAIL, variant.clone());
        let report = optout(&sim, &[]).expect_code(0).report();
        assert_eq!(report["outcome"], "opted_out", "{variant}: {report}");
        assert_server(&sim, AiTraining::Off, 1);
        if variant.get("cookie_banner").is_some() {
            assert_eq!(sim.account(EMAIL).cookie_consent, Some(Consent::Denied));
        }
    }
}

#[test]
fn a_moved_setting_is_found_by_walking() {
    let sim = Sim::with_account(EMAIL, json!({"setting_slug": "generative-ai-data"}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json", "-v"])
        .run()
        .expect_code(0);
    assert_eq!(run.report()["outcome"], "opted_out");
    assert!(run.stderr().contains("walking"), "{}", run.stderr());
    assert_server(&sim, AiTraining::Off, 1);
}

#[test]
fn walk_always_walks() {
    let sim = Sim::with_account(EMAIL, json!({"locale": "de", "cookie_banner": true}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--walk"])
        .run()
        .expect_code(0);
    assert!(
        run.stderr().contains("walking: Data privacy"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stdout().contains("switched off (it was on)"),
        "{}",
        run.stdout()
    );
    assert_server(&sim, AiTraining::Off, 1);
}

#[test]
fn quiet_prints_nothing_when_nothing_changed() {
    let sim = Sim::with_account(EMAIL, json!({"ai_training": "off"}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--quiet"])
        .run()
        .expect_code(0);
    // Nothing changed because the run found the setting off, not because it did nothing: it
    // signed in, and saved nothing.
    assert_server(&sim, AiTraining::Off, 0);
    assert_eq!(sim.account(EMAIL).sign_ins, 1);
    assert_eq!(run.stdout(), "");
    // As root (CI), the one warning left is that Chromium runs without its sandbox.
    let stderr = run.stderr();
    let news: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.contains("running as root: Chromium runs without its sandbox"))
        .collect();
    assert!(news.is_empty(), "{stderr}");
}

/// Firefox through geckodriver: the same flow, no code path of its own.
#[test]
fn firefox_walks_and_opts_out_too() {
    crate::common::require("geckodriver", "cargo install geckodriver");
    crate::common::require("firefox-esr", "apt-get install firefox-esr");
    let sim = Sim::with_account(
        EMAIL,
        json!({"login_variant": "modern", "cookie_banner": true}),
    );
    let report = optout(&sim, &["--browser", "firefox", "--walk"])
        .expect_code(0)
        .report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    assert_server(&sim, AiTraining::Off, 1);
    assert_eq!(sim.account(EMAIL).cookie_consent, Some(Consent::Denied));
}

/// A page the rules do not match: exit 6, naming what was missing and where, with what the
/// browser saw saved for whoever updates the rules.
#[test]
fn a_page_not_understood_says_where_and_keeps_what_the_browser_saw() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    // A base URL under which nothing is LinkedIn: the sign-in page is not there.
    let elsewhere = format!("{}__sim/", sim.base_url());
    let credentials = home.credentials_file(EMAIL, crate::common::PASSWORD);
    let run = Tool::new(&home)
        .args(["--base-url", &elsewhere, "--account", EMAIL])
        .args([
            "--credentials-file",
            credentials.to_str().unwrap(),
            "optout",
            "--json",
        ])
        .run()
        .expect_code(6);
    let report = run.report();
    assert_eq!(report["outcome"], "page_not_understood");
    let message = report["message"].as_str().unwrap();
    assert!(message.contains("__sim/login"), "{message}");
    assert!(
        message.contains("no email and password fields"),
        "{message}"
    );
    let saved = crate::common::artifacts_dir(message);
    assert!(saved.join("page.png").is_file(), "{message}");
    assert!(saved.join("page.html").is_file(), "{message}");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_server(&sim, AiTraining::On, 0);
}

/// A page that draws its switch with script after the rest (as an app-rendered page does):
/// the title alone is not taken for "not offered", before the click or after the reload.
#[test]
fn a_switch_drawn_after_the_page_is_waited_for() {
    let sim = Sim::with_account(EMAIL, json!({"faults": {"switch_drawn_after_ms": 800}}));
    let report = optout(&sim, &[]).expect_code(0).report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    assert_server(&sim, AiTraining::Off, 1);
}

/// The product behaviour that the test above must not hide: a driver in a well-known place
/// outside `PATH` (as Debian installs `/usr/lib/chromium/chromedriver`) is found and used.
#[test]
fn a_driver_outside_path_is_found_and_used() {
    let driver = crate::common::require("chromedriver", "apt-get install chromium-driver");
    let driver = std::fs::canonicalize(driver).unwrap();
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let report = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json", "--timeout", "20"])
        .with_driver_only_at(&driver)
        .run()
        .expect_code(0)
        .report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    assert_server(&sim, AiTraining::Off, 1);
}

#[test]
fn no_browser_driver_exits_8_with_the_fix() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json"])
        .without_driver()
        .run()
        .expect_code(8);
    let report = run.report();
    assert_eq!(report["outcome"], "error");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("apt-get install chromium chromium-driver"),
        "{report}"
    );
    assert_server(&sim, AiTraining::On, 0);
}
