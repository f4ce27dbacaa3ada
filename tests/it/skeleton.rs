//! The page skeleton: on a page not understood (exit 6) or a save that did not stick
//! (exit 7), a redaction safe to share is saved beside the screenshot and the raw HTML, and
//! `skeleton FILE` gives the same redaction of a saved page.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use linkedin_sim::AiTraining;
use serde_json::{Value, json};

use crate::common::{Home, PASSWORD, Sim, Tool};

const EMAIL: &str = "quintessa.vandermolen@example.com";
const NAME: &str = "Quintessa Vandermolen";
const HEADLINE: &str = "Chief Zeppelin Officer at Hindenburg Holdings";
const PHOTO: &str = "PhotoOfQuintessaXyzzy42";

/// A member whose pages show a distinctive name, headline, email and photo.
fn distinctive(extra: Value) -> Value {
    let mut options = json!({"name": NAME, "headline": HEADLINE, "photo": PHOTO});
    options
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    options
}

/// The directory the run's message names for what the browser saw, and the skeleton's path.
#[track_caller]
fn saved(message: &str) -> (PathBuf, PathBuf) {
    let (_, rest) = message
        .split_once("what the browser saw is in ")
        .unwrap_or_else(|| panic!("{message}"));
    let (dir, rest) = rest
        .split_once(": attach ")
        .unwrap_or_else(|| panic!("{message}"));
    let (skeleton, rest) = rest
        .split_once(" to a bug report")
        .unwrap_or_else(|| panic!("{message}"));
    assert!(
        rest.contains("page.png and page.html show your profile and are for your eyes only"),
        "{message}"
    );
    // The directory once, on a line of its own after the message's first.
    assert_eq!(message.matches(dir).count(), 1, "{message}");
    let dir = PathBuf::from(dir);
    assert!(
        message
            .lines()
            .any(|line| line.starts_with("  what the browser saw is in ")),
        "{message}"
    );
    let skeleton = dir.join(skeleton);
    (dir, skeleton)
}

/// The session cookies the run kept (beside its read-only credentials file).
fn cookie_values(home: &Home) -> Vec<String> {
    let path = home
        .state_dir()
        .join("sessions")
        .join(format!("{EMAIL}.json"));
    let session: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    session["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cookie| {
            cookie["value"]
                .as_str()
                .unwrap()
                .trim_matches('"')
                .to_string()
        })
        .filter(|value| value.len() >= 8)
        .collect()
}

