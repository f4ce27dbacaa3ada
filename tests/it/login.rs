//! `login`: a headless sign-in that keeps the session, a clear word when `--headed` has no
//! display, and a person getting through a checkpoint in a visible browser (under Xvfb),
//! with the approval given through the simulator as the person's phone would.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use linkedin_sim::AiTraining;
use serde_json::json;

use crate::common::{Home, Sim, Tool, wait_for};

#[test]
fn login_keeps_the_session_for_later_runs() {
    let email = "login@example.com";
    let (sim, home) = (Sim::with_account(email, json!({})), Home::new());
    let run = Tool::new(&home)
        .against(&sim, email)
        .arg("login")
        .run()
        .expect_code(0);
    assert!(
        run.stdout().contains("the session is kept"),
        "{}",
        run.stdout()
    );
    assert_session_kept(&sim, &home, email);
}

#[test]
fn login_json_names_the_account_whose_session_is_kept() {
    let email = "loginjson@example.com";
    let (sim, home) = (Sim::with_account(email, json!({})), Home::new());
    let run = Tool::new(&home)
        .against(&sim, email)
        .args(["login", "--json"])
        .run()
        .expect_code(0);
    assert_eq!(
        run.json_lines(),
        [json!({"account": email, "session_kept": true})]
    );
    assert_session_kept(&sim, &home, email);
}

/// One sign-in on the server, and the kept session is real: the next run does not sign in
/// again.
fn assert_session_kept(sim: &Sim, home: &Home, email: &str) {
    assert_eq!(sim.account(email).sign_ins, 1);
    Tool::new(home)
        .against(sim, email)
        .arg("status")
        .run()
        .expect_code(3);
    assert_eq!(sim.account(email).sign_ins, 1, "status signed in again");
}

#[test]
fn headed_without_a_display_says_what_to_do() {
    let email = "nodisplay@example.com";
    let sim = Sim::with_account(email, json!({}));
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, email)
        .args(["login", "--headed"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .run()
        .expect_code(2);
    assert!(run.stderr().contains("needs a display"), "{}", run.stderr());
    // Said before anything started: LinkedIn never saw a request.
    assert_eq!(sim.account(email).requests, 0);
}

/// A virtual X display, stopped when dropped.
pub(crate) struct Xvfb {
    child: Child,
    pub(crate) display: String,
}

impl Xvfb {
    pub(crate) fn start() -> Xvfb {
        // A display no other X server holds (its lock file says so).
        let number = (90..400)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .expect("a free X display number");
        let xvfb = crate::common::require("Xvfb", "apt-get install xvfb");
        let mut child = Command::new(xvfb)
            .args([
                format!(":{number}").as_str(),
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "1280x900x24",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        let socket = format!("/tmp/.X11-unix/X{number}");
        wait_for("Xvfb to open its socket", Duration::from_secs(10), || {
            assert!(child.try_wait().unwrap().is_none(), "Xvfb exited");
            Path::new(&socket).exists()
        });
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM lets Xvfb remove its lock file and socket for the next test run.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[test]
fn a_person_gets_through_a_checkpoint_in_the_visible_browser() {
    let email = "approve@example.com";
    let sim = Sim::with_account(email, json!({"checkpoint": "app_approval"}));
    let home = Home::new();
    let xvfb = Xvfb::start();
    let login = Tool::new(&home)
        .against(&sim, email)
        .args(["login", "--headed"])
        .env("DISPLAY", &xvfb.display)
        .spawn();
    // The person approves on their phone once LinkedIn asks.
    wait_for(
        "the tool to reach the approval page",
        Duration::from_secs(60),
        || sim.approve(email),
    );
    login.finish().expect_code(0);
    assert_eq!(sim.account(email).sign_ins, 1);
    // The session it kept lets the next run in without the checkpoint.
    Tool::new(&home)
        .against(&sim, email)
        .arg("optout")
        .run()
        .expect_code(0);
    assert_eq!(sim.account(email).sign_ins, 1);
    assert_eq!(sim.account(email).spec.ai_training, AiTraining::Off);
}
