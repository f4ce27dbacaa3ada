//! Issue 15, "bounded waits and bad input": one test per row of the issue's table (the
//! schedule rows are in `schedule.rs`, next to the crontab they share), then hostile values
//! for every flag, environment variable and config key.
//!
//! A run against a server that accepts and never answers must end within `--timeout` plus a
//! margin. The margin here is `STARTUP_MARGIN`: the WebDriver margin (5 s, README) plus
//! Chromium's start and stop on a loaded 2-core machine. Before the fix such runs took 301 s
//! (a silent site) or never ended (a silent WebDriver server).

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{Home, PASSWORD, Run, Sim, Tool};

const EMAIL: &str = "member@example.com";

/// How much longer than `--timeout` a run against a silent server may take: the WebDriver
/// margin (5 s) and the browser's start and stop.
const STARTUP_MARGIN: Duration = Duration::from_secs(20);

/// The exit codes the README documents: the first column of its "Exit codes" table.
fn documented() -> Vec<i32> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let (_, section) = readme
        .split_once("\n### Exit codes\n")
        .expect("README has an \"Exit codes\" section");
    let section = section.split("\n#").next().unwrap();
    section
        .lines()
        .filter_map(|line| {
            line.strip_prefix('|')?
                .split('|')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .collect()
}

/// The README's table and the tool's own list (`--help`, the man page) are the same codes.
#[test]
fn the_readme_documents_every_exit_code_and_no_other() {
    let known: Vec<i32> = linkedin_optout::error::exit::MEANINGS
        .iter()
        .map(|(code, _)| i32::from(*code))
        .collect();
    assert_eq!(documented(), known);
}

/// A server that accepts every connection and never answers: a hung LinkedIn or a hung
/// WebDriver server. Its thread holds the connections open until the test process ends.
fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    address
}

fn history_lines(home: &Home) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).expect("each history line is a record"))
        .collect()
}

#[test]
fn a_site_that_never_answers_is_unreachable_within_the_timeout() {
    let silent = format!("http://{}", silent_server());
    let home = Home::new();
    let credentials = home.credentials_file(EMAIL, PASSWORD);
    let tool = Tool::new(&home)
        .args(["--base-url", &silent, "--account", EMAIL])
        .args(["--credentials-file", credentials.to_str().unwrap()])
        .args(["status", "--json", "--timeout", "5"]);
    let tag = tool.tag().to_string();
    let started = Instant::now();
    let run = tool.run().expect_code(9);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5) + STARTUP_MARGIN,
        "took {took:?}"
    );
    let report = run.report();
    assert_eq!(report["outcome"], "unreachable", "{report}");
    let message = report["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{silent}/login did not answer within 5 s")),
        "{message}"
    );
    let history = history_lines(&home);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["outcome"], "unreachable");
    crate::common::assert_no_process_left(&tag);
}

#[test]
fn a_webdriver_server_that_never_answers_exits_8_within_the_timeout() {
    let silent = format!("http://{}/", silent_server());
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let tool = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["--webdriver", &silent])
        .args(["status", "--json", "--timeout", "5"]);
    let tag = tool.tag().to_string();
    let started = Instant::now();
    let run = tool.run().expect_code(8);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5) + STARTUP_MARGIN,
        "took {took:?}"
    );
    let message = run.report()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains(&format!(
            "the WebDriver server at {silent} did not answer within 10 s"
        )),
        "{message}"
    );
    assert_eq!(sim.account(EMAIL).requests, 0);
    let history = history_lines(&home);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["outcome"], "error");
    crate::common::assert_no_process_left(&tag);
    // The run let go of its lock: the next one is not told another run is in progress.
    Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--json"])
        .run()
        .expect_code(3);
}

/// Runs the binary with `args` in a fresh home and returns the run.
fn refused(args: &[&str]) -> Run {
    let home = Home::new();
    Tool::new(&home).args(args.iter().copied()).run()
}

