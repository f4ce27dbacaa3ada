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

/// A refused base URL names where it came from: the command line, the environment, or the
/// config file and line (the file's own `base_url`, or an account's).
#[test]
fn a_refused_base_url_names_where_it_came_from() {
    let home = Home::new();
    let look_alike = "https://linkedin.example.test/";
    let config = home.config_file();
    let refusal = |tool: Tool<'_>| {
        let run = tool.arg("history").run().expect_code(2);
        let first = run.stderr().lines().next().unwrap_or_default().to_string();
        assert!(first.chars().count() <= 200, "{first}");
        assert!(first.contains("--allow-base-url"), "{first}");
        first
    };
    home.write_config(&format!(
        "timeout = 30\nbase_url = {look_alike:?}\n\n[[account]]\nemail = \"a@example.org\"\n"
    ));
    let from_file = refusal(Tool::new(&home));
    assert!(
        from_file.contains(&format!("(config file {}, line 2)", config.display())),
        "{from_file}"
    );
    home.write_config(&format!(
        "[[account]]\nemail = \"a@example.org\"\nbase_url = {look_alike:?}\n"
    ));
    let from_account = refusal(Tool::new(&home));
    assert!(
        from_account.contains(&format!("(config file {}, line 3)", config.display())),
        "{from_account}"
    );
    home.write_config("[[account]]\nemail = \"a@example.org\"\n");
    let from_environment = refusal(Tool::new(&home).env("LINKEDIN_OPTOUT_BASE_URL", look_alike));
    assert!(
        from_environment.contains("(environment variable LINKEDIN_OPTOUT_BASE_URL)"),
        "{from_environment}"
    );
    let typed = refusal(
        Tool::new(&home)
            .env("LINKEDIN_OPTOUT_BASE_URL", "https://www.linkedin.com/")
            .args(["--base-url", look_alike]),
    );
    assert!(typed.contains("(`--base-url`)"), "{typed}");
}

/// A rules file that others can change is refused for what a rules file can do (which switch
/// a run clicks, what counts as off), not as a config that decides where the password goes.
#[test]
fn a_loose_rules_file_is_refused_for_what_a_rules_file_can_do() {
    let home = Home::new();
    let rules = home.path().join("rules.toml");
    std::fs::write(&rules, "").unwrap();
    set_mode(&rules, 0o666);
    let refused = Tool::new(&home)
        .args(["--rules", rules.to_str().unwrap(), "rules", "show"])
        .run()
        .expect_code(2);
    let message = refused.stderr();
    assert!(
        message.starts_with(&format!(
            "error: rules file {} is writable by group or others, who could change which switch a run clicks",
            rules.display()
        )),
        "{message}"
    );
    assert!(!message.contains("password"), "{message}");
    assert!(
        message.contains(&format!("`chmod go-w {}`", rules.display())),
        "{message}"
    );
}

/// `skeleton` given a picture or any binary file refuses it (exit 2) instead of printing a
/// masked garbage document; a page is still redacted.
#[test]
fn skeleton_refuses_a_file_that_is_not_html() {
    let home = Home::new();
    let png = home.path().join("screenshot.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10").unwrap();
    let binary = home.path().join("page.bin");
    std::fs::write(&binary, b"<p>\0\x01\x02</p>").unwrap();
    for (file, why) in [
        (&png, "it looks like a PNG image"),
        (&binary, "it holds binary data"),
    ] {
        let refused = Tool::new(&home)
            .args(["skeleton", file.to_str().unwrap()])
            .run()
            .expect_code(2);
        assert_eq!(refused.stdout(), "", "{}", file.display());
        assert!(
            refused.stderr().starts_with(&format!(
                "error: {} is not an HTML page ({why})",
                file.display()
            )),
            "{}",
            refused.stderr()
        );
    }
    let page = home.path().join("page.html");
    std::fs::write(&page, "<html><body><p>Jane Doe</p></body></html>").unwrap();
    let redacted = Tool::new(&home)
        .args(["skeleton", page.to_str().unwrap()])
        .run()
        .expect_code(0);
    assert!(
        redacted.stdout().contains("<p>xxxx xxx</p>"),
        "{}",
        redacted.stdout()
    );
    assert!(!redacted.stdout().contains("Jane"), "{}", redacted.stdout());
}
