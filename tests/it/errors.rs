//! Every error names its real cause and the one fix: `doctor` without a session bus names
//! the keyring and the real account, a state directory that cannot be written is a check of
//! its own, a refused base URL names where it came from, a loose rules file says what such a
//! file can do, and a file that is not HTML is refused by `skeleton`.

use crate::common::{Home, Tool, set_mode};

/// `doctor` without a session bus: the keyring is the cause, the account is the real one,
/// and no line sends the member back to `doctor`.
#[test]
fn doctor_without_a_session_bus_names_the_keyring_and_the_account() {
    let home = Home::new();
    home.write_config("[[account]]\nemail = \"member@example.org\"\n");
    let runtime_dir = tempfile::tempdir().unwrap();
    let doctor = Tool::new(&home)
        .without_driver()
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", runtime_dir.path().to_str().unwrap())
        .arg("doctor")
        .run();
    let text = doctor.stdout();
    let keyring = text
        .lines()
        .find(|line| line.starts_with("FAIL  secrets: OS keyring"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        keyring.contains("there is no D-Bus session bus at"),
        "{text}"
    );
    let accounts = text
        .lines()
        .find(|line| line.contains(" accounts: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        accounts
            .starts_with("FAIL  accounts: cannot tell whether member@example.org has a password"),
        "{text}"
    );
    for wrong in [
        "you@example.com",
        "--account EMAIL",
        "no password for",
        "run `linkedin-optout doctor`",
    ] {
        assert!(!text.contains(wrong), "{wrong} in\n{text}");
    }
    assert_eq!(doctor.code(), 8, "{text}");
}

/// A state directory that cannot be written fails its own check (the runs would lose their
/// history and receipts), naming the path; a writable one passes.
#[test]
fn doctor_checks_the_state_directory() {
    let home = Home::new();
    let blocked = home.path().join("not-a-directory");
    std::fs::write(&blocked, "").unwrap();
    let json = |tool: Tool<'_>| -> serde_json::Value {
        let run = tool.without_driver().args(["doctor", "--json"]).run();
        run.json_lines()
            .into_iter()
            .find(|check| check["check"] == "state directory")
            .unwrap_or_else(|| panic!("{}", run.stdout()))
    };
    let failed = json(Tool::new(&home).env("XDG_STATE_HOME", blocked.to_str().unwrap()));
    assert_eq!(failed["status"], "fail", "{failed}");
    assert_eq!(failed["exit_code"], 1, "{failed}");
    let detail = failed["detail"].as_str().unwrap();
    assert!(
        detail.starts_with(&format!("cannot write in {}", blocked.display())),
        "{detail}"
    );
    assert!(detail.contains("receipts"), "{detail}");
    let passed = json(Tool::new(&home));
    assert_eq!(passed["status"], "ok", "{passed}");
}
