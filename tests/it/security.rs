//! Nobody else reaches the session (README, "Security"): another local user, a sign-in page
//! on another origin, a base URL or a WebDriver server the password must not go to, a config
//! someone else can change.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{HeldSettingPage, Home, PASSWORD, Sim, Tool, pids_of, set_mode, wait_for};

const EMAIL: &str = "security@example.com";

/// A second, unprivileged local user for the length of a test, removed when dropped.
struct OtherUser {
    name: String,
    uid: u32,
    gid: u32,
}

impl OtherUser {
    fn create() -> OtherUser {
        // SAFETY: geteuid has no preconditions.
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "this test creates a second local user: run it as root (scripts/test.sh does)"
        );
        let name = format!("lo-spy-{}", std::process::id());
        let created = Command::new("useradd")
            .args([
                "--no-create-home",
                "--shell",
                "/bin/sh",
                "--user-group",
                &name,
            ])
            .status()
            .expect("useradd runs (Debian: apt-get install passwd)");
        assert!(created.success(), "useradd {name} failed");
        let id = |flag: &str| -> u32 {
            let out = Command::new("id").args([flag, &name]).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
        };
        let (uid, gid) = (id("-u"), id("-g"));
        assert_ne!(uid, 0);
        OtherUser { name, uid, gid }
    }

    /// Runs `script` with `sh` as this user, from `/`; returns its exit status and stdout.
    fn run(&self, script: &str) -> (bool, String) {
        let output = Command::new("setpriv")
            .args([
                &format!("--reuid={}", self.uid),
                &format!("--regid={}", self.gid),
                "--clear-groups",
                "--",
                "sh",
                "-c",
                script,
            ])
            .current_dir("/")
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .expect("setpriv runs (util-linux)");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }
}

impl Drop for OtherUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// A TCP port some process listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listening {
    pid: u32,
    /// `127.0.0.1`, `[::1]`…, as a URL host.
    host: String,
    port: u16,
}

/// Every TCP port (IPv4 and IPv6) that one of `pids` listens on, found as root through the
/// socket inodes in `/proc/<pid>/fd`.
fn listening_ports(pids: &[u32]) -> Vec<Listening> {
    let mut found = Vec::new();
    for (table, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 || fields[3] != "0A" {
                continue;
            }
            let (address, port) = fields[1].split_once(':').unwrap();
            let port = u16::from_str_radix(port, 16).unwrap();
            let socket = format!("socket:[{}]", fields[9]);
            let host = match (v6, address) {
                (false, "0100007F") => "127.0.0.1".to_string(),
                (false, "00000000") => "0.0.0.0".to_string(),
                (true, "00000000000000000000000001000000") => "[::1]".to_string(),
                (true, "00000000000000000000000000000000") => "[::]".to_string(),
                (_, other) => format!("unexpected-{other}"),
            };
            for &pid in pids {
                let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                    continue;
                };
                let holds = fds.flatten().any(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|target| target.to_string_lossy() == socket)
                });
                if holds {
                    found.push(Listening {
                        pid,
                        host: host.clone(),
                        port,
                    });
                }
            }
        }
    }
    found
}

fn command_line(pid: u32) -> String {
    String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default())
        .replace('\0', " ")
}

