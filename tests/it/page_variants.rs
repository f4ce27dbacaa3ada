//! The setting worked by meaning, whatever LinkedIn wraps around it (issue 9): every kind of
//! ARIA switch, a confirmation dialog, a second switch on the page, languages the rules do not
//! know, interstitials after sign-in, a session lost before the save, and a page that never
//! settles. Each outcome is proven from the simulator's server-side state.

use linkedin_sim::{AccountView, AiTraining, Consent, SecondSwitch};
use serde_json::json;

use crate::common::{Home, Run, Sim, Tool};

const EMAIL: &str = "variant@example.com";

/// Runs `optout --json -v` (plus `extra`) for the one account of `sim`.
fn optout(sim: &Sim, extra: &[&str]) -> Run {
    let home = Home::new();
    Tool::new(&home)
        .against(sim, EMAIL)
        .args(["optout", "--json", "-v", "--timeout", "20"])
        .args(extra.iter().copied())
        .run()
}

/// The server's view of the account.
fn server(sim: &Sim) -> AccountView {
    sim.account(EMAIL)
}

/// Asserts the setting's value on the server and how many saves it accepted.
#[track_caller]
fn assert_setting(sim: &Sim, ai_training: AiTraining, setting_writes: u64) {
    let account = server(sim);
    assert_eq!(account.spec.ai_training, ai_training, "{account:?}");
    assert_eq!(account.setting_writes, setting_writes, "{account:?}");
}

/// The directory a "page not understood" message names, with its screenshot and HTML.
#[track_caller]
fn assert_artifacts(message: &str) {
    let saved = crate::common::artifacts_dir(message);
    assert!(saved.join("page.png").is_file(), "{message}");
    assert!(saved.join("page.html").is_file(), "{message}");
}

#[test]
fn every_kind_of_switch_is_read_and_switched_off() {
    for kind in ["button", "div", "toggle_button", "hidden_input"] {
        let sim = Sim::with_account(EMAIL, json!({"switch_kind": kind}));
        let report = optout(&sim, &["--dry-run"]).expect_code(3).report();
        assert_eq!(report["before"], "on", "{kind}: {report}");
        assert_setting(&sim, AiTraining::On, 0);

        let report = optout(&sim, &[]).expect_code(0).report();
        assert_eq!(report["outcome"], "opted_out", "{kind}: {report}");
        assert_eq!(report["after"], "off", "{kind}: {report}");
        assert_setting(&sim, AiTraining::Off, 1);

        let report = optout(&sim, &[]).expect_code(0).report();
        assert_eq!(report["outcome"], "already_off", "{kind}: {report}");
        assert_setting(&sim, AiTraining::Off, 1);
    }
}

#[test]
fn a_confirmation_dialog_is_confirmed_after_the_tools_own_click() {
    for dialog in ["artdeco", "plain"] {
        let sim = Sim::with_account(EMAIL, json!({"confirm_dialog": dialog}));
        let run = optout(&sim, &[]).expect_code(0);
        assert_eq!(run.report()["outcome"], "opted_out", "{dialog}");
        assert!(run.stderr().contains("confirming"), "{}", run.stderr());
        assert_setting(&sim, AiTraining::Off, 1);
    }
}

#[test]
fn a_dry_run_never_opens_or_confirms_the_dialog() {
    let sim = Sim::with_account(
        EMAIL,
        json!({"confirm_dialog": "artdeco", "switch_kind": "button"}),
    );
    let run = optout(&sim, &["--dry-run"]).expect_code(3);
    assert_eq!(run.report()["outcome"], "would_opt_out");
    assert!(!run.stderr().contains("confirming"), "{}", run.stderr());
    assert_setting(&sim, AiTraining::On, 0);
}

#[test]
fn a_dialog_the_rules_do_not_understand_stops_with_exit_6() {
    let sim = Sim::with_account(EMAIL, json!({"confirm_dialog": "unclear"}));
    let home = Home::new();
    let report = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json", "--timeout", "20"])
        .run()
        .expect_code(6)
        .report();
    assert_eq!(report["outcome"], "page_not_understood", "{report}");
    let message = report["message"].as_str().unwrap();
    assert!(message.contains("dialog"), "{message}");
    assert!(message.contains("/mypreferences/d/settings/"), "{message}");
    assert_artifacts(message);
    assert_setting(&sim, AiTraining::On, 0);
}

