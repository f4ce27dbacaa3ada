//! `credentials set|check|delete` against the real Secret Service of the test's D-Bus
//! session (`scripts/test.sh` starts one with an unlocked gnome-keyring). Every store and
//! read happens in a separate process, so a secret that passes has survived in the keyring.
//!
//! Tests run in parallel on one keyring, so each uses an account of its own.
#![cfg(target_os = "linux")]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use linkedin_optout::secrets::{SecretChain, current_code};
use secrecy::ExposeSecret as _;

use crate::common::{Account, Home, Run, Tool, children_of, wait_for};

const TOTP_BASE32: &str = "JBSWY3DPEHPK3PXPJBSWY3DP";

/// A password no output may ever contain.
fn password(account: &Account) -> String {
    format!("pw-{}-Zq7", account.email.len() * 7919)
}

fn set(home: &Home, account: &Account, stdin: &str) -> Run {
    account.set_password(home, stdin)
}

fn check<'h>(home: &'h Home, account: &Account) -> Tool<'h> {
    Tool::new(home).args(["credentials", "check", "--account", &account.email])
}

#[track_caller]
fn assert_never_shown(secret: &str, runs: &[&Run], home: &Home) {
    for run in runs {
        assert!(!run.stdout().contains(secret), "stdout: {}", run.stdout());
        assert!(!run.stderr().contains(secret), "stderr: {}", run.stderr());
    }
    let config = std::fs::read_to_string(home.config_file()).unwrap_or_default();
    assert!(!config.contains(secret), "config: {config}");
}

/// The one error line, without the `error: ` prefix.
#[track_caller]
/// The error on stderr, and nothing else: a first line under about 200 characters, then its
/// detail on lines indented by two spaces.
fn error_line(run: &Run) -> String {
    let stderr = run.stderr();
    let mut lines = stderr.lines();
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with("error: "), "an error expected: {stderr}");
    assert!(first.chars().count() <= 210, "a long first line: {stderr}");
    assert!(
        lines.all(|line| line.starts_with("  ")),
        "only the error's detail expected after it: {stderr}"
    );
    stderr
        .trim_end()
        .strip_prefix("error: ")
        .unwrap()
        .to_string()
}