/// The proof: a second local user watches a whole run (signed in, the browser open) and
/// gets at nothing. The run's only listening port is the driver's, which answers that user
/// only "unhandled request" (HTTP 4xx); no DevTools endpoint exists; the secret path is gone from the
/// driver's command line; the profile is private; nothing shows the password or `li_at`.
#[test]
fn another_local_user_reaches_neither_the_browser_nor_the_session() {
    let spy = OtherUser::create();
    let sim = Sim::with_account(EMAIL, json!({}));
    let held = HeldSettingPage::of(&sim, [EMAIL]);
    let home = Home::new();
    let runtime = tempfile::tempdir().unwrap();
    set_mode(runtime.path(), 0o700);
    // The profile a killed run left behind (no pid reaches 99999999): swept at this start.
    let dead = runtime.path().join("linkedin-optout-profile-99999999-left");
    std::fs::create_dir(&dead).unwrap();
    std::fs::write(dead.join("Cookies"), "li_at").unwrap();
    let tool = Tool::new(&home)
        .against(&sim, EMAIL)
        .env("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())
        .env(
            "CREDENTIALS_DIRECTORY",
            home.path().join("no-credentials").to_str().unwrap(),
        )
        .args(["optout", "--json"]);
    let mut running = tool.spawn();
    // Signed in, and held on the way to the setting: the session is live in the browser.
    wait_for("the run to sign in", Duration::from_secs(60), || {
        sim.account(EMAIL).sign_ins == 1 || !running.is_running()
    });
    assert!(running.is_running(), "the run ended early");

    let pids = pids_of(running.tag());
    let ports = listening_ports(&pids);
    let driver_pids: Vec<u32> = pids
        .iter()
        .copied()
        .filter(|pid| command_line(*pid).contains("chromedriver"))
        .collect();
    assert_eq!(driver_pids.len(), 1, "one driver: {pids:?}");
    assert!(
        ports.iter().any(|l| l.host == "127.0.0.1"),
        "the driver listens on 127.0.0.1: {ports:?}"
    );
    assert!(
        ports.iter().all(|l| l.pid == driver_pids[0]),
        "only the driver listens (no DevTools port): {ports:?}"
    );

    // The browser gets neither the keyring's bus nor systemd's credentials, though the tool
    // has the bus (the tests run inside a D-Bus session); no process of the run dumps core.
    let environ = |pid: u32| {
        String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default())
            .replace('\0', "\n")
    };
    let tool_pid = running.child.id();
    let bus = environ(tool_pid)
        .lines()
        .find(|line| line.starts_with("DBUS_SESSION_BUS_ADDRESS=unix:"))
        .expect("the tool has the session bus")
        .to_string();
    for &pid in pids.iter().filter(|pid| **pid != tool_pid) {
        // (Chromium's own children get `DBUS_SESSION_BUS_ADDRESS=disabled:`.)
        let env = environ(pid);
        assert!(
            !env.contains(&bus) && !env.contains("CREDENTIALS_DIRECTORY="),
            "{}: {env}",
            command_line(pid)
        );
    }
    for &pid in &pids {
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
        let core = limits
            .lines()
            .find(|line| line.starts_with("Max core file size"))
            .unwrap_or_default();
        assert!(
            core.split_whitespace()
                .skip(4)
                .take(2)
                .all(|limit| limit == "0"),
            "{}: {core}",
            command_line(pid)
        );
    }

    // What the other user sees of every process on the machine, and of the run's.
    let (_, everything) = spy.run(
        r#"for p in /proc/[0-9]*; do printf '%s: ' "${p#/proc/}"; tr '\0' ' ' < "$p/cmdline" 2>/dev/null; echo; done"#,
    );
    assert!(
        !everything.contains(PASSWORD),
        "the password in a command line"
    );
    let seen: String = everything
        .lines()
        .filter(|line| {
            line.split_once(':')
                .and_then(|(pid, _)| pid.parse::<u32>().ok())
                .is_some_and(|pid| pids.contains(&pid))
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let driver_line = seen
        .lines()
        .find(|line| line.contains("chromedriver") && line.contains("--url-base=/"))
        .unwrap_or_else(|| panic!("the other user sees the driver's command line:\n{seen}"));
    let secret_shown = driver_line
        .split("--url-base=/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    assert_eq!(
        secret_shown,
        "x".repeat(32),
        "the driver's secret path is hidden: {driver_line}"
    );
    let browser_line = seen
        .lines()
        .find(|line| line.contains("--user-data-dir=") && line.contains("--remote-debugging-pipe"))
        .unwrap_or_else(|| panic!("a browser on a DevTools pipe:\n{seen}"));
    assert!(!seen.contains("--remote-debugging-port"), "{seen}");
    assert!(
        browser_line.contains("--disable-crash-reporter"),
        "{browser_line}"
    );
    let profile = PathBuf::from(
        browser_line
            .split("--user-data-dir=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap(),
    );
    assert!(profile.starts_with(runtime.path()), "{}", profile.display());
    assert!(!dead.exists(), "a dead run's profile is swept");
    let mode = std::fs::metadata(&profile).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{}", profile.display());
    let (listed, _) = spy.run(&format!("ls '{}'", profile.display()));
    assert!(!listed, "the other user lists the profile");

    // Every port of the run, every way in a local user would try.
    for listening in &ports {
        let base = format!("http://{}:{}", listening.host, listening.port);
        for path in [
            "/json/version",
            "/json/list",
            "/sessions",
            "/status",
            &format!("/{secret_shown}/sessions"),
        ] {
            let (_, answer) = spy.run(&format!(
                "curl -s -m 5 -w ' HTTP=%{{http_code}}' '{base}{path}'"
            ));
            // chromedriver outside its base path: "unhandled request", HTTP 400 or 404.
            assert!(
                answer.starts_with("unhandled request HTTP=4"),
                "{base}{path} answers the other user: {answer}"
            );
            for secret in ["webSocketDebuggerUrl", "sessionId", "li_at", PASSWORD] {
                assert!(!answer.contains(secret), "{base}{path}: {answer}");
            }
        }
    }
    assert!(
        running.is_running(),
        "the run was watched while it was running"
    );

    drop(held);
    running.finish().expect_code(0);
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::Off);
    assert!(!profile.exists(), "the profile is removed at the end");
}

/// A sign-in page that redirects to another origin (here the same simulator under another
/// name, a perfect look-alike) stops the run with exit 6 before anything is typed.
#[test]
fn a_sign_in_page_on_another_origin_gets_nothing_typed() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let port = url::Url::parse(&sim.base_url()).unwrap().port().unwrap();
    let elsewhere = format!("http://localhost:{port}");
    sim.put(EMAIL, json!({"login_redirect_origin": elsewhere}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json"])
        .run()
        .expect_code(6);
    let report = run.report();
    assert_eq!(report["outcome"], "page_not_understood", "{report}");
    let message = report["message"].as_str().unwrap();
    assert!(message.contains(&elsewhere), "{message}");
    assert!(message.contains("nothing was typed"), "{message}");
    let account = sim.account(EMAIL);
    assert_eq!(account.sign_ins, 0, "{account:?}");
    assert_eq!(account.spec.ai_training, AiTraining::On);
    // What the browser saw is kept privately, without the page's CSRF token.
    let saved = crate::common::artifacts_dir(message);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&saved), 0o700);
    assert_eq!(mode(&saved.join("page.html")), 0o600);
    assert_eq!(mode(&saved.join("page.png")), 0o600);
    let html = std::fs::read_to_string(saved.join("page.html")).unwrap();
    assert!(
        html.contains("name=\"csrfToken\""),
        "the sign-in page: {html}"
    );
    for input in html.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap();
        assert!(
            !tag.contains("value="),
            "an input kept its value: <input{tag}>"
        );
    }
}

