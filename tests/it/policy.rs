//! The policy watch: `policy check` reads the simulator's public privacy policy in a real
//! browser and reports each link to a settings page or a help form that the tool does not
//! know once, then never again; the same page under another form (a query string, a trailing
//! slash, the `/s/` family) is no news. A policy page gone, redesigned beyond recognition,
//! failing or out of reach is a warning, never a failed run: in `policy check`, in `doctor
//! --policy` and in the scheduled run, which checks it once a week. What was served is proven
//! from the simulator's own count.

use linkedin_sim::PolicyShape;
use serde_json::{Value, json};

use crate::common::{Home, Sim, Tool};

const AI_AGENTS: &str = "/mypreferences/d/settings/data-for-ai-agents";

/// `policy check` against `base`, with `extra` arguments.
fn check<'h>(home: &'h Home, base: &str, extra: &[&str]) -> Tool<'h> {
    Tool::new(home)
        .args(["--base-url", base, "policy", "check"])
        .args(extra.iter().copied())
}

fn compared(links: &Value) -> Vec<&str> {
    links
        .as_array()
        .unwrap()
        .iter()
        .map(|link| link["compared_as"].as_str().unwrap())
        .collect()
}

/// The warning lines a run wrote.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("could not check LinkedIn's privacy policy"))
        .collect()
}