#[test]
fn only_the_switch_labelled_by_the_key_is_touched() {
    for kind in ["input", "hidden_input"] {
        let sim = Sim::with_account(EMAIL, json!({"second_switch": "on", "switch_kind": kind}));
        let report = optout(&sim, &["--dry-run"]).expect_code(3).report();
        assert_eq!(report["before"], "on", "{kind}: {report}");
        assert_eq!(server(&sim).spec.second_switch, SecondSwitch::On);

        let report = optout(&sim, &[]).expect_code(0).report();
        assert_eq!(report["outcome"], "opted_out", "{kind}: {report}");
        assert_setting(&sim, AiTraining::Off, 1);
        assert_eq!(server(&sim).spec.second_switch, SecondSwitch::On, "{kind}");
    }
    // The setting already off, the other switch on: still nothing to do.
    let sim = Sim::with_account(EMAIL, json!({"second_switch": "on", "ai_training": "off"}));
    let report = optout(&sim, &[]).expect_code(0).report();
    assert_eq!(report["outcome"], "already_off", "{report}");
    assert_eq!(server(&sim).spec.second_switch, SecondSwitch::On);
    assert_setting(&sim, AiTraining::Off, 0);
}

/// Russian is a language `rules.rs` has no text for: neither the sign-in button (the modern
/// page is submitted with Enter) nor the setting's title. The moved setting is found by
/// opening Data privacy's settings links until one shows the switch labelled by the key.
#[test]
fn a_moved_setting_is_found_in_a_language_the_rules_do_not_know() {
    let sim = Sim::with_account(
        EMAIL,
        json!({"locale": "ru", "login_variant": "modern", "setting_slug": "ai-data"}),
    );
    let run = optout(&sim, &["--dry-run"]).expect_code(3);
    assert_eq!(run.report()["before"], "on");
    assert_setting(&sim, AiTraining::On, 0);

    let run = optout(&sim, &[]).expect_code(0);
    assert_eq!(run.report()["outcome"], "opted_out");
    let stderr = run.stderr();
    assert!(stderr.contains("probing"), "{stderr}");
    assert!(
        stderr.contains("/mypreferences/d/settings/ai-data"),
        "{stderr}"
    );
    assert!(stderr.contains("known_title=false"), "{stderr}");
    assert_setting(&sim, AiTraining::Off, 1);
}

/// Spanish titles are in the rules: the link with the known title is probed first.
#[test]
fn a_moved_setting_with_a_known_title_is_probed_first() {
    let sim = Sim::with_account(EMAIL, json!({"locale": "es", "setting_slug": "ai-data"}));
    let run = optout(&sim, &["--walk"]).expect_code(0);
    let stderr = run.stderr();
    let probes: Vec<&str> = stderr.lines().filter(|l| l.contains("probing")).collect();
    assert_eq!(probes.len(), 1, "{stderr}");
    assert!(probes[0].contains("known_title=true"), "{stderr}");
    assert_setting(&sim, AiTraining::Off, 1);
}

#[test]
fn an_interstitial_after_sign_in_is_left_unanswered() {
    for interstitial in ["add_phone", "confirm_email"] {
        let sim = Sim::with_account(EMAIL, json!({"interstitial": interstitial}));
        let report = optout(&sim, &["--dry-run"]).expect_code(3).report();
        assert_eq!(report["before"], "on", "{interstitial}: {report}");

        let report = optout(&sim, &[]).expect_code(0).report();
        assert_eq!(report["outcome"], "opted_out", "{interstitial}: {report}");
        assert_setting(&sim, AiTraining::Off, 1);
        assert_eq!(server(&sim).interstitial_answers, 0, "{interstitial}");
    }
}

#[test]
fn an_interstitial_that_insists_needs_a_person() {
    for walk in [false, true] {
        let sim = Sim::with_account(
            EMAIL,
            json!({"interstitial": "confirm_email", "interstitial_insists": true}),
        );
        let extra: &[&str] = if walk { &["--walk"] } else { &[] };
        let report = optout(&sim, extra).expect_code(4).report();
        assert_eq!(report["outcome"], "needs_person", "{report}");
        let message = report["message"].as_str().unwrap();
        assert!(message.contains("/check/confirm-email"), "{message}");
        assert!(message.contains("login --headed"), "{message}");
        assert_setting(&sim, AiTraining::On, 0);
        assert_eq!(server(&sim).interstitial_answers, 0);
    }
}

