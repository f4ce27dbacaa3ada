//! The command line itself: help and version touch nothing, bad input gets one line and
//! exit 2, the simulator subcommand announces its address, and two overlapping runs of one
//! config never both act.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{HeldSettingPage, Home, Sim, Tool, wait_for};

#[test]
fn help_and_version_need_nothing() {
    let home = Home::new();
    let help = Tool::new(&home)
        .arg("--help")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .run()
        .expect_code(0);
    for command in [
        "optout",
        "status",
        "credentials",
        "demo",
        "login",
        "doctor",
        "schedule",
        "history",
    ] {
        assert!(
            help.stdout().contains(command),
            "{command}\n{}",
            help.stdout()
        );
    }
    assert!(help.stdout().contains("Exit codes"), "{}", help.stdout());
    let version = Tool::new(&home).arg("--version").run().expect_code(0);
    assert!(
        version.stdout().starts_with("linkedin-optout "),
        "{}",
        version.stdout()
    );
    assert!(!home.config_file().exists());
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let home = Home::new();
    let not_email = Tool::new(&home)
        .args(["--account", "not-an-email", "status"])
        .run()
        .expect_code(2);
    assert_eq!(
        not_email.stderr().lines().count(),
        1,
        "{}",
        not_email.stderr()
    );
    assert!(not_email.stderr().contains("is not an email address"));
    let no_account = Tool::new(&home).arg("status").run().expect_code(2);
    assert!(
        no_account.stderr().contains("credentials set --account"),
        "{}",
        no_account.stderr()
    );
    home.write_config("timeout = \"soon\"\n");
    let bad_config = Tool::new(&home).arg("status").run().expect_code(2);
    assert_eq!(
        bad_config.stderr().lines().count(),
        1,
        "{}",
        bad_config.stderr()
    );
    assert!(
        bad_config.stderr().contains("is not valid"),
        "{}",
        bad_config.stderr()
    );
    Tool::new(&home)
        .args(["optout", "--no-such-flag"])
        .run()
        .expect_code(2);
}

