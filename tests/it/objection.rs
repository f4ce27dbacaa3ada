//! `objection`: the route for data already used (LinkedIn's Data Processing Objection Form,
//! its deletion request and its Data Protection Officer, an objection text naming each
//! account, "Get a copy of your data"), and `--open`, which
//! shows the form in a visible browser (under Xvfb) signed in with the saved session and
//! never sends it: proven from the simulator's own counts.
#![cfg(target_os = "linux")]

use std::io::{BufRead as _, BufReader, Read};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::common::{Home, Sim, Tool, pids_of, wait_for};
use crate::login::Xvfb;

const FORM: &str = "help/linkedin/ask/TS-DPRO";
const DELETION_FORM: &str = "help/linkedin/ask/TS-DDF";
const DPO_FORM: &str = "help/linkedin/ask/TSO-DPO";
const COPY_OF_DATA: &str = "mypreferences/d/download-my-data";

#[test]
fn objection_names_each_selected_account_in_text_and_json() {
    let home = Home::new();
    let base = "http://127.0.0.1:9/";
    let (one, two) = ("first@example.com", "second@example.com");
    let run = Tool::new(&home)
        .args(["--base-url", base, "--account", one, "--account", two])
        .args(["objection", "--json"])
        .run()
        .expect_code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2, "{}", run.stdout());
    for (line, account) in lines.iter().zip([one, two]) {
        assert_eq!(line["account"], json!(account));
        assert_eq!(line["form_url"], json!(format!("{base}{FORM}")));
        assert_eq!(
            line["deletion_form_url"],
            json!(format!("{base}{DELETION_FORM}"))
        );
        assert_eq!(line["dpo_form_url"], json!(format!("{base}{DPO_FORM}")));
        assert_eq!(
            line["copy_of_data_url"],
            json!(format!("{base}{COPY_OF_DATA}"))
        );
        let text = line["text"].as_str().unwrap();
        assert!(text.contains("generative AI"), "{text}");
        // For members in the UK, whoever they are: the tool does not know the region.
        assert!(
            text.contains(
                "sharing my data with Microsoft for the training of Microsoft's own AI models"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(&format!("My LinkedIn account: {account}.")),
            "{text}"
        );
        assert_eq!(line.as_object().unwrap().len(), 6, "{line}");
    }
    // The same as text, for one account.
    let run = Tool::new(&home)
        .args(["--base-url", base, "--account", one, "objection"])
        .run()
        .expect_code(0);
    let out = run.stdout();
    for path in [FORM, DELETION_FORM, DPO_FORM, COPY_OF_DATA] {
        assert!(out.contains(&format!("  {base}{path}\n")), "{out}");
    }
    assert!(
        out.starts_with(
            "Switching off covers only later use: data LinkedIn has already used stays used."
        ),
        "{out}"
    );
    assert!(
        out.contains("(TS-DDF)") && out.contains("(TSO-DPO)"),
        "{out}"
    );
    assert!(
        out.contains(&format!("My LinkedIn account: {one}.")),
        "{out}"
    );
    assert!(!out.contains(two), "{out}");
    assert!(run.stderr().is_empty(), "{}", run.stderr());
}

#[test]
fn without_an_account_the_text_holds_a_placeholder_and_says_so() {
    let home = Home::new();
    let run = Tool::new(&home).arg("objection").run().expect_code(0);
    let out = run.stdout();
    assert!(
        out.contains("  https://www.linkedin.com/help/linkedin/ask/TS-DPRO\n"),
        "{out}"
    );
    assert!(
        out.contains("My LinkedIn account: [your LinkedIn account's email address]."),
        "{out}"
    );
    assert!(
        run.stderr().contains("no account is configured: replace"),
        "{}",
        run.stderr()
    );
    let run = Tool::new(&home)
        .args(["objection", "--json"])
        .run()
        .expect_code(0);
    assert_eq!(run.report()["account"], json!(null));
}