fn private_file(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_stored_password_is_found_by_another_process_until_deleted() {
    let home = Home::new();
    let account = Account::new("set-check");
    let secret = password(&account);

    let stored = set(&home, &account, &format!("{secret}\n")).expect_code(0);
    assert_eq!(
        stored.stdout().trim(),
        format!(
            "stored the password for {} in the OS keyring (service `linkedin-optout`) and added the account to {}",
            account.email,
            home.config_file().display()
        )
    );
    let config = std::fs::read_to_string(home.config_file()).unwrap();
    assert!(config.contains(&account.email), "{config}");

    let checked = check(&home, &account).run().expect_code(0);
    assert!(
        checked
            .stdout()
            .contains("holds a password, no TOTP secret"),
        "{}",
        checked.stdout()
    );
    let json = check(&home, &account).arg("--json").run().expect_code(0);
    let object = &json.json_lines()[0];
    assert_eq!(object["account"], account.email.as_str());
    assert_eq!(object["password"], true);
    assert_eq!(object["source"]["kind"], "keyring");

    let deleted = Tool::new(&home)
        .args(["credentials", "remove", "--account", &account.email])
        .run()
        .expect_code(0);
    assert_eq!(
        deleted.stdout().trim(),
        format!("removed the password of {}", account.email)
    );
    let missing = check(&home, &account).run().expect_code(5);
    assert_eq!(
        error_line(&missing),
        format!(
            "no password stored for `{0}`: run `linkedin-optout credentials set --account {0}`\n  or, to stop acting on it, `linkedin-optout credentials remove --forget --account {0}`",
            account.email
        )
    );
    assert_never_shown(
        &secret,
        &[&stored, &checked, &json, &deleted, &missing],
        &home,
    );
}

#[test]
fn the_password_is_read_back_exactly_as_given() {
    let home = Home::new();
    let account = Account::new("exact");
    // Leading and trailing spaces are part of a password; only the line ending is not.
    let secret = format!("  {} ", password(&account));
    set(&home, &account, &format!("{secret}\r\n")).expect_code(0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let chain = SecretChain::new(None, None, home.state_dir());
    let credentials = runtime.block_on(chain.credentials(&account.email)).unwrap();
    assert_eq!(credentials.password.expose_secret(), secret);
    assert!(credentials.totp_secret.is_none());
}

#[test]
fn totp_secrets_round_trip_as_base32_or_otpauth_uri() {
    let home = Home::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let chain = SecretChain::new(None, None, home.state_dir());
    let uri = format!("otpauth://totp/LinkedIn:me?secret={TOTP_BASE32}&issuer=LinkedIn");
    for (name, totp) in [("totp-base32", TOTP_BASE32), ("totp-uri", uri.as_str())] {
        let account = Account::new(name);
        let secret = password(&account);
        let stored = account
            .set_password_and_totp(&home, &format!("{secret}\n{totp}\n"))
            .expect_code(0);
        assert!(
            stored
                .stdout()
                .starts_with("stored the password and TOTP secret")
        );
        let json = check(&home, &account).arg("--json").run().expect_code(0);
        assert_eq!(json.json_lines()[0]["totp_secret"], true);
        assert_never_shown(totp, &[&stored, &json], &home);

        let credentials = runtime.block_on(chain.credentials(&account.email)).unwrap();
        let read_back = credentials.totp_secret.expect("a TOTP secret");
        assert_eq!(read_back.expose_secret(), totp);
        assert_eq!(current_code(&read_back).unwrap().len(), 6);
    }
}

#[test]
fn an_invalid_totp_secret_stores_nothing() {
    let home = Home::new();
    let account = Account::new("totp-invalid");
    let secret = password(&account);
    let refused = account
        .set_password_and_totp(&home, &format!("{secret}\nnot a base32 secret!\n"))
        .expect_code(5);
    assert!(error_line(&refused).starts_with("the TOTP secret is not valid"));
    check(&home, &account).run().expect_code(5);
    assert!(!home.config_file().exists());
    assert_never_shown(&secret, &[&refused], &home);
}

#[test]
fn an_empty_or_unprompted_password_is_a_usage_error() {
    let home = Home::new();
    let account = Account::new("empty");
    let empty = set(&home, &account, "\n").expect_code(2);
    assert!(error_line(&empty).starts_with("the password is empty"));
    let unprompted = Tool::new(&home)
        .args(["credentials", "set", "--account", &account.email])
        .run()
        .expect_code(2);
    assert!(error_line(&unprompted).contains("--password-stdin"));
    assert!(!home.config_file().exists());
}

#[test]
fn a_credentials_file_is_used_only_when_private() {
    let home = Home::new();
    let account = Account::new("file");
    let secret = password(&account);
    let path = home.path().join("credentials.toml");
    private_file(
        &path,
        &format!("email = \"{}\"\npassword = \"{secret}\"\n", account.email),
        0o644,
    );
    let file_arg = path.to_str().unwrap();

    let refused = check(&home, &account)
        .args(["--credentials-file", file_arg])
        .run()
        .expect_code(5);
    assert_eq!(
        error_line(&refused),
        format!(
            "{file_arg} is readable or writable by group or others (mode 0644): run `chmod 600 {file_arg}`"
        )
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let accepted = check(&home, &account)
        .args(["--credentials-file", file_arg])
        .run()
        .expect_code(0);
    assert_eq!(
        accepted.stdout().trim(),
        format!(
            "{}: the credentials file {file_arg} holds a password and no TOTP secret",
            account.email
        )
    );

    let other = Account::new("file-other");
    let wrong = check(&home, &other)
        .args(["--credentials-file", file_arg])
        .run()
        .expect_code(5);
    assert!(error_line(&wrong).contains(&format!("not `{}`", other.email)));
    assert_never_shown(&secret, &[&refused, &accepted, &wrong], &home);
}

#[test]
fn a_systemd_credential_is_used_when_present() {
    let home = Home::new();
    let account = Account::new("systemd");
    let secret = password(&account);
    let directory = home.path().join("credentials");
    std::fs::create_dir(&directory).unwrap();
    private_file(
        &directory.join("linkedin-optout"),
        &format!(
            "email = \"{}\"\npassword = \"{secret}\"\ntotp_secret = \"{TOTP_BASE32}\"\n",
            account.email
        ),
        0o400,
    );
    let checked = check(&home, &account)
        .env("CREDENTIALS_DIRECTORY", directory.to_str().unwrap())
        .arg("--json")
        .run()
        .expect_code(0);
    let object = &checked.json_lines()[0];
    assert_eq!(object["source"]["kind"], "systemd_credentials");
    assert_eq!(object["totp_secret"], true);
    assert_never_shown(&secret, &[&checked], &home);
}

/// The path of the test's session bus socket, from `unix:path=…` (what dbus-run-session
/// and systemd give; an abstract socket has no path to link to).
fn session_bus_socket() -> PathBuf {
    let address = std::env::var("DBUS_SESSION_BUS_ADDRESS")
        .expect("the tests run inside a D-Bus session (scripts/test.sh)");
    let path = address
        .split(';')
        .flat_map(|part| part.strip_prefix("unix:"))
        .flat_map(|params| params.split(','))
        .find_map(|param| param.strip_prefix("path="))
        .unwrap_or_else(|| panic!("no unix:path= in {address}"));
    PathBuf::from(path)
}

#[test]
fn the_keyring_is_found_from_a_cron_like_environment() {
    let home = Home::new();
    let account = Account::new("cron");
    let secret = password(&account);
    let stored = set(&home, &account, &format!("{secret}\n")).expect_code(0);

    let runtime_dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(session_bus_socket(), runtime_dir.path().join("bus")).unwrap();
    let checked = check(&home, &account)
        .arg("-vv")
        .env_clear_except(["HOME", "PATH", "LOGNAME"])
        .env("XDG_RUNTIME_DIR", runtime_dir.path().to_str().unwrap())
        .run()
        .expect_code(0);
    assert!(
        checked.stdout().contains("holds a password"),
        "{}",
        checked.stdout()
    );
    assert!(
        checked.stderr().contains("adopted the session bus at"),
        "{}",
        checked.stderr()
    );
    assert_never_shown(&secret, &[&stored, &checked], &home);
}

#[test]
fn cron_without_a_session_bus_explains_what_to_do() {
    let home = Home::new();
    let account = Account::new("cron-no-bus");
    let runtime_dir = tempfile::tempdir().unwrap();
    let failed = check(&home, &account)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", runtime_dir.path().to_str().unwrap())
        .run()
        .expect_code(5);
    let message = error_line(&failed);
    assert!(
        message.starts_with("cannot reach the OS keyring"),
        "{message}"
    );
    let socket = runtime_dir.path().join("bus");
    assert!(
        message.lines().next().unwrap().contains(&format!(
            "there is no D-Bus session bus at {},",
            socket.display()
        )),
        "{message}"
    );
    assert!(message.contains("loginctl enable-linger"), "{message}");
    assert!(message.contains("--credentials-file"), "{message}");
}

#[test]
fn an_unreachable_keyring_fails_with_the_fix_not_a_timeout() {
    let home = Home::new();
    let account = Account::new("unreachable");
    let runtime_dir = tempfile::tempdir().unwrap();
    let failed = Tool::new(&home)
        .args([
            "credentials",
            "set",
            "--account",
            &account.email,
            "--password-stdin",
        ])
        .stdin(format!("{}\n", password(&account)))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/missing", runtime_dir.path().display()),
        )
        .env("XDG_RUNTIME_DIR", runtime_dir.path().to_str().unwrap())
        .run()
        .expect_code(5);
    let message = error_line(&failed);
    assert!(
        message.starts_with("cannot reach the OS keyring"),
        "{message}"
    );
    assert!(message.contains("--credentials-file"), "{message}");
    assert_never_shown(&password(&account), &[&failed], &home);
}

#[test]
fn a_keyring_that_never_answers_times_out() {
    let home = Home::new();
    let account = Account::new("silent");
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("silent-bus");
    // Accepts connections (the kernel does, up to the backlog) and never says a word.
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let failed = check(&home, &account)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        )
        .run()
        .expect_code(5);
    assert_eq!(
        error_line(&failed),
        "the OS keyring did not answer within 10 s: unlock it in the desktop session, or pass `--credentials-file FILE` on a headless machine\n  it may be waiting on an unlock prompt nobody can see"
    );
}

/// The terminal of process `pid` (what its standard input is), e.g. `/dev/pts/3`.
fn terminal_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/fd/0"))
        .ok()
        .filter(|tty| tty.starts_with("/dev/pts"))
}