/// Starts `simulator …` and returns it with the first line it printed (where it listens);
/// the caller stops it.
fn start_simulator(tool: Tool) -> (std::process::Child, String) {
    let mut child = tool
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn the_simulator_subcommand_says_where_it_listens() {
    let home = Home::new();
    let password_file = home.path().join("sim-password");
    std::fs::write(&password_file, "s3:cret\n").unwrap();
    let state = home.path().join("sim.json");
    let (mut child, line) = start_simulator(
        Tool::new(&home)
            .args(["simulator", "--listen", "127.0.0.1:0"])
            .args(["--account", "cli@example.com", "--password-file"])
            .arg(password_file.to_str().unwrap())
            .args(["--state", state.to_str().unwrap()]),
    );
    let address = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"));
    assert!(!address.ends_with(":0"), "{address}");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /__sim/accounts/cli@example.com HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#""ai_training":"on""#), "{response}");
    // The control API never shows a password; the state file keeps it, for its owner only.
    assert!(!response.contains("s3:cret"), "{response}");
    assert!(!response.contains(r#""password""#), "{response}");
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains(r#""password": "s3:cret""#), "{saved}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&state).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn the_simulator_keeps_passwords_off_the_command_line_and_the_network() {
    let home = Home::new();
    let with_password = Tool::new(&home)
        .args(["simulator", "--account", "cli@example.com:s3cret"])
        .run()
        .expect_code(2);
    assert!(
        with_password.stderr().contains("--password-file"),
        "{}",
        with_password.stderr()
    );
    assert!(!with_password.stderr().contains("s3cret"));
    let everywhere = Tool::new(&home)
        .args(["simulator", "--listen", "0.0.0.0:0"])
        .run()
        .expect_code(2);
    assert!(
        everywhere.stderr().contains("--listen-any"),
        "{}",
        everywhere.stderr()
    );
}

#[test]
fn of_two_overlapping_runs_of_one_config_only_one_acts() {
    let email = "locked@example.com";
    // The first run is held on its way to the setting, signed in: it surely overlaps the
    // second, whatever the machine's speed.
    let sim = Sim::with_account(email, json!({}));
    let held = HeldSettingPage::of(&sim, [email]);
    let home = Home::new();
    let optout = || {
        Tool::new(&home)
            .against(&sim, email)
            .args(["optout", "--json"])
    };
    let mut first = optout().spawn();
    wait_for("the first run to sign in", Duration::from_secs(60), || {
        sim.account(email).sign_ins == 1 || !first.is_running()
    });
    assert!(first.is_running(), "the first run ended early");
    let second = optout().run().expect_code(1);
    assert!(
        second
            .stderr()
            .contains("another run for this config is in progress"),
        "{}",
        second.stderr()
    );
    drop(held);
    first.finish().expect_code(0);
    // The refused run never reached LinkedIn: one sign-in, one save.
    assert_eq!(sim.account(email).sign_ins, 1);
    assert_eq!(sim.account(email).setting_writes, 1);
    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 1, "{history}");
}

#[test]
fn the_demo_opts_out_its_account_by_walking() {
    let home = Home::new();
    let run = Tool::new(&home)
        .arg("demo")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .run()
        .expect_code(0);
    let stdout = run.stdout();
    assert!(
        stdout.contains("before:     the server says the setting is on (0 saves accepted)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("after:      the server says the setting is off (1 save accepted)"),
        "{stdout}"
    );
    assert!(
        run.stderr().contains("walking: Data privacy"),
        "{}",
        run.stderr()
    );
}

/// Ctrl-C or SIGTERM in the middle of a run: exit 130, browser and driver gone.
#[test]
fn an_interrupted_run_closes_the_browser_and_the_driver() {
    // As `kill` names them.
    for signal in ["INT", "TERM"] {
        let email = "interrupted@example.com";
        // Slow pages: the run is surely still in the browser when the signal comes.
        let sim = Sim::with_account(email, json!({"faults": {"latency_ms": 2000}}));
        let home = Home::new();
        let running = Tool::new(&home).against(&sim, email).arg("optout").spawn();
        crate::common::wait_for(
            "the run's browser to start",
            std::time::Duration::from_secs(30),
            || {
                crate::common::processes_of(running.tag())
                    .iter()
                    .any(|p| p.contains("chrom") && p.contains("--headless"))
            },
        );
        let kill = std::process::Command::new("kill")
            .args([format!("-{signal}"), running.child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let run = running.finish();
        assert_eq!(run.code(), 130, "{signal}: {}", run.stderr());
        assert!(run.stderr().contains("interrupted"), "{}", run.stderr());
        assert_eq!(sim.account(email).setting_writes, 0);
    }
}

#[test]
fn the_notify_command_hears_of_a_setting_found_on() {
    let email = "notify@example.com";
    let sim = Sim::with_account(email, json!({}));
    let home = Home::new();
    let heard = home.path().join("heard.json");
    Tool::new(&home)
        .against(&sim, email)
        .args([
            "optout",
            "--notify-command",
            &format!("cat > '{}'", heard.display()),
        ])
        .run()
        .expect_code(0);
    let message: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&heard).expect("the command ran")).unwrap();
    assert_eq!(message["reports"][0]["account"], email, "{message}");
    assert_eq!(message["reports"][0]["before"], "on", "{message}");
    assert_eq!(message["reports"][0]["outcome"], "opted_out", "{message}");
    // What it heard is what happened on the server.
    let server = sim.account(email);
    assert_eq!(server.spec.ai_training, AiTraining::Off, "{server:?}");
    assert_eq!(server.setting_writes, 1, "{server:?}");
}

/// `simulator --json` says where it listens as one object, the first line it prints.
#[test]
fn the_simulator_says_where_it_listens_in_json() {
    let home = Home::new();
    let (mut child, line) =
        start_simulator(Tool::new(&home).args(["simulator", "--json", "--listen", "127.0.0.1:0"]));
    child.kill().unwrap();
    child.wait().unwrap();
    let said: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("{line:?}: {err}"));
    let base_url = said["base_url"]
        .as_str()
        .unwrap_or_else(|| panic!("{said}"));
    let address = base_url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{said}"));
    assert_ne!(address, "0", "{said}");
    assert_eq!(said.as_object().unwrap().len(), 1, "{said}");
}