#[track_caller]
fn assert_structure_kept_and_member_gone(skeleton: &str, home: &Home) {
    for kept in [
        r#"role="switch""#,
        r#"aria-checked="true""#,
        r#"aria-labelledby="allowDataForGenerativeAI""#,
        r#"<label id="allowDataForGenerativeAI""#,
        "Use my data for training content creation AI models",
        "<h1>Data for Generative AI Improvement</h1>",
        r#"<html lang="en">"#,
    ] {
        assert!(skeleton.contains(kept), "missing {kept} in\n{skeleton}");
    }
    let cookies = cookie_values(home);
    assert!(cookies.len() >= 2, "li_at and JSESSIONID");
    let personal = [
        NAME,
        "Quintessa",
        "Vandermolen",
        HEADLINE,
        "Zeppelin",
        EMAIL,
        PHOTO,
        PASSWORD,
    ];
    for gone in personal
        .iter()
        .copied()
        .chain(cookies.iter().map(String::as_str))
    {
        assert!(
            !skeleton.contains(gone),
            "{gone} in the skeleton:\n{skeleton}"
        );
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A setting page the tool cannot read (its switch twice): exit 6, and a skeleton that
/// still shows the switch and its label but nothing of the member; `skeleton FILE` on the
/// saved page gives the same.
#[test]
fn a_page_not_understood_leaves_a_skeleton_without_the_member() {
    let sim = Sim::with_account(
        EMAIL,
        distinctive(json!({"faults": {"switch_twice": true}})),
    );
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json", "--timeout", "20"])
        .run()
        .expect_code(6);
    let report = run.report();
    assert_eq!(report["outcome"], "page_not_understood");
    let (dir, skeleton_path) = saved(report["message"].as_str().unwrap());
    assert_eq!(skeleton_path, dir.join("page.skeleton.html"));
    assert_eq!(mode(&skeleton_path), 0o600);
    let raw = std::fs::read_to_string(dir.join("page.html")).unwrap();
    assert!(
        raw.contains(HEADLINE) && raw.contains(PHOTO),
        "the page showed the member"
    );
    let skeleton = std::fs::read_to_string(&skeleton_path).unwrap();
    assert_structure_kept_and_member_gone(&skeleton, &home);
    assert_eq!(sim.account(EMAIL).setting_writes, 0);
    assert!(
        !home.state_dir().join("receipts").exists(),
        "nothing was read"
    );

    let redacted = Tool::new(&home)
        .args(["skeleton", dir.join("page.html").to_str().unwrap()])
        .run()
        .expect_code(0)
        .stdout();
    assert_eq!(redacted, skeleton);
}

/// A save that does not stick (exit 7) leaves the skeleton too, and a receipt of the
/// setting read on after the reload.
#[test]
fn a_save_not_kept_leaves_a_skeleton_too() {
    let sim = Sim::with_account(
        EMAIL,
        distinctive(json!({"faults": {"save_not_kept": true}})),
    );
    let home = Home::new();
    let run = Tool::new(&home)
        .against(&sim, EMAIL)
        .args(["optout", "--json", "--timeout", "20"])
        .run()
        .expect_code(7);
    let report = run.report();
    assert_eq!(report["outcome"], "did_not_stick");
    let (dir, skeleton_path) = saved(report["message"].as_str().unwrap());
    assert!(dir.join("page.png").is_file() && dir.join("page.html").is_file());
    let skeleton = std::fs::read_to_string(&skeleton_path).unwrap();
    assert_structure_kept_and_member_gone(&skeleton, &home);
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::On);

    let listed = Tool::new(&home)
        .args(["receipts", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["state"], "on");
}

#[test]
fn skeleton_of_a_missing_file_is_a_usage_error() {
    let home = Home::new();
    let missing = home.path().join("nowhere.html");
    let run = Tool::new(&home)
        .args(["skeleton", missing.to_str().unwrap()])
        .run()
        .expect_code(2);
    assert!(run.stderr().contains("cannot read"), "{}", run.stderr());
    assert_eq!(run.stdout(), "");
}

/// One person's traces, each where a page can hide one.
const TRACES: &[&str] = &[
    "Quintessa",
    "Vandermolen",
    "quintessa.vandermolen@example.org",
    "quintessa",
    "vandermolen",
    "+44 20 7946 0958",
    "447946",
    "7946",
    "0958",
    "tok_9fQx27LpZ",
    "9fQx27LpZ",
    "qv-personal-host",
    "example.org",
    "urn:li:member:81234567",
    "81234567",
    "AQEDAR",
];

/// A saved page with one person's traces in every place a skeleton must not keep: the
/// title, texts, `id`, `class`, `name`, `for`, `aria-labelledby`, `autocomplete`, `data-*` and
/// `componentkey` values, a `pageKey` holding an email, emails, tokens and profile slugs in
/// URL paths, hosts, queries and form actions.
const TRACED_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head>
<meta name="pageKey" content="quintessa.vandermolen@example.org">
<meta name="csrf-token" content="tok_9fQx27LpZ">
<title>Quintessa Vandermolen (+44 20 7946 0958) | LinkedIn</title>
</head><body class="member-quintessa theme-vandermolen">
<header id="profile-quintessa-vandermolen" data-member-id="urn:li:member:81234567" data-tracking="tok_9fQx27LpZ">
<a href="https://www.linkedin.com/in/quintessa-vandermolen-81234567/?trk=AQEDAR">Quintessa Vandermolen</a>
<a href="https://qv-personal-host.example.org/quintessa.vandermolen@example.org/cv">home page</a>
<a href="/messaging/thread/tok_9fQx27LpZ/">messages</a>
<a href="tel:+442079460958">+44 20 7946 0958</a>
<a href="https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement?trk=AQEDAR">Data for Generative AI Improvement</a>
<img src="https://media.example.org/quintessa.jpg" alt="Quintessa">
</header>
<main componentkey="settings-quintessa.vandermolen@example.org">
<h1>Data for Generative AI Improvement</h1>
<label id="allowDataForGenerativeAI" for="toggle-quintessa-7946">Use my data for training content creation AI models</label>
<input id="toggle-quintessa-7946" class="artdeco-toggle__button quintessa" type="checkbox" role="switch" aria-labelledby="allowDataForGenerativeAI hint-vandermolen" aria-checked="true" checked data-tracking-control-name="vandermolen_toggle">
<span id="hint-vandermolen" aria-hidden="true">On</span>
<form action="https://www.linkedin.com/u/quintessa.vandermolen@example.org/tok_9fQx27LpZ/save?x=81234567" method="post" name="form-vandermolen">
<label for="phone-447946">phone</label>
<input id="phone-447946" name="phone-quintessa" autocomplete="tel quintessa-vandermolen" type="tel" value="+44 20 7946 0958">
<input type="hidden" name="csrfToken" value="tok_9fQx27LpZ">
</form>
<div data-quintessa="1" data-urn="urn:li:member:81234567" aria-label="Quintessa's settings">Signed in as quintessa.vandermolen@example.org</div>
</main></body></html>"#;

/// `skeleton FILE` on a page full of one person's traces keeps none of them, and still
/// keeps the structure the rules need: the switch's key, its role and state, the label's
/// text, LinkedIn's origin and the settings' path, and the links between ids.
#[test]
fn nothing_of_the_member_survives_in_a_skeleton() {
    let home = Home::new();
    let page = home.path().join("saved.html");
    std::fs::write(&page, TRACED_PAGE).unwrap();
    let skeleton = Tool::new(&home)
        .args(["skeleton", page.to_str().unwrap()])
        .run()
        .expect_code(0)
        .stdout();
    for trace in TRACES {
        assert!(
            !skeleton.to_lowercase().contains(&trace.to_lowercase()),
            "{trace} survived in\n{skeleton}"
        );
    }
    for kept in [
        "<h1>Data for Generative AI Improvement</h1>",
        "Use my data for training content creation AI models",
        r#"<label id="allowDataForGenerativeAI""#,
        r#"role="switch""#,
        r#"aria-checked="true" checked="""#,
        r#"<span id="_"#,
        r#"aria-hidden="true">On</span>"#,
        r#"<a href="https://www.linkedin.com/xx/xxxxxxxxx-xxxxxxxxxxx-00000000/">"#,
        r#"<a href="https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement">"#,
        r#"<a href="tel:">"#,
        r#"<form action="https://www.linkedin.com/"#,
        r#"<meta name="pageKey" content="_"#,
    ] {
        assert!(skeleton.contains(kept), "missing {kept} in\n{skeleton}");
    }
    // The links between ids survive as placeholders: the label still names the switch, and
    // the switch is still described by its hint.
    let attribute = |element_start: &str, name: &str| -> String {
        let (_, rest) = skeleton
            .split_once(element_start)
            .unwrap_or_else(|| panic!("{element_start} in\n{skeleton}"));
        let element = rest.split('>').next().unwrap();
        let (_, value) = element
            .split_once(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("{name} in {element}"));
        value.split('"').next().unwrap().to_string()
    };
    let switch_id = attribute("<input", "id");
    assert!(switch_id.starts_with('_'), "{switch_id}");
    assert_eq!(
        attribute(r#"<label id="allowDataForGenerativeAI""#, "for"),
        switch_id
    );
    let labelled_by = attribute("<input", "aria-labelledby");
    let hint = attribute("<span", "id");
    assert_eq!(labelled_by, format!("allowDataForGenerativeAI {hint}"));
}