#[test]
fn open_without_a_display_says_what_to_do_before_anything_starts() {
    let email = "objection-nodisplay@example.com";
    let (sim, home) = (Sim::with_account(email, json!({})), Home::new());
    let run = Tool::new(&home)
        .against(&sim, email)
        .args(["objection", "--open"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .run()
        .expect_code(2);
    assert!(run.stderr().contains("needs a display"), "{}", run.stderr());
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert_eq!(sim.account(email).requests, 0);
    // One form, one browser: several accounts are a usage error, said before anything else.
    let run = Tool::new(&home)
        .args(["--account", "a@example.com", "--account", "b@example.com"])
        .args(["objection", "--open"])
        .run()
        .expect_code(2);
    assert!(run.stderr().contains("exactly one"), "{}", run.stderr());
    assert!(run.stdout().is_empty(), "{}", run.stdout());
}

#[test]
fn open_shows_the_form_signed_in_with_the_saved_session_and_never_sends_it() {
    let email = "objection-open@example.com";
    let (sim, home) = (Sim::with_account(email, json!({})), Home::new());
    Tool::new(&home)
        .against(&sim, email)
        .arg("login")
        .run()
        .expect_code(0);
    assert_eq!(sim.account(email).sign_ins, 1);
    let opened = open_then_close(&sim, &home, email);
    assert_eq!(opened["signed_in_with"], json!("saved_session"));
    let account = sim.account(email);
    assert_eq!(account.objection_submits, 0, "the tool sent the form");
    assert_eq!(account.sign_ins, 1, "the tool signed in again");
}

#[test]
fn open_without_a_saved_session_signs_in_once_and_keeps_the_session() {
    let email = "objection-signin@example.com";
    let (sim, home) = (Sim::with_account(email, json!({})), Home::new());
    let opened = open_then_close(&sim, &home, email);
    assert_eq!(opened["signed_in_with"], json!("password"));
    assert_eq!(sim.account(email).objection_submits, 0);
    assert_eq!(sim.account(email).sign_ins, 1);
    // The session it kept lets the next run in without the password.
    Tool::new(&home)
        .against(&sim, email)
        .arg("status")
        .run()
        .expect_code(3);
    assert_eq!(sim.account(email).sign_ins, 1, "status signed in again");
}

/// Runs `objection --open --json` under Xvfb, waits until the form is shown and the tool
/// waits for the member, closes the browser as the member would, and returns the `--open`
/// object after checking the rest of the output. The run's processes are all gone after.
fn open_then_close(sim: &Sim, home: &Home, email: &str) -> serde_json::Value {
    let xvfb = Xvfb::start();
    let open = Tool::new(home)
        .against(sim, email)
        .args(["objection", "--open", "--json"])
        .env("DISPLAY", &xvfb.display);
    let tag = open.tag().to_string();
    let mut running = open.spawn();
    let stderr = Lines::of(running.child.stderr.take().unwrap());
    wait_for(
        "the tool to wait for the member",
        Duration::from_secs(60),
        || {
            assert!(running.is_running(), "the tool ended: {}", stderr.all());
            stderr
                .all()
                .contains("the form is open in the browser window")
        },
    );
    // The member's browser shows the form, signed in: the server served it to the member.
    assert_eq!(sim.account(email).objection_form_views, 1);
    assert!(running.is_running());
    let browser = main_browser(&tag).expect("the visible browser runs");
    // The member closes the browser (as its window's close button does: the browser quits).
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &browser.to_string()])
            .status()
            .unwrap()
            .success()
    );
    // `finish` also fails the test if the driver or the browser outlives the run.
    let run = running.finish();
    assert_eq!(run.code(), 0, "{}", stderr.all());
    assert!(!stderr.all().contains("failed"), "{}", stderr.all());
    let mut lines = run.json_lines();
    assert_eq!(lines.len(), 2, "{}", run.stdout());
    assert_eq!(lines[0]["account"], json!(email));
    let opened = lines.remove(1);
    assert_eq!(opened["account"], json!(email));
    assert_eq!(
        opened["form_url"],
        json!(format!("{}{FORM}", sim.base_url()))
    );
    assert_eq!(opened["closed_by"], json!("member"));
    opened
}

/// What a running tool writes to a stream, gathered as it comes.
struct Lines(Arc<Mutex<String>>);

impl Lines {
    fn of(stream: impl Read + Send + 'static) -> Lines {
        let text = Arc::new(Mutex::new(String::new()));
        let gathered = Arc::clone(&text);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let mut text = gathered.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        Lines(text)
    }

    fn all(&self) -> String {
        self.0.lock().unwrap().clone()
    }
}

/// The browser's main process among the run's (no `--type=`: renderers and helpers have one).
fn main_browser(tag: &str) -> Option<u32> {
    pids_of(tag).into_iter().find(|pid| {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        let program = cmdline.split('\0').next().unwrap_or_default();
        program.contains("chrom")
            && !program.contains("chromedriver")
            && !cmdline.contains("--type=")
    })
}