#[test]
fn a_session_lost_before_the_save_signs_in_once_more() {
    let sim = Sim::with_account(EMAIL, json!({"faults": {"session_ends_before_save": true}}));
    let run = optout(&sim, &[]).expect_code(0);
    let report = run.report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    assert_eq!(report["changed"], true);
    assert_setting(&sim, AiTraining::Off, 1);
    let account = server(&sim);
    assert_eq!(account.sign_ins, 2, "{account:?}");
    assert!(!account.spec.faults.session_ends_before_save);
}

/// Each session ends after two requests (the feed after signing in, the setting's page), so
/// every save meets a dead session: the run signs in again once, then stops.
#[test]
fn a_session_that_ends_again_is_not_chased_twice() {
    let sim = Sim::with_account(EMAIL, json!({"faults": {"session_expires_after": 2}}));
    let report = optout(&sim, &[]).expect_code(6).report();
    assert_eq!(report["outcome"], "page_not_understood", "{report}");
    assert!(
        report["message"].as_str().unwrap().contains("again"),
        "{report}"
    );
    assert_setting(&sim, AiTraining::On, 0);
    assert_eq!(server(&sim).sign_ins, 2);
}

#[test]
fn a_save_refused_while_signed_in_is_not_retried() {
    let sim = Sim::with_account(EMAIL, json!({"faults": {"save_fails": true}}));
    let report = optout(&sim, &[]).expect_code(7).report();
    assert_eq!(report["outcome"], "did_not_stick", "{report}");
    assert_setting(&sim, AiTraining::On, 0);
    assert_eq!(server(&sim).sign_ins, 1);
}

/// A switch whose state the page does not give ("mixed") is never read as off: the wait for
/// it runs out, which is a page not understood, with what the browser saw.
#[test]
fn a_switch_that_never_settles_is_a_page_not_understood() {
    for extra in [&["--dry-run"][..], &[]] {
        let sim = Sim::with_account(
            EMAIL,
            json!({"switch_kind": "div", "faults": {"switch_state_mixed": true}}),
        );
        let home = Home::new();
        let report = Tool::new(&home)
            .against(&sim, EMAIL)
            .args(["optout", "--json", "--timeout", "3"])
            .args(extra.iter().copied())
            .run()
            .expect_code(6)
            .report();
        assert_eq!(report["outcome"], "page_not_understood", "{report}");
        assert_eq!(report["before"], "unknown", "{report}");
        let message = report["message"].as_str().unwrap();
        assert!(
            message.contains("gave up waiting for the switch"),
            "{message}"
        );
        assert!(
            message.contains("/mypreferences/d/settings/data-for-ai-improvement"),
            "{message}"
        );
        assert_artifacts(message);
        assert_setting(&sim, AiTraining::On, 0);
    }
}

/// Several variants in one account: Spanish, a moved setting behind an interstitial, a
/// `div` switch under a second AI switch, a confirmation dialog, the cookie banner, and a
/// session that ends right before the save.
#[test]
fn many_variants_at_once() {
    let sim = Sim::with_account(
        EMAIL,
        json!({
            "locale": "es",
            "login_variant": "modern",
            "setting_slug": "ai-data",
            "interstitial": "add_phone",
            "switch_kind": "div",
            "second_switch": "on",
            "confirm_dialog": "plain",
            "cookie_banner": true,
            "faults": {"session_ends_before_save": true},
        }),
    );
    let report = optout(&sim, &["--dry-run"]).expect_code(3).report();
    assert_eq!(report["before"], "on", "{report}");
    assert_setting(&sim, AiTraining::On, 0);

    let report = optout(&sim, &[]).expect_code(0).report();
    assert_eq!(report["outcome"], "opted_out", "{report}");
    assert_setting(&sim, AiTraining::Off, 1);
    let account = server(&sim);
    assert_eq!(account.spec.second_switch, SecondSwitch::On, "{account:?}");
    assert_eq!(account.interstitial_answers, 0, "{account:?}");
    assert_eq!(account.cookie_consent, Some(Consent::Denied), "{account:?}");
    assert!(!account.spec.faults.session_ends_before_save);
}
