//! `schedule install|show|remove` against the real crontab of the user running the tests,
//! and the deployment files (`docker-compose.yml`) checked by `docker-compose config`.
//!
//! The crontab is shared by every test here: `SavedCrontab` serializes them and puts the
//! user's crontab back as it was, even when a test fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::common::{Home, Tool};

static CRONTAB: Mutex<()> = Mutex::new(());

/// Lines of someone else's that must survive every change byte for byte.
const OTHERS: &str = "MAILTO=\"\"\n# keep this comment  \n17 3 * * * /bin/true # not ours\n\n";

/// The user's crontab, taken for one test and restored when dropped.
struct SavedCrontab {
    before: Option<String>,
    _turn: MutexGuard<'static, ()>,
}

impl SavedCrontab {
    fn take() -> SavedCrontab {
        let turn = CRONTAB.lock().unwrap_or_else(PoisonError::into_inner);
        crate::common::require("crontab", "apt-get install cron");
        let output = Command::new("crontab")
            .arg("-l")
            .output()
            .expect("crontab runs");
        let before = output
            .status
            .success()
            .then(|| String::from_utf8(output.stdout).unwrap());
        SavedCrontab {
            before,
            _turn: turn,
        }
    }
}

impl Drop for SavedCrontab {
    fn drop(&mut self) {
        match &self.before {
            Some(text) => set_crontab(text),
            None => {
                let _ = Command::new("crontab")
                    .arg("-r")
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

fn set_crontab(text: &str) {
    let mut child = Command::new("crontab")
        .arg("-")
        .stdin(Stdio::piped())
        .spawn()
        .expect("crontab runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "crontab - refused:\n{text}"
    );
}

fn crontab() -> String {
    let output = Command::new("crontab").arg("-l").output().unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn config(home: &Home) -> PathBuf {
    home.path().join("config.toml")
}

fn marker(config: &Path) -> String {
    linkedin_optout::schedule::marker(config)
}

/// Our lines in the crontab and the crontab without them.
fn ours_and_theirs(config: &Path) -> (Vec<String>, String) {
    let marker = marker(config);
    let text = crontab();
    let (ours, theirs): (Vec<&str>, Vec<&str>) = text
        .split_inclusive('\n')
        .partition(|line| line.trim_end().ends_with(&marker));
    (
        ours.iter().map(|l| l.trim_end().to_string()).collect(),
        theirs.concat(),
    )
}

#[test]
fn install_adds_one_marked_line_and_keeps_every_other_line() {
    let _saved = SavedCrontab::take();
    set_crontab(OTHERS);
    let home = Home::new();
    let config = config(&home);
    let credentials = home.path().join("credentials.toml");
    let install = || {
        Tool::new(&home)
            .args(["schedule", "install", "--at", "07:30", "--every", "daily"])
            .args(["--config", config.to_str().unwrap()])
            .args(["--account", "a@example.com", "--account", "b@example.com"])
            .args(["--base-url", "http://127.0.0.1:9/"])
            .args(["--credentials-file", credentials.to_str().unwrap()])
            .run()
            .expect_code(0)
    };
    let run = install();
    let (ours, theirs) = ours_and_theirs(&config);
    assert_eq!(theirs, OTHERS);
    assert_eq!(ours.len(), 1, "{}", crontab());
    let line = &ours[0];
    assert!(run.stdout().contains(line.as_str()), "{}", run.stdout());
    assert!(run.stdout().contains("next run: "), "{}", run.stdout());

    let fields: Vec<&str> = line.split_whitespace().collect();
    let minute: u32 = fields[0].parse().unwrap();
    assert!((30..=39).contains(&minute), "{line}");
    assert_eq!(fields[1..5], ["7", "*", "*", "*"], "{line}");
    assert!(fields[5].starts_with("PATH="), "{line}");
    assert!(line.contains(" XDG_RUNTIME_DIR=/run/user/"), "{line}");
    let program = std::fs::canonicalize(env!("CARGO_BIN_EXE_linkedin-optout")).unwrap();
    let expected = format!(
        " {} optout --quiet --watch-policy --config {} --account a@example.com --account b@example.com --base-url http://127.0.0.1:9/ --credentials-file {} >> {} 2>&1 {}",
        program.display(),
        config.display(),
        credentials.display(),
        home.state_dir().join("cron.log").display(),
        marker(&config)
    );
    assert!(
        line.ends_with(&expected),
        "{line}\nexpected the end:\n{expected}"
    );
    // The log's directory exists, or the shell would fail before the tool starts.
    assert!(home.state_dir().is_dir());

    install();
    let (ours, theirs) = ours_and_theirs(&config);
    assert_eq!(theirs, OTHERS);
    assert_eq!(
        ours.len(),
        1,
        "installing again replaces the line:\n{}",
        crontab()
    );
}

#[test]
fn show_prints_the_line_and_its_next_run_then_remove_takes_only_it() {
    let _saved = SavedCrontab::take();
    set_crontab(OTHERS);
    let home = Home::new();
    let config = config(&home);
    let config_arg = ["--config", config.to_str().unwrap()];
    let other_home = Home::new();
    let other_config = other_home.path().join("config.toml");

    Tool::new(&home)
        .args(["schedule", "install", "--every", "6h"])
        .args(config_arg)
        .run()
        .expect_code(0);
    // Another config's line coexists with ours.
    Tool::new(&other_home)
        .args(["schedule", "install", "--every", "weekly"])
        .args(["--config", other_config.to_str().unwrap()])
        .run()
        .expect_code(0);

    let show = Tool::new(&home)
        .args(["schedule", "show"])
        .args(config_arg)
        .run()
        .expect_code(0);
    let (ours, _) = ours_and_theirs(&config);
    let stdout = show.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", show.stdout());
    assert_eq!(lines[0], ours[0]);
    assert!(lines[1].starts_with("next run: "), "{}", show.stdout());
    assert!(
        ours[0].split_whitespace().nth(1).unwrap().ends_with("/6"),
        "{}",
        ours[0]
    );

    Tool::new(&home)
        .args(["schedule", "remove"])
        .args(config_arg)
        .run()
        .expect_code(0);
    let (ours, theirs) = ours_and_theirs(&config);
    assert!(ours.is_empty());
    let (other, rest) = ours_and_theirs(&other_config);
    assert_eq!(other.len(), 1, "the other config's line stays:\n{theirs}");
    assert_eq!(rest, OTHERS);

    let show = Tool::new(&home)
        .args(["schedule", "show"])
        .args(config_arg)
        .run()
        .expect_code(1);
    assert!(
        show.stderr().contains("no schedule installed for config")
            && show.stderr().contains("linkedin-optout schedule install"),
        "{}",
        show.stderr()
    );
    // Removing what is not there is not an error.
    Tool::new(&home)
        .args(["schedule", "remove"])
        .args(config_arg)
        .run()
        .expect_code(0);
}

#[test]
fn an_uneven_every_is_a_usage_error_and_changes_nothing() {
    let _saved = SavedCrontab::take();
    set_crontab(OTHERS);
    let home = Home::new();
    for every in ["7m", "5h", "fortnightly"] {
        let run = Tool::new(&home)
            .args(["schedule", "install", "--every", every])
            .run()
            .expect_code(2);
        assert!(run.stderr().contains("divide"), "{}", run.stderr());
    }
    Tool::new(&home)
        .args(["schedule", "install", "--at", "25:00"])
        .run()
        .expect_code(2);
    assert_eq!(crontab(), OTHERS);
}

/// Issue 15: cron cuts a line at a `%` (and at `\\%`), so no value carrying one is ever
/// written into the line; the crontab stays as it was.
#[test]
fn a_percent_in_any_value_is_refused() {
    let _saved = SavedCrontab::take();
    set_crontab(OTHERS);
    let home = Home::new();
    for args in [
        &["--account", r"a\%b@example.com"][..],
        &["--account", "a%b@example.com"][..],
        &["--account", "a@example.com", "--notify-command", "date +%s"][..],
    ] {
        let run = Tool::new(&home)
            .args(["schedule", "install"])
            .args(args.iter().copied())
            .run()
            .expect_code(2);
        assert!(run.stderr().contains("`%`"), "{args:?}: {}", run.stderr());
    }
    assert_eq!(crontab(), OTHERS);
}

/// Issue 15: `schedule show` compares the installed line with the one it would write now.
#[test]
fn show_says_when_the_installed_line_is_stale_or_broken() {
    let _saved = SavedCrontab::take();
    set_crontab(OTHERS);
    let home = Home::new();
    let config = config(&home);
    let config_arg = ["--config", config.to_str().unwrap()];
    Tool::new(&home)
        .args(["schedule", "install", "--account", "a@example.com"])
        .args(config_arg)
        .run()
        .expect_code(0);
    let show = |account: &str, code: i32| {
        Tool::new(&home)
            .args(["schedule", "show", "--account", account])
            .args(config_arg)
            .run()
            .expect_code(code)
    };
    let same = show("a@example.com", 0);
    assert!(!same.stderr().contains("stale"), "{}", same.stderr());
    assert!(!same.stderr().contains("broken"), "{}", same.stderr());
    let other = show("b@example.com", 0);
    assert!(
        other.stderr().contains("stale") && other.stderr().contains("schedule install"),
        "{}",
        other.stderr()
    );
    // A line that cron cuts: a `\` before a `%`, as an older version could write.
    let (ours, _) = ours_and_theirs(&config);
    let cut = ours[0].replace("a@example.com", r"'a\\%b@example.com'");
    set_crontab(&format!("{OTHERS}{cut}\n"));
    let broken = show("a@example.com", 1);
    assert!(
        broken.stderr().contains("broken") && broken.stderr().contains("cron cuts this line"),
        "{}",
        broken.stderr()
    );
}

/// `docker-compose config` validates the file with its defaults and with the `grid` profile.
#[test]
fn docker_compose_file_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for profile in [&[][..], &["--profile", "grid"][..]] {
        let output = Command::new(crate::common::require(
            "docker-compose",
            "apt-get install docker-compose",
        ))
        .current_dir(root)
        .env("LINKEDIN_OPTOUT_ACCOUNT", "you@example.com")
        .args(profile)
        .args(["config", "-q"])
        .output()
        .expect("docker-compose runs (Debian: apt install docker-compose)");
        assert!(
            output.status.success(),
            "docker-compose {profile:?} config:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn json_says_what_install_show_and_remove_did_and_the_line_carries_every_option_of_a_run() {
    let _saved = SavedCrontab::take();
    set_crontab(OTHERS);
    let home = Home::new();
    let config = config(&home);
    let artifacts = home.path().join("artifacts");
    let options = [
        "--setting",
        "ads-by-age",
        "--setting",
        "all",
        "--timeout",
        "45",
        "--artifacts-dir",
        artifacts.to_str().unwrap(),
    ];
    // `schedule ARGS --json` for this config, with `options` or without.
    let schedule = |args: &[&str], options: &[&str]| {
        Tool::new(&home)
            .arg("schedule")
            .args(args.iter().copied())
            .args(["--json", "--config", config.to_str().unwrap()])
            .args(options.iter().copied())
            .run()
    };
    let install = schedule(&["install", "--every", "daily"], &options).expect_code(0);
    let (ours, theirs) = ours_and_theirs(&config);
    assert_eq!(theirs, OTHERS);
    assert_eq!(ours.len(), 1, "{}", crontab());
    let line = &ours[0];
    assert!(
        line.contains(&format!(
            " --timeout 45 --artifacts-dir {} ",
            artifacts.display()
        )),
        "{line}"
    );
    assert!(
        line.contains(" --setting ads-by-age --setting all "),
        "the switches chosen: {line}"
    );
    let installed = install.json_lines();
    assert_eq!(installed.len(), 1, "{}", install.stdout());
    assert_eq!(installed[0]["line"], line.as_str());
    assert_eq!(installed[0]["config"], config.to_str().unwrap());
    let next = installed[0]["next_run"].as_str().unwrap();
    assert!(
        next.len() == 25 && next.as_bytes()[10] == b'T',
        "RFC 3339 with an offset: {next}"
    );

    let show = schedule(&["show"], &options).expect_code(0);
    let shown = show.json_lines();
    assert_eq!(shown.len(), 1, "{}", show.stdout());
    assert_eq!(shown[0]["line"], line.as_str());
    assert_eq!(shown[0]["verdict"], "up_to_date", "{}", shown[0]);
    assert_eq!(shown[0]["why"], serde_json::Value::Null);
    // Without the options it was installed with, the line is stale.
    let stale = schedule(&["show"], &[]).expect_code(0);
    assert_eq!(stale.json_lines()[0]["verdict"], "stale");
    assert!(
        stale.json_lines()[0]["why"]
            .as_str()
            .unwrap()
            .contains("--timeout"),
        "{}",
        stale.stdout()
    );

    let remove = schedule(&["remove"], &[]).expect_code(0);
    assert_eq!(remove.json_lines()[0]["removed"], true);
    assert_eq!(crontab(), OTHERS);
    // `delete` is `remove`'s alias.
    let again = schedule(&["delete"], &[]).expect_code(0);
    assert_eq!(again.json_lines()[0]["removed"], false);
    let none = schedule(&["show"], &[]).expect_code(1);
    assert_eq!(none.json_lines()[0]["line"], serde_json::Value::Null);
    assert_eq!(none.json_lines()[0]["verdict"], "not_installed");
    assert!(
        none.stderr().contains("no schedule installed for config"),
        "{}",
        none.stderr()
    );
}

/// `schedule install`'s own flags with hostile values: never a panic, always a documented
/// code; a value it accepts installs a line in the (saved and restored) crontab.
#[test]
fn hostile_values_of_the_schedule_flags_never_panic() {
    let _saved = SavedCrontab::take();
    let mut cases = Vec::new();
    for value in crate::inputs::hostile_values() {
        for flag in ["--at", "--every"] {
            let home = Home::new();
            let config = config(&home);
            let run = Tool::new(&home)
                .args(["schedule", "install", &format!("{flag}={value}")])
                .args(["--config", config.to_str().unwrap()])
                .args(["--account", "hostile@example.com"])
                .args(["--base-url", "http://127.0.0.1:9/"])
                .run();
            cases.push((format!("schedule install {flag}={value:?}"), run));
        }
    }
    crate::inputs::assert_no_panic(&cases);
}