/// Only the newest 20 failures' artifacts are kept.
#[test]
fn old_artifacts_are_pruned() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let artifacts = home.path().join("artifacts");
    std::fs::create_dir(&artifacts).unwrap();
    set_mode(&artifacts, 0o700);
    for stamp in 1_000..1_025 {
        std::fs::create_dir(artifacts.join(format!("{stamp}-{EMAIL}"))).unwrap();
    }
    // A base URL under which nothing is LinkedIn: the sign-in page is not understood.
    let elsewhere = format!("{}__sim/", sim.base_url());
    let credentials = home.credentials_file(EMAIL, PASSWORD);
    Tool::new(&home)
        .args([
            "--base-url",
            &elsewhere,
            "--account",
            EMAIL,
            "--credentials-file",
        ])
        .arg(credentials.to_str().unwrap())
        .args(["--artifacts-dir", artifacts.to_str().unwrap(), "optout"])
        .run()
        .expect_code(6);
    let mut kept: Vec<String> = std::fs::read_dir(&artifacts)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 20, "{kept:?}");
    assert_eq!(kept[0], format!("1006-{EMAIL}"), "the oldest went first");
    assert!(
        !kept.last().unwrap().starts_with("10"),
        "this run's is kept: {kept:?}"
    );
}

/// A base URL that is neither LinkedIn nor loopback: refused (exit 2) before anything
/// starts; allowed by the flag or the config key, and then named in a warning every run.
#[test]
fn a_base_url_that_is_not_linkedin_needs_allow_base_url() {
    let home = Home::new();
    let look_alike = "https://linkedin.example.test/";
    let refused = Tool::new(&home)
        .args(["--base-url", look_alike, "--account", EMAIL, "history"])
        .run()
        .expect_code(2);
    assert!(
        refused
            .stderr()
            .lines()
            .skip(1)
            .all(|line| line.starts_with("  ")),
        "{}",
        refused.stderr()
    );
    assert!(
        refused
            .stderr()
            .lines()
            .next()
            .unwrap()
            .contains("--allow-base-url"),
        "{}",
        refused.stderr()
    );
    for http_linkedin in [
        "http://www.linkedin.com/",
        "https://linkedin.com.example.test/",
    ] {
        Tool::new(&home)
            .args(["--base-url", http_linkedin, "--account", EMAIL, "history"])
            .run()
            .expect_code(2);
    }
    let allowed = Tool::new(&home)
        .args([
            "--base-url",
            look_alike,
            "--allow-base-url",
            "--account",
            EMAIL,
            "history",
        ])
        .run()
        .expect_code(0);
    assert!(
        allowed
            .stderr()
            .contains("the password goes to https://linkedin.example.test/"),
        "{}",
        allowed.stderr()
    );
    let config = home.config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "allow_base_url = true\nbase_url = {look_alike:?}\n[[account]]\nemail = {EMAIL:?}\n"
        ),
    )
    .unwrap();
    let from_config = Tool::new(&home).arg("history").run().expect_code(0);
    assert!(
        from_config.stderr().contains("not LinkedIn"),
        "{}",
        from_config.stderr()
    );
    let doctor = Tool::new(&home)
        .env("LINKEDIN_OPTOUT_DRIVER_LOCATIONS", "")
        .arg("doctor")
        .run();
    assert!(
        doctor
            .stdout()
            .contains("warn  base URL: the password goes to https://linkedin.example.test/"),
        "{}",
        doctor.stdout()
    );
    assert!(
        doctor.stdout().contains(
            "environment: from the environment: driver locations (LINKEDIN_OPTOUT_DRIVER_LOCATIONS)"
        ),
        "{}",
        doctor.stdout()
    );
    assert!(
        doctor
            .stdout()
            .contains("driver port: no DevTools port (a pipe)"),
        "{}",
        doctor.stdout()
    );
    // The suite runs as root (scripts/test.sh), where Chromium has no sandbox.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert!(
            doctor.stdout().contains("warn  sandbox: running as root"),
            "{}",
            doctor.stdout()
        );
    }
}