#[test]
fn a_timeout_out_of_range_is_a_usage_error() {
    for timeout in ["18446744073709551615", "0", "3601", "-1", "ten"] {
        let flag = format!("--timeout={timeout}");
        let run = refused(&["status", "--account", EMAIL, &flag]).expect_code(2);
        assert!(
            run.stderr().contains("--timeout") && run.stderr().contains("1 to 3600"),
            "{timeout}: {}",
            run.stderr()
        );
    }
    let home = Home::new();
    home.write_config("timeout = 0\n");
    let run = Tool::new(&home)
        .args(["status", "--account", EMAIL])
        .run()
        .expect_code(2);
    let config = home.config_file().display().to_string();
    assert!(
        run.stderr().contains(&config) && run.stderr().contains("line 1, `timeout` = 0"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_base_url_that_is_not_http_is_a_usage_error() {
    for url in [
        "javascript:alert(1)",
        "ftp://x",
        "file:///etc/passwd",
        "http://",
    ] {
        let run = refused(&["status", "--account", EMAIL, "--base-url", url]).expect_code(2);
        assert!(
            run.stderr().contains("--base-url"),
            "{url}: {}",
            run.stderr()
        );
        let run = refused(&["status", "--account", EMAIL, "--webdriver", url]).expect_code(2);
        assert!(
            run.stderr().contains("--webdriver"),
            "{url}: {}",
            run.stderr()
        );
    }
    // From the environment: the variable is named.
    let home = Home::new();
    let run = Tool::new(&home)
        .env("LINKEDIN_OPTOUT_BASE_URL", "javascript:alert(1)")
        .args(["status", "--account", EMAIL])
        .run()
        .expect_code(2);
    assert!(
        run.stderr().contains("LINKEDIN_OPTOUT_BASE_URL"),
        "{}",
        run.stderr()
    );
    // From the config file: the file and the key are named.
    let home = Home::new();
    home.write_config(
        "[[account]]\nemail = \"a@example.com\"\nbase_url = \"file:///etc/passwd\"\n",
    );
    let run = Tool::new(&home).arg("status").run().expect_code(2);
    assert!(
        run.stderr()
            .contains(&home.config_file().display().to_string())
            && run.stderr().contains("line 3, `base_url`")
            && run.stderr().contains("only `http://` and `https://`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_unterminated_history_line_does_not_swallow_the_next_record() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    std::fs::create_dir_all(home.state_dir()).unwrap();
    let earlier = r#"{"time":"2026-04-01T07:31:00Z","account":"member@example.com","before":"on","after":"off","outcome":"opted_out","changed":true,"duration_ms":9000,"version":"0.1.0","message":"switched off"}"#;
    // No newline at the end: a crash, a copy, an editor.
    std::fs::write(home.state_dir().join("history.jsonl"), earlier).unwrap();
    Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--json"])
        .run()
        .expect_code(3);
    let history = Tool::new(&home)
        .args(["history", "--json"])
        .run()
        .expect_code(0);
    let records = history.json_lines();
    assert_eq!(records.len(), 2, "{}", history.stdout());
    assert_eq!(records[0]["outcome"], "opted_out");
    assert_eq!(records[1]["outcome"], "would_opt_out");
    assert!(
        !history.stderr().contains("skipping"),
        "{}",
        history.stderr()
    );
}

#[test]
fn a_history_line_that_is_not_utf8_is_skipped_with_a_warning() {
    let home = Home::new();
    std::fs::create_dir_all(home.state_dir()).unwrap();
    let record = |day: u8| {
        format!(
            r#"{{"time":"2026-04-0{day}T07:31:00Z","account":"a@example.com","before":"off","after":"off","outcome":"already_off","changed":false,"duration_ms":9,"version":"0.1.0","message":""}}"#
        )
    };
    let mut file = std::fs::File::create(home.state_dir().join("history.jsonl")).unwrap();
    writeln!(file, "{}", record(1)).unwrap();
    file.write_all(b"{\"time\": \"\xff\xfe\n").unwrap();
    writeln!(file, "{}", record(3)).unwrap();
    drop(file);
    let run = Tool::new(&home)
        .args(["history", "--json"])
        .run()
        .expect_code(0);
    assert_eq!(run.json_lines().len(), 2, "{}", run.stdout());
    assert!(run.stderr().contains("line 2"), "{}", run.stderr());
    assert_eq!(
        run.stderr().matches("line 2").count(),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn an_error_prints_its_whole_chain() {
    let home = Home::new();
    // The history cannot be read: it is a link to itself. The message must carry the OS's
    // reason as well as what the tool was doing and where.
    std::fs::create_dir_all(home.state_dir()).unwrap();
    let history = home.state_dir().join("history.jsonl");
    std::os::unix::fs::symlink(&history, &history).unwrap();
    let run = Tool::new(&home).args(["history"]).run().expect_code(1);
    assert!(
        run.stderr()
            .contains(&format!("reading the history {}: ", history.display()))
            && run.stderr().contains("(os error 40)"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_account_with_a_line_break_is_refused() {
    let run = refused(&["status", "--account", "member@example.com\nx"]).expect_code(2);
    assert!(
        run.stderr().contains("the account contains a line break"),
        "{}",
        run.stderr()
    );
    let home = Home::new();
    home.write_config("[[account]]\nemail = \"a\\u0007@example.com\"\n");
    let run = Tool::new(&home).arg("status").run().expect_code(2);
    assert!(
        run.stderr().contains("control character")
            && run
                .stderr()
                .contains(&home.config_file().display().to_string()),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_email_longer_than_rfc_5321_allows_is_refused_at_once() {
    let email = format!("{}@example.com", "a".repeat(10_000));
    let run = refused(&["status", "--account", &email]).expect_code(2);
    assert!(run.stderr().contains("at most 320"), "{}", run.stderr());
    assert!(
        run.stderr().len() < 1_000,
        "{} bytes of stderr",
        run.stderr().len()
    );
}

fn cool_down_file(home: &Home, email: &str) -> std::path::PathBuf {
    home.state_dir().join("cooldown").join(email)
}

#[test]
fn a_cool_down_is_capped_and_says_where_it_is_kept() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let record = cool_down_file(&home, EMAIL);
    std::fs::create_dir_all(record.parent().unwrap()).unwrap();
    std::fs::write(&record, "9999-12-31T23:59:59Z").unwrap();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--json"])
        .run()
        .expect_code(4);
    let message = run.report()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains(&record.display().to_string()) && message.contains("delete that file"),
        "{message}"
    );
    assert!(!message.contains("9999"), "not capped: {message}");
    assert_eq!(sim.account(EMAIL).requests, 0);
    // Cleared as the message says: the next run goes ahead, and is counted where the first
    // was not.
    std::fs::remove_file(&record).unwrap();
    Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--json"])
        .run()
        .expect_code(3);
    assert_ne!(sim.account(EMAIL).requests, 0);
}

#[test]
fn a_damaged_cool_down_record_is_ignored_with_a_warning() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let record = cool_down_file(&home, EMAIL);
    std::fs::create_dir_all(record.parent().unwrap()).unwrap();
    std::fs::write(&record, b"\xff garbage").unwrap();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["status", "--json"])
        .run()
        .expect_code(3);
    assert!(
        run.stderr().contains("damaged sign-in cool-down record")
            && run.stderr().contains(&record.display().to_string()),
        "{}",
        run.stderr()
    );
}

/// Names of the entries of `dir`.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_session_save_leaves_no_temporary_file() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    // With a credentials file the session is kept in the state directory: put a directory
    // where its file goes.
    let sessions = home.state_dir().join("sessions");
    std::fs::create_dir_all(sessions.join(format!("{EMAIL}.json"))).unwrap();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json"])
        .run()
        .expect_code(0);
    assert!(
        run.stderr().contains("cannot keep the browser session"),
        "{}",
        run.stderr()
    );
    assert_eq!(entries(&sessions), [format!("{EMAIL}.json")]);
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::Off);
}

/// Hostile values: empty, blank, negative, zero, huge, control characters, other schemes,
/// `%`, paths out of the tree, 10 000 characters.
pub(crate) fn hostile_values() -> Vec<String> {
    let long = "x".repeat(10_000);
    let long_email = format!("{long}@example.com");
    [
        "",
        " ",
        "-1",
        "0",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999",
        "a\u{7}b",
        "a\nb",
        "a\rb",
        "\u{1b}[31m",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://x",
        "http://",
        "http://[::1",
        "%",
        "a\\%b@example.com",
        "../../../etc/passwd",
        "🦀@🦀",
        &long,
        &long_email,
    ]
    .map(str::to_string)
    .to_vec()
}

/// The browser is never reached by these runs: no password is stored, and the WebDriver
/// address refuses connections.
const NO_BROWSER: [&str; 2] = ["--webdriver", "http://127.0.0.1:9/"];

/// The exit code is never a panic's 101 and always documented, and no value floods stderr.
#[track_caller]
pub(crate) fn assert_no_panic(cases: &[(String, Run)]) {
    let documented = documented();
    for (case, run) in cases {
        let code = run.code();
        assert_ne!(code, 101, "{case} panicked: {}", run.stderr());
        assert!(
            documented.contains(&code),
            "{case}: undocumented exit code {code}: {}",
            run.stderr()
        );
        assert!(
            !run.stderr().contains("panicked") && !run.stderr().contains("this is a bug"),
            "{case}: {}",
            run.stderr()
        );
        // A path or a command may be quoted by the message that names it, and by the shell
        // that ran it; nothing is repeated beyond that.
        assert!(
            run.stderr().len() < 24_000,
            "{case}: {} bytes of stderr",
            run.stderr().len()
        );
    }
}

#[test]
fn hostile_values_of_every_flag_never_panic() {
    let flags = [
        "--account",
        "--base-url",
        "--webdriver",
        "--browser",
        "--timeout",
        "--config",
        "--credentials-file",
        "--artifacts-dir",
        "--browser-arg",
        "--parallel",
        "--notify-command",
    ];
    let mut cases = Vec::new();
    for value in hostile_values() {
        for flag in flags {
            let home = Home::new();
            let run = Tool::new(&home)
                .args(NO_BROWSER)
                .args(["--account", "hostile@example.test"])
                .args(["status", &format!("{flag}={value}")])
                .run();
            cases.push((format!("{flag}={value:?}"), run));
        }
    }
    assert_no_panic(&cases);
}

#[test]
fn hostile_values_of_every_environment_variable_never_panic() {
    let mut cases = Vec::new();
    for value in hostile_values() {
        for variable in [
            "LINKEDIN_OPTOUT_BASE_URL",
            "LINKEDIN_OPTOUT_WEBDRIVER",
            "LINKEDIN_OPTOUT_CONFIG",
            "LINKEDIN_OPTOUT_INSECURE_WEBDRIVER",
            "LINKEDIN_OPTOUT_DRIVER_LOCATIONS",
            "LINKEDIN_OPTOUT_RUN_BOUND",
        ] {
            let home = Home::new();
            let mut tool = Tool::new(&home).env(variable, &value);
            if variable != "LINKEDIN_OPTOUT_WEBDRIVER" {
                tool = tool.args(NO_BROWSER);
            }
            let run = tool
                .args(["status", "--account", "hostile@example.test"])
                .run();
            cases.push((format!("{variable}={value:?}"), run));
        }
    }
    assert_no_panic(&cases);
}

#[test]
fn hostile_values_of_every_config_key_never_panic() {
    let mut documents: Vec<String> = Vec::new();
    for value in hostile_values() {
        let quoted = toml_quote(&value);
        for key in [
            "base_url",
            "webdriver",
            "browser",
            "timeout",
            "artifacts_dir",
            "notify_command",
            "allow_base_url",
            "receipts_keep",
        ] {
            documents.push(format!("{key} = {quoted}\n"));
        }
        documents.push(format!("browser_args = [{quoted}]\n"));
        documents.push(format!("[[account]]\nemail = {quoted}\n"));
        documents.push(format!(
            "[[account]]\nemail = \"a@example.com\"\nbase_url = {quoted}\n"
        ));
        documents.push(format!(
            "[[account]]\nemail = \"a@example.com\"\nbrowser = {quoted}\n"
        ));
    }
    for number in ["-1", "0", "3601", "18446744073709551615", "1e400", "nan"] {
        documents.push(format!("timeout = {number}\n"));
        documents.push(format!("receipts_keep = {number}\n"));
    }
    documents.push(
        "[[account]]\nemail = \"a@example.com\"\n[[account]]\nemail = \"a@example.com\"\n"
            .to_string(),
    );
    let mut cases = Vec::new();
    for document in documents {
        let home = Home::new();
        // The first `webdriver` wins in the tests of that key: TOML refuses a key twice.
        let text = if document.starts_with("webdriver") {
            document.clone()
        } else {
            format!("webdriver = \"http://127.0.0.1:9/\"\n{document}")
        };
        home.write_config(&text);
        let run = Tool::new(&home).arg("status").run();
        cases.push((format!("config {document:?}"), run));
    }
    assert_no_panic(&cases);
}

/// `value` as a TOML basic string.
fn toml_quote(value: &str) -> String {
    let mut quoted = String::from("\"");
    for ch in value.chars() {
        match ch {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The simulator's own flags: a value it refuses ends the command with a documented code; one
/// it accepts starts the server (its first line says where it listens), which is then stopped.
#[test]
fn hostile_values_of_the_simulators_flags_never_panic() {
    let mut cases = Vec::new();
    for value in hostile_values() {
        for flag in ["--listen", "--state", "--password-file", "--account"] {
            let home = Home::new();
            let mut tool = Tool::new(&home).args(["simulator", &format!("{flag}={value}")]);
            if flag != "--listen" {
                tool = tool.args(["--listen", "127.0.0.1:0"]);
            }
            let mut child = tool
                .command()
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            // Either the first line of a server that accepted it, or the end of a refusal.
            let mut first = String::new();
            std::io::BufRead::read_line(
                &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
                &mut first,
            )
            .unwrap();
            if first.starts_with("listening on http://") {
                child.kill().unwrap();
                child.wait().unwrap();
                continue;
            }
            let output = child.wait_with_output().unwrap();
            cases.push((format!("simulator {flag}={value:?}"), Run { output }));
        }
    }
    assert!(!cases.is_empty(), "every hostile value was accepted");
    assert_no_panic(&cases);
}
