//! The one test builder every integration test uses (after `just`'s `Test`): it runs the real
//! `linkedin-optout` binary in an isolated home, with the keyring of the test's D-Bus session,
//! and checks that the run left no driver or browser process behind.

pub mod driver;
pub mod sim;
pub mod terminal;
pub mod wait;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tempfile::TempDir;

pub use driver::Chromedriver;
pub use sim::{PASSWORD, Sim};
pub use terminal::Terminal;
pub use wait::wait_for;

/// A home directory of its own: config, state and artifacts of one test never meet another's.
pub struct Home {
    dir: TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("a temporary home"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_file(&self) -> PathBuf {
        self.path().join(".config/linkedin-optout/config.toml")
    }

    /// Writes the config file, creating its directory.
    pub fn write_config(&self, text: &str) {
        let config = self.config_file();
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(config, text).unwrap();
    }

    pub fn state_dir(&self) -> PathBuf {
        self.path().join(".local/state/linkedin-optout")
    }

    /// The records of the history file, oldest first (none when there is no file).
    pub fn history(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.state_dir().join("history.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// Writes a credentials file (mode 0600) for `email` and returns its path.
    pub fn credentials_file(&self, email: &str, password: &str) -> PathBuf {
        let path = self.path().join(format!("credentials-{email}.toml"));
        std::fs::write(
            &path,
            format!("email = {email:?}\npassword = {password:?}\n"),
        )
        .unwrap();
        set_mode(&path, 0o600);
        path
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// An account no other test (or earlier run) uses, deleted from the keyring when dropped.
pub struct Account {
    pub email: String,
}

impl Account {
    pub fn new(test: &str) -> Account {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Account {
            email: format!("{test}-{}-{nanos}@example.test", std::process::id()),
        }
    }
}

impl Account {
    /// `credentials set --password-stdin` for this account, `stdin` as typed.
    pub fn set_password(&self, home: &Home, stdin: &str) -> Run {
        self.set(home, stdin, &[])
    }

    /// `credentials set --password-stdin --totp-secret-stdin`: `stdin` holds the password,
    /// then the TOTP secret, a line each.
    pub fn set_password_and_totp(&self, home: &Home, stdin: &str) -> Run {
        self.set(home, stdin, &["--totp-secret-stdin"])
    }

    fn set(&self, home: &Home, stdin: &str, extra: &[&str]) -> Run {
        Tool::new(home)
            .args([
                "credentials",
                "set",
                "--account",
                &self.email,
                "--password-stdin",
            ])
            .args(extra.iter().copied())
            .stdin(stdin)
            .run()
    }

    /// An account known to `sim` with `options` and the test password, stored in the
    /// keyring (and so recorded in `home`'s config file).
    pub fn on_sim(test: &str, sim: &Sim, home: &Home, options: serde_json::Value) -> Account {
        let account = Account::new(test);
        let mut spec = serde_json::json!({"password": PASSWORD});
        if let (Some(spec), Some(options)) = (spec.as_object_mut(), options.as_object()) {
            spec.extend(options.clone());
        }
        sim.put(&account.email, spec);
        account
            .set_password(home, &format!("{PASSWORD}\n"))
            .expect_code(0);
        account
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let home = Home::new();
        Tool::new(&home)
            .args(["credentials", "delete", "--account", &self.email])
            .run();
    }
}

/// Holds the setting's page of some accounts of a simulator (its `hold_setting_page` fault):
/// their runs sign in, then wait there, for a test that acts while they run. Dropping it lets
/// them go, however the test ends.
pub struct HeldSettingPage<'s> {
    sim: &'s Sim,
    emails: Vec<String>,
}

impl<'s> HeldSettingPage<'s> {
    pub fn of<I, S>(sim: &'s Sim, emails: I) -> HeldSettingPage<'s>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let emails: Vec<String> = emails.into_iter().map(Into::into).collect();
        for email in &emails {
            sim.put(
                email,
                serde_json::json!({"faults": {"hold_setting_page": true}}),
            );
        }
        HeldSettingPage { sim, emails }
    }
}

impl Drop for HeldSettingPage<'_> {
    fn drop(&mut self) {
        for email in &self.emails {
            self.sim.put(
                email,
                serde_json::json!({"faults": {"hold_setting_page": false}}),
            );
        }
    }
}

/// One run of the binary, built up then run once.
#[must_use]
pub struct Tool<'h> {
    home: &'h Home,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    removed_envs: Vec<String>,
    kept_envs: Option<Vec<String>>,
    stdin: Option<String>,
    tag: String,
}

impl<'h> Tool<'h> {
    pub fn new(home: &'h Home) -> Tool<'h> {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let tag = format!(
            "{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        );
        Tool {
            home,
            args: Vec::new(),
            envs: Vec::new(),
            removed_envs: Vec::new(),
            kept_envs: None,
            stdin: None,
            tag,
        }
    }

    /// Points the tool at `sim` and signs `email` in with the simulator's test password,
    /// read from a credentials file.
    pub fn against(self, sim: &Sim, email: &str) -> Self {
        let credentials = self.home.credentials_file(email, PASSWORD);
        self.args(["--base-url", &sim.base_url(), "--account", email])
            .arg("--credentials-file")
            .arg(credentials.to_str().unwrap())
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// A machine without a browser driver, wherever a package puts one: `PATH` holds only an
    /// empty directory, and the list of well-known places is empty.
    pub fn without_driver(self) -> Self {
        let empty = self.home.path().join("empty-bin");
        std::fs::create_dir_all(&empty).unwrap();
        self.env("PATH", empty.to_str().unwrap())
            .env(DRIVER_LOCATIONS, "")
    }

    /// A machine whose only browser driver sits at `driver`, a place not on `PATH`; the
    /// browser itself stays on `PATH`.
    pub fn with_driver_only_at(self, driver: &Path) -> Self {
        let browser = require("chromium", "apt-get install chromium");
        let bin = self.home.path().join("browser-bin");
        std::fs::create_dir_all(&bin).unwrap();
        let _ = std::os::unix::fs::symlink(browser, bin.join("chromium"));
        self.env("PATH", bin.to_str().unwrap())
            .env(DRIVER_LOCATIONS, driver.to_str().unwrap())
    }

    pub fn env_remove(mut self, key: impl Into<String>) -> Self {
        self.removed_envs.push(key.into());
        self
    }

    /// Starts from an empty environment but for these variables (as cron does); the home's
    /// own variables and `.env` ones are still set.
    pub fn env_clear_except<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.kept_envs = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    pub fn stdin(mut self, input: impl Into<String>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// The tag the run's processes carry (see `assert_no_process_left`).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The command as it will run, for tests that need to start it themselves.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_linkedin-optout"));
        let home = self.home.path();
        if let Some(kept) = &self.kept_envs {
            command.env_clear();
            for key in kept {
                if let Some(value) = std::env::var_os(key) {
                    command.env(key, value);
                }
            }
        }
        command
            .args(&self.args)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env_remove("LINKEDIN_OPTOUT_BASE_URL")
            .env_remove("LINKEDIN_OPTOUT_WEBDRIVER")
            .env_remove("LINKEDIN_OPTOUT_INSECURE_WEBDRIVER")
            .env_remove("LINKEDIN_OPTOUT_CONFIG")
            .env_remove(DRIVER_LOCATIONS)
            .env_remove("CREDENTIALS_DIRECTORY")
            .env_remove("RUST_LOG")
            // Inherited by the driver and the browser: how `run` finds what they left behind.
            .env(PROCESS_TAG, &self.tag);
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        for key in &self.removed_envs {
            command.env_remove(key);
        }
        command
    }

    /// Starts the run in the background (stdin closed, output kept), for a test that acts
    /// while it runs; `Running::finish` ends it as `run` does.
    pub fn spawn(self) -> Running {
        let child = self
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        Running {
            child,
            tag: self.tag,
        }
    }

    /// Runs to the end and returns what it printed.
    pub fn run(self) -> Run {
        let mut command = self.command();
        command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the binary starts");
        if let Some(input) = &self.stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().expect("the binary runs");
        assert_no_process_left(&self.tag);
        Run { output }
    }
}

/// A run started by `Tool::spawn`.
pub struct Running {
    pub child: Child,
    tag: String,
}

impl Running {
    /// The tag the run's processes carry (see `assert_no_process_left`).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Whether the run is still going.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("the run's status").is_none()
    }

    /// Waits for the end and returns what it printed; like `Tool::run`, fails the test if a
    /// process the run started outlives it.
    pub fn finish(self) -> Run {
        let output = self.child.wait_with_output().expect("the binary runs");
        assert_no_process_left(&self.tag);
        Run { output }
    }
}

/// The directory that a failure message names as holding what the browser saw.
#[track_caller]
pub fn artifacts_dir(message: &str) -> PathBuf {
    message
        .rsplit_once("what the browser saw is in ")
        .and_then(|(_, rest)| rest.split_once(": attach "))
        .map(|(dir, _)| PathBuf::from(dir))
        .unwrap_or_else(|| panic!("no artifacts named: {message}"))
}

/// What one run did.
pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().expect("exited, not killed")
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect_code(self, expected: i32) -> Run {
        assert_eq!(
            self.code(),
            expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// The `--json` lines printed on stdout.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout()
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    /// The one `--json` line of a single-account run.
    #[track_caller]
    pub fn report(&self) -> serde_json::Value {
        let mut lines = self.json_lines();
        assert_eq!(
            lines.len(),
            1,
            "one JSON line\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        lines.remove(0)
    }
}

const PROCESS_TAG: &str = "LINKEDIN_OPTOUT_TEST_TAG";
/// The tool's list of places to look for a driver after `PATH` (see `browser::driver`).
const DRIVER_LOCATIONS: &str = "LINKEDIN_OPTOUT_DRIVER_LOCATIONS";

/// The path of `program` on this machine's `PATH`: a test states what it needs, and fails
/// with the install line when the machine does not have it (scripts/test.sh installs all).
#[track_caller]
pub fn require(program: &str, install: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("this test needs `{program}`: {install}"))
}

/// Fails when any process started by a run (driver, browser) outlives it. Processes the
/// tool killed may take a moment to go, hence a short deadline.
#[track_caller]
pub fn assert_no_process_left(tag: &str) {
    let wanted = format!("{PROCESS_TAG}={tag}");
    wait_for(
        "the run's processes to go",
        Duration::from_secs(10),
        || match tagged_processes(&wanted) {
            left if left.is_empty() => Ok(()),
            left => Err(format!("processes left behind by the run: {left:?}")),
        },
    );
}

/// The processes whose parent is `parent`.
pub fn children_of(parent: u32) -> Vec<u32> {
    let parent = parent.to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // pid (comm) state ppid …: the comm can hold spaces, so split after ')'.
            let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
            (ppid == parent).then(|| entry.file_name().to_string_lossy().parse().ok())?
        })
        .collect()
}

/// The command lines of the processes started by the run tagged `tag`.
pub fn processes_of(tag: &str) -> Vec<String> {
    tagged_processes(&format!("{PROCESS_TAG}={tag}"))
}

/// The pids of the processes started by the run tagged `tag` (the tool included).
pub fn pids_of(tag: &str) -> Vec<u32> {
    let wanted = format!("{PROCESS_TAG}={tag}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            environ
                .split(|b| *b == 0)
                .any(|kv| kv == wanted.as_bytes())
                .then_some(pid)
        })
        .collect()
}

/// The command lines of the processes whose environment holds `wanted` (`KEY=VALUE`).
fn tagged_processes(wanted: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            let tagged = environ.split(|b| *b == 0).any(|kv| kv == wanted.as_bytes());
            tagged.then(|| {
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            })
        })
        .collect()
}