/// A config file, or its directory, that someone else can change is refused with the fix.
#[test]
fn a_config_others_can_change_is_refused() {
    let home = Home::new();
    let config = home.config_file();
    home.write_config(&format!("[[account]]\nemail = {EMAIL:?}\n"));
    set_mode(&config, 0o600);
    Tool::new(&home).arg("history").run().expect_code(0);
    set_mode(&config, 0o666);
    let writable = Tool::new(&home).arg("history").run().expect_code(2);
    assert!(
        writable
            .stderr()
            .contains(&format!("`chmod go-w {}`", config.display())),
        "{}",
        writable.stderr()
    );
    set_mode(&config, 0o600);
    set_mode(config.parent().unwrap(), 0o775);
    let dir = Tool::new(&home).arg("history").run().expect_code(2);
    assert!(dir.stderr().contains("chmod go-w"), "{}", dir.stderr());
    set_mode(config.parent().unwrap(), 0o700);
    chown(&config, 4242);
    let foreign = Tool::new(&home).arg("history").run().expect_code(2);
    assert!(
        foreign
            .stderr()
            .contains("owned by another user (uid 4242)"),
        "{}",
        foreign.stderr()
    );
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), None).unwrap();
}

/// Plain http to a WebDriver server on a network is refused (exit 2) unless the member says
/// otherwise; credentials in its URL never show: output, `--json`, debug logs, history, the
/// notify payload.
#[test]
fn clear_text_webdriver_is_refused_and_its_credentials_never_show() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let grid = "http://alice:sekrit@grid.invalid:4444/wd/hub";
    // The first failure of the browser notifies (not only the third in a row).
    home.write_config("notify_after_failures = 1\n");
    let refused = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["--webdriver", grid, "status"])
        .run()
        .expect_code(2);
    assert!(
        refused.stderr().contains("--insecure-webdriver"),
        "{}",
        refused.stderr()
    );
    let payload = home.path().join("notified.json");
    let tried = Tool::new(&home)
        .against(&sim, EMAIL)
        .args([
            "--webdriver",
            grid,
            "--insecure-webdriver",
            "-vv",
            "status",
            "--json",
        ])
        .arg("--notify-command")
        .arg(format!("cat > '{}'", payload.display()))
        .run()
        .expect_code(8);
    let notified = std::fs::read_to_string(&payload).expect("a failed run notifies");
    let report = tried.report();
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("http://grid.invalid:4444/wd/hub/"),
        "{report}"
    );
    // The failed run is recorded: a history that could be missing would check nothing.
    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl"))
        .expect("the failed run is in the history");
    for shown in [
        refused.stdout(),
        refused.stderr(),
        tried.stdout(),
        tried.stderr(),
        history,
        notified,
    ] {
        assert!(!shown.contains("sekrit"), "{shown}");
    }
    // Neither run got a browser to LinkedIn.
    assert_eq!(sim.account(EMAIL).requests, 0);
}

