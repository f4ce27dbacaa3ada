//! One account, whatever the spelling of its address: a credentials file's `email`, a typed
//! `--account` and what the state directory kept are compared and stored in one normal form
//! (trimmed, ASCII lower case), so the session kept under one spelling serves the other.

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{Home, PASSWORD, Sim, Tool};

#[test]
fn a_credentials_file_and_an_account_in_other_cases_are_one_account() {
    let email = "mixed.case@example.com";
    let sim = Sim::with_account(email, json!({}));
    let home = Home::new();
    let file = home.credentials_file("Mixed.Case@Example.COM", PASSWORD);
    let file = file.to_str().unwrap();

    // Only the file: its address, in the normal form, is the account.
    let first = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "--credentials-file", file])
        .args(["optout", "--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(first["account"], email);
    assert_eq!(sim.account(email).spec.ai_training, AiTraining::Off);
    assert!(
        home.state_dir()
            .join(format!("sessions/{email}.json"))
            .is_file(),
        "the session is kept under the normal form"
    );

    // Other spellings on the command line: the same account, run once (one report), and
    // its kept session.
    let second = Tool::new(&home)
        .args(["--base-url", &sim.base_url(), "--credentials-file", file])
        .args(["--account", " MIXED.case@example.com", "--account", email])
        .args(["status", "--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(second["account"], email);
    assert_eq!(second["outcome"], "already_off");
    assert_eq!(
        sim.account(email).sign_ins,
        1,
        "the second spelling signed in again"
    );

    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(!history.contains("Mixed"), "{history}");
}

/// A password an older version stored in the keyring under another spelling of the address
/// is found, and moved to the address's one form.
#[cfg(target_os = "linux")]
#[test]
fn a_keyring_entry_stored_under_another_spelling_is_adopted() {
    use linkedin_optout::secrets::KEYRING_SERVICE;

    let older = format!("Older.Spelling.{}@Example.com", std::process::id());
    let email = older.to_ascii_lowercase();
    let entry = |user: &str| keyring::Entry::new(KEYRING_SERVICE, user).unwrap();
    entry(&older).set_password("older-password").unwrap();
    entry(&format!("{older}#totp"))
        .set_password("JBSWY3DPEHPK3PXP")
        .unwrap();
    let home = Home::new();

    let check = Tool::new(&home)
        .args(["--account", &email, "credentials", "check", "--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(check["account"], email, "{check}");
    assert!(
        matches!(entry(&older).get_password(), Err(keyring::Error::NoEntry)),
        "the older spelling's entry is left"
    );
    assert_eq!(entry(&email).get_password().unwrap(), "older-password");
    assert_eq!(
        entry(&format!("{email}#totp")).get_password().unwrap(),
        "JBSWY3DPEHPK3PXP"
    );

    Tool::new(&home)
        .args(["--account", &email, "credentials", "delete"])
        .run()
        .expect_code(0);
    assert!(matches!(
        entry(&email).get_password(),
        Err(keyring::Error::NoEntry)
    ));
}