#[test]
fn a_new_link_is_reported_once_then_not_again() {
    let (sim, home) = (Sim::start(&[]), Home::new());
    let base = sim.base_url();
    // The policy as LinkedIn publishes it: every watched link known, whatever its form.
    let report = check(&home, &base, &["--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(
        report["page_url"],
        json!(format!("{base}legal/privacy-policy"))
    );
    assert_eq!(report["status"], json!("checked"));
    assert_eq!(report["new_links"], json!([]));
    assert_eq!(report["earlier_links"], json!([]));
    assert_eq!(report["warning"], json!(null));
    assert!(report["known_links"].as_u64().unwrap() >= 15, "{report}");
    assert_eq!(sim.policy().views, 1);

    // LinkedIn links a settings page and a form that nothing here knows (the page twice,
    // under other forms), and pages the tool knows under forms it has not seen.
    sim.add_policy_link(AI_AGENTS, "Data for AI agents");
    sim.add_policy_link(
        "/mypreferences/s/settings/Data-For-AI-Agents/?li_theme=light",
        "AI agents",
    );
    sim.add_policy_link("/help/linkedin/ask/TS-AIAG", "Object to AI agents");
    sim.add_policy_link(
        "/mypreferences/m/settings/ads-by-age/?trk=policy",
        "Age range",
    );
    sim.add_policy_link("/help/linkedin/ask/ts-dpro#form", "Objection form");
    let run = check(&home, &base, &["--json"]).run().expect_code(3);
    let report = run.report();
    assert_eq!(
        compared(&report["new_links"]),
        [
            "/mypreferences/*/settings/data-for-ai-agents",
            "/help/linkedin/ask/ts-aiag"
        ],
        "{report}"
    );
    assert_eq!(
        report["new_links"][0],
        json!({
            "url": format!("{base}{}", &AI_AGENTS[1..]),
            "compared_as": "/mypreferences/*/settings/data-for-ai-agents",
            "text": "Data for AI agents"
        })
    );
    assert_eq!(report["earlier_links"], json!([]));

    // Told once: the next check has nothing new, and names what it told before apart.
    let report = check(&home, &base, &["--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(report["new_links"], json!([]));
    assert_eq!(
        compared(&report["earlier_links"]),
        [
            "/mypreferences/*/settings/data-for-ai-agents",
            "/help/linkedin/ask/ts-aiag"
        ]
    );

    // As text: only the new link, and where the told ones are kept.
    sim.add_policy_link("/psettings/ai-agents", "Old settings page");
    let run = check(&home, &base, &[]).run().expect_code(3);
    let out = run.stdout();
    assert!(
        out.contains("links 1 page that the tool does not know; 2 it does not know were reported by an earlier check"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  {base}psettings/ai-agents  \"Old settings page\"\n"
        )),
        "{out}"
    );
    assert!(!out.contains("data-for-ai-agents"), "{out}");
    let seen = home.state_dir().join("seen/policy-links.json");
    assert!(out.contains(&seen.display().to_string()), "{out}");
    // Nothing new under `--quiet`: nothing on stdout, no warning.
    let run = check(&home, &base, &["--quiet"]).run().expect_code(0);
    assert_eq!(run.stdout(), "");
    assert!(warnings(&run.stderr()).is_empty(), "{}", run.stderr());
    assert_eq!(sim.policy().views, 5);

    // What was told is kept in a private file.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&seen).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_policy_page_gone_unrecognisable_or_unreachable_is_a_warning_not_a_failure() {
    let (sim, home) = (Sim::start(&[]), Home::new());
    let base = sim.base_url();
    for (shape, status, why) in [
        (PolicyShape::NotFound, "not_recognised", "HTTP 404"),
        (
            PolicyShape::Unrecognisable,
            "not_recognised",
            "changed beyond recognition",
        ),
        (PolicyShape::ServerError, "unreachable", "HTTP 503"),
    ] {
        sim.set_policy_shape(shape);
        let run = check(&home, &base, &["--json"]).run().expect_code(0);
        let report = run.report();
        assert_eq!(report["status"], json!(status), "{shape:?}: {report}");
        assert_eq!(report["new_links"], json!([]));
        let warning = report["warning"].as_str().unwrap();
        assert!(warning.contains(why), "{shape:?}: {warning}");
        assert_eq!(warnings(&run.stderr()).len(), 1, "{}", run.stderr());
        if shape != PolicyShape::ServerError {
            // What the browser saw is saved for whoever updates the watch.
            assert!(
                warning.contains("what the browser saw is saved in"),
                "{warning}"
            );
        }
    }
    // No site at all.
    let run = check(&home, "http://127.0.0.1:9/", &["--json"])
        .run()
        .expect_code(0);
    assert_eq!(run.report()["status"], json!("unreachable"));
    assert_eq!(warnings(&run.stderr()).len(), 1, "{}", run.stderr());

    // In `doctor --policy` it is one warning among the checks, whatever the others say.
    sim.set_policy_shape(PolicyShape::Unrecognisable);
    let (policy, others) = doctor_policy(&home, &base);
    assert_eq!(policy["status"], json!("warn"), "{policy}");
    assert_eq!(policy["exit_code"], json!(0));
    assert!(
        policy["detail"]
            .as_str()
            .unwrap()
            .contains("changed beyond recognition"),
        "{policy}"
    );
    assert!(others);
}

#[test]
fn doctor_policy_tells_a_new_link_once_as_a_warning() {
    let (sim, home) = (Sim::start(&[]), Home::new());
    let base = sim.base_url();
    let (policy, _) = doctor_policy(&home, &base);
    assert_eq!(policy["status"], json!("ok"), "{policy}");
    sim.add_policy_link(AI_AGENTS, "Data for AI agents");
    let (policy, others) = doctor_policy(&home, &base);
    assert_eq!(policy["status"], json!("warn"), "{policy}");
    assert!(
        policy["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{base}{}", &AI_AGENTS[1..])),
        "{policy}"
    );
    assert!(others);
    // The same record as `policy check`'s: told once.
    let report = check(&home, &base, &["--json"])
        .run()
        .expect_code(0)
        .report();
    assert_eq!(
        compared(&report["earlier_links"]),
        ["/mypreferences/*/settings/data-for-ai-agents"]
    );
    // `doctor` alone never loads the policy.
    let views = sim.policy().views;
    Tool::new(&home)
        .args(["--base-url", &base, "doctor", "--json"])
        .run();
    assert_eq!(sim.policy().views, views);
}

/// `doctor --policy --json`: its policy check, and whether the run's exit code is that of the
/// other checks alone (the policy check never changes it).
fn doctor_policy(home: &Home, base: &str) -> (Value, bool) {
    let run = Tool::new(home)
        .args(["--base-url", base, "doctor", "--policy", "--json"])
        .run();
    let checks = run.json_lines();
    let policy = checks
        .iter()
        .find(|check| check["check"] == json!("privacy policy"))
        .unwrap_or_else(|| panic!("no policy check: {}", run.stdout()))
        .clone();
    let others = checks
        .iter()
        .filter(|check| check["check"] != json!("privacy policy"))
        .map(|check| check["exit_code"].as_i64().unwrap())
        .max()
        .unwrap();
    (policy, i64::from(run.code()) == others)
}

#[test]
fn the_scheduled_run_checks_the_policy_once_a_week_and_says_what_is_new_under_quiet() {
    let email = "policy-weekly@example.com";
    let (sim, home) = (Sim::with_account(email, json!({})), Home::new());
    sim.add_policy_link(AI_AGENTS, "Data for AI agents");
    // One scheduled run (exit 0 whatever the policy says), and the policy's servings so far.
    let scheduled = || {
        let run = Tool::new(&home)
            .against(&sim, email)
            .args(["optout", "--quiet", "--watch-policy"])
            .run()
            .expect_code(0);
        (run.stderr(), sim.policy().views)
    };
    let told = format!(
        "  {}{}  \"Data for AI agents\"",
        sim.base_url(),
        &AI_AGENTS[1..]
    );
    let (stderr, views) = scheduled();
    assert_eq!(
        sim.account(email).spec.ai_training,
        linkedin_sim::AiTraining::Off
    );
    assert_eq!(views, 1);
    assert!(stderr.contains(&told), "{stderr}");
    // Within the week: not loaded again.
    let (stderr, views) = scheduled();
    assert_eq!(views, 1);
    assert!(!stderr.contains("data-for-ai-agents"), "{stderr}");

    // A week later (the record's last check set back), the run looks again: nothing new.
    let age_the_record = || {
        let path = home.state_dir().join("seen/policy-links.json");
        let mut record: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for page in record["pages"].as_object_mut().unwrap().values_mut() {
            page["last_check"] = json!("2026-01-01T00:00:00Z");
        }
        std::fs::write(&path, record.to_string()).unwrap();
    };
    age_the_record();
    let (stderr, views) = scheduled();
    assert_eq!(views, 2);
    assert!(!stderr.contains("data-for-ai-agents"), "{stderr}");

    // The page gone: the run still ends as its switches do, with one warning.
    age_the_record();
    sim.set_policy_shape(PolicyShape::NotFound);
    let (stderr, views) = scheduled();
    assert_eq!(views, 3);
    assert_eq!(warnings(&stderr).len(), 1, "{stderr}");

    // Without `--watch-policy`, a run never loads the policy.
    age_the_record();
    Tool::new(&home)
        .against(&sim, email)
        .arg("optout")
        .run()
        .expect_code(0);
    assert_eq!(sim.policy().views, 3);
}