/// An account with `#` could read another account's keyring entries (`EMAIL#totp`).
#[test]
fn an_account_with_a_hash_is_refused() {
    let home = Home::new();
    let run = Tool::new(&home)
        .args([
            "--account",
            "other@example.com#totp",
            "credentials",
            "check",
        ])
        .run()
        .expect_code(2);
    assert!(run.stderr().contains("contains `#`"), "{}", run.stderr());
}

/// A crontab line is readable by more than its owner: a URL with credentials is refused
/// before the crontab is touched, with the way to keep it in the config file instead.
#[test]
fn schedule_install_refuses_a_url_with_credentials() {
    let home = Home::new();
    let run = Tool::new(&home)
        .args(["schedule", "install", "--account", EMAIL])
        .args([
            "--webdriver",
            "https://alice:sekrit@grid.example.test/wd/hub",
        ])
        .run()
        .expect_code(2);
    assert!(run.stderr().contains("config file"), "{}", run.stderr());
    assert!(!run.stderr().contains("sekrit"), "{}", run.stderr());
}

/// Someone else's socket on the driver's port (here a process the fake driver leaves
/// listening there, as a user who bound the port first would): the run stops with exit 8
/// before anything is sent, naming the reason.
#[test]
fn a_port_held_by_another_process_gets_nothing() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    let bin = home.path().join("impostor-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let driver = bin.join("chromedriver");
    std::fs::write(
        &driver,
        format!(
            "#!/bin/sh\nport=${{1#--port=}}\n{} simulator --listen 127.0.0.1:$port >/dev/null 2>&1 &\nexec sleep 60\n",
            env!("CARGO_BIN_EXE_linkedin-optout")
        ),
    )
    .unwrap();
    set_mode(&driver, 0o755);
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("LINKEDIN_OPTOUT_DRIVER_LOCATIONS", "")
        .args(["optout", "--json"])
        .run()
        .expect_code(8);
    let report = run.report();
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("another process listens on its port"),
        "{report}"
    );
    assert_eq!(sim.account(EMAIL).sign_ins, 0);
}