/// On a terminal, `credentials set` prompts and reads the password with echo off: the
/// password is typed only once the terminal says echo is off, and never shows.
#[test]
fn the_prompt_reads_the_password_without_echo() {
    use std::io::{Read as _, Write as _};
    use std::process::Stdio;

    let home = Home::new();
    let account = Account::new("prompt");
    let secret = password(&account);
    let tool = Tool::new(&home).args(["credentials", "set", "--account", &account.email]);
    let inner = tool.command();
    // `script` gives the tool a pseudo-terminal of its own.
    let mut script =
        std::process::Command::new(crate::common::require("script", "apt-get install bsdutils"));
    script
        .args([
            "-qec",
            &format!(
                "'{}' credentials set --account {}",
                inner.get_program().to_string_lossy(),
                account.email
            ),
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    let mut child = script.spawn().expect("script runs (util-linux)");
    let tty = wait_for(
        "the prompt to turn echo off",
        Duration::from_secs(20),
        || {
            let tty = children_of(child.id()).into_iter().find_map(terminal_of)?;
            let echo_off = std::process::Command::new("stty")
                .args(["-F", tty.to_str().unwrap(), "-a"])
                .output()
                .map(|out| String::from_utf8_lossy(&out.stdout).contains(" -echo "))
                .unwrap_or(false);
            echo_off.then_some(tty)
        },
    );
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{secret}").unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let mut shown = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut shown)
        .unwrap();
    assert!(status.success(), "{shown}");
    assert!(
        shown.contains("LinkedIn password for"),
        "no prompt on {}: {shown}",
        tty.display()
    );
    assert!(shown.contains("stored the password"), "{shown}");
    assert!(!shown.contains(&secret), "the password was echoed: {shown}");
    check(&home, &account).run().expect_code(0);
}
