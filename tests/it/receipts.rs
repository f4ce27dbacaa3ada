//! Receipts: every state read from a fresh page load leaves a screenshot and what it shows,
//! checked here against the simulator's state, by recomputing the hashes, decoding the PNG,
//! and opening the exported page in a real headless Chromium.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use linkedin_sim::AiTraining;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::common::{Chromedriver, Home, PASSWORD, Sim, Tool, wait_for};

const EMAIL: &str = "receipts@example.com";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DP";

/// A credentials file with the password and the TOTP secret, so that a receipt could leak
/// either.
fn credentials(home: &Home) -> PathBuf {
    let path = home.path().join("credentials.toml");
    std::fs::write(
        &path,
        format!("email = {EMAIL:?}\npassword = {PASSWORD:?}\ntotp_secret = {TOTP_SECRET:?}\n"),
    )
    .unwrap();
    crate::common::set_mode(&path, 0o600);
    path
}

/// `command --json` for the account against `sim`.
fn run(home: &Home, sim: &Sim, command: &str) -> crate::common::Run {
    let credentials = credentials(home);
    Tool::new(home)
        .args(["--base-url", &sim.base_url(), "--account", EMAIL])
        .args(["--credentials-file", credentials.to_str().unwrap()])
        .args([command, "--json", "--timeout", "20"])
        .run()
}

fn receipts_dir(home: &Home) -> PathBuf {
    home.state_dir().join("receipts").join(EMAIL)
}

/// The receipts' `.json` files, parsed, oldest first (their names sort by time).
fn receipts(home: &Home) -> Vec<(PathBuf, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(receipts_dir(home))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            (path, value)
        })
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Checks one receipt's files against its `.json`: modes, the PNG's hash recomputed, and
/// a PNG that decodes to a picture of more than one colour.
#[track_caller]
fn assert_receipt_files(json_path: &Path, receipt: &Value) {
    let png_path = json_path.with_file_name(receipt["png"].as_str().unwrap());
    assert_eq!(
        png_path.file_stem(),
        json_path.file_stem(),
        "the two files share a name"
    );
    assert!(
        json_path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("Z-data-for-ai-improvement.json"),
        "{json_path:?}"
    );
    assert_eq!(mode(json_path), 0o600);
    assert_eq!(mode(&png_path), 0o600);
    let png = std::fs::read(&png_path).unwrap();
    assert_eq!(sha256(&png), receipt["png_sha256"], "{receipt}");
    let html_sha256 = receipt["html_sha256"].as_str().unwrap();
    assert!(
        html_sha256.len() == 64 && html_sha256.chars().all(|c| c.is_ascii_hexdigit()),
        "{receipt}"
    );
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .expect("the screenshot decodes as PNG")
        .to_rgb8();
    assert!(
        image.width() > 100 && image.height() > 30,
        "{:?}",
        image.dimensions()
    );
    let colours: BTreeSet<[u8; 3]> = image.pixels().map(|pixel| pixel.0).collect();
    assert!(colours.len() > 1, "the screenshot is a single colour");
}

/// Opted out, then already off, then switched back on by LinkedIn (drift): one receipt per
/// run, with the state the server had, and none of the secrets the runs used.
#[test]
fn optout_status_and_drift_each_keep_a_receipt() {
    let sim = Sim::with_account(
        EMAIL,
        json!({"checkpoint": "two_step", "totp_secret": TOTP_SECRET}),
    );
    let home = Home::new();
    assert_eq!(
        run(&home, &sim, "optout").expect_code(0).report()["outcome"],
        "opted_out"
    );
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::Off);
    assert_eq!(
        run(&home, &sim, "status").expect_code(0).report()["outcome"],
        "already_off"
    );
    sim.put(EMAIL, json!({"ai_training": "on"}));
    assert_eq!(
        run(&home, &sim, "status").expect_code(3).report()["outcome"],
        "would_opt_out"
    );
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::On);
    assert_eq!(sim.account(EMAIL).setting_writes, 1);

    assert_eq!(mode(&home.state_dir().join("receipts")), 0o700);
    assert_eq!(mode(&receipts_dir(&home)), 0o700);
    let receipts = receipts(&home);
    let summary: Vec<(&str, &str, bool)> = receipts
        .iter()
        .map(|(_, r)| {
            (
                r["state"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
                r["drift"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("off", "opted_out", false),
            ("off", "already_off", false),
            ("on", "would_opt_out", true),
        ]
    );
    for (path, receipt) in &receipts {
        assert_eq!(receipt["account"], EMAIL);
        assert_eq!(receipt["setting"], "data-for-ai-improvement");
        assert_eq!(
            receipt["url"],
            format!(
                "{}mypreferences/d/settings/data-for-ai-improvement",
                sim.base_url()
            )
        );
        assert_eq!(receipt["tool_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(receipt["browser_name"], "chrome");
        assert!(
            receipt["browser_version"]
                .as_str()
                .unwrap()
                .starts_with(char::is_numeric),
            "{receipt}"
        );
        assert!(
            receipt["time"].as_str().unwrap().ends_with('Z'),
            "{receipt}"
        );
        assert_receipt_files(path, receipt);
    }

    // Each run's history record names its receipt.
    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    let named: Vec<PathBuf> = history
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            PathBuf::from(record["receipt"].as_str().expect("a receipt key"))
        })
        .collect();
    let paths: Vec<PathBuf> = receipts.iter().map(|(path, _)| path.clone()).collect();
    assert_eq!(named, paths);

    // `receipts --json`: newest first, exactly the documented keys, absolute paths.
    let listed = Tool::new(&home)
        .args(["receipts", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    assert_eq!(listed.len(), 3);
    for (line, (path, receipt)) in listed.iter().zip(receipts.iter().rev()) {
        let keys: BTreeSet<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["time", "account", "setting", "state", "png", "json"])
        );
        assert_eq!(line["json"], path.to_str().unwrap());
        assert_eq!(
            line["png"],
            path.with_file_name(receipt["png"].as_str().unwrap())
                .to_str()
                .unwrap()
        );
        assert_eq!(line["state"], receipt["state"]);
        assert_eq!(line["account"], EMAIL);
        assert_eq!(line["setting"], "data-for-ai-improvement");
    }
    let mine = Tool::new(&home)
        .args(["receipts", "--json", "--account", EMAIL])
        .run()
        .expect_code(0);
    assert_eq!(mine.json_lines(), listed);
    let others = Tool::new(&home)
        .args(["receipts", "--json", "--account", "nobody@example.com"])
        .run()
        .expect_code(0);
    assert_eq!(others.stdout(), "");
    assert!(
        others.stderr().contains("no receipts yet"),
        "{}",
        others.stderr()
    );
    let table = Tool::new(&home)
        .arg("receipts")
        .run()
        .expect_code(0)
        .stdout();
    assert!(table.starts_with("TIME (UTC)"), "{table}");
    assert_eq!(table.lines().count(), 4, "{table}");

    // No receipt file holds the password, the TOTP secret or a session cookie.
    let session: Value = serde_json::from_slice(
        &std::fs::read(
            home.state_dir()
                .join("sessions")
                .join(format!("{EMAIL}.json")),
        )
        .expect("the session kept beside a read-only credentials file"),
    )
    .unwrap();
    let mut secrets = vec![PASSWORD.to_string(), TOTP_SECRET.to_string()];
    for cookie in session["cookies"].as_array().unwrap() {
        let value = cookie["value"].as_str().unwrap().trim_matches('"');
        if value.len() >= 8 {
            secrets.push(value.to_string());
        }
    }
    assert!(secrets.len() >= 4, "li_at and JSESSIONID: {session}");
    for entry in std::fs::read_dir(receipts_dir(&home)).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in &secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "{path:?} holds a secret"
            );
        }
    }
}

/// Every receipt of a change stays; of the others, the newest `receipts_keep`.
#[test]
fn retention_keeps_changes_and_the_newest_others() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    home.write_config("receipts_keep = 1\n");
    run(&home, &sim, "optout").expect_code(0);
    for _ in 0..3 {
        run(&home, &sim, "status").expect_code(0);
    }
    let outcomes: Vec<String> = receipts(&home)
        .iter()
        .map(|(_, r)| r["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, ["opted_out", "already_off"]);
    let history = std::fs::read_to_string(home.state_dir().join("history.jsonl")).unwrap();
    let last: Value = serde_json::from_str(history.lines().last().unwrap()).unwrap();
    assert_eq!(
        PathBuf::from(last["receipt"].as_str().unwrap()),
        receipts(&home)[1].0,
        "the newest is the one kept"
    );
    // The files of removed receipts went with them.
    assert_eq!(std::fs::read_dir(receipts_dir(&home)).unwrap().count(), 4);

    home.write_config("receipts_keep = 0\n");
    run(&home, &sim, "status").expect_code(0);
    let outcomes: Vec<String> = receipts(&home)
        .iter()
        .map(|(_, r)| r["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, ["opted_out"]);
}

/// The exported page, opened from disk in a real headless Chromium (images on, unlike the
/// tool's lean sessions): one card and one loaded screenshot per receipt.
#[test]
fn export_writes_a_page_a_browser_shows_with_every_screenshot() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    run(&home, &sim, "optout").expect_code(0);
    run(&home, &sim, "status").expect_code(0);
    let receipts = receipts(&home);
    // Two receipts to show, so that the checks of each card below cannot pass on none.
    assert_eq!(receipts.len(), 2);
    let out = home.path().join("export");
    let export = Tool::new(&home)
        .args(["receipts", "export", out.to_str().unwrap()])
        .run()
        .expect_code(0);
    assert!(
        export
            .stdout()
            .contains(out.join("index.html").to_str().unwrap()),
        "{}",
        export.stdout()
    );
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !page.contains("src=\"http") && !page.contains("<link"),
        "{page}"
    );
    for (path, receipt) in &receipts {
        assert!(out.join(EMAIL).join(path.file_name().unwrap()).is_file());
        assert!(
            out.join(EMAIL)
                .join(receipt["png"].as_str().unwrap())
                .is_file()
        );
        assert!(page.contains(receipt["png_sha256"].as_str().unwrap()));
        assert!(page.contains(receipt["html_sha256"].as_str().unwrap()));
    }

    // `--account` picks whose receipts go in the page.
    let nobody = home.path().join("export-nobody");
    Tool::new(&home)
        .args(["receipts", "export", "--account", "nobody@example.com"])
        .arg(nobody.to_str().unwrap())
        .run()
        .expect_code(0);
    let empty = std::fs::read_to_string(nobody.join("index.html")).unwrap();
    assert!(!empty.contains("class=\"card\""), "{empty}");
    assert!(page.contains("class=\"card\""), "{page}");

    let driver = Chromedriver::start("/");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}),
        );
        fantoccini::ClientBuilder::rustls()
            .unwrap()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}/", driver.port))
            .await
            .expect("a browser session")
    });
    let url = url::Url::from_file_path(out.join("index.html")).unwrap();
    // The session is closed whatever happens, a failed wait included.
    let seen = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(client.goto(url.as_str())).unwrap();
        wait_for(
            "the exported page's images to load",
            Duration::from_secs(20),
            || {
                let seen = runtime
                    .block_on(client.execute(
                        "const imgs = [...document.querySelectorAll('.card img')];
                         return {cards: document.querySelectorAll('.card').length,
                                 complete: imgs.every(i => i.complete),
                                 loaded: imgs.filter(i => i.naturalWidth > 0).length,
                                 images: imgs.length};",
                        vec![],
                    ))
                    .unwrap();
                if seen["complete"] == true {
                    Ok(seen)
                } else {
                    Err(seen)
                }
            },
        )
    }));
    runtime.block_on(client.close()).unwrap();
    let seen = seen.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    driver.assert_no_session_left();
    assert_eq!(seen["cards"], receipts.len(), "{seen}");
    assert_eq!(seen["images"], receipts.len(), "{seen}");
    assert_eq!(
        seen["loaded"],
        receipts.len(),
        "every screenshot loads: {seen}"
    );
}

/// A run that never reached the setting keeps no receipt.
#[test]
fn a_run_that_never_read_the_setting_keeps_none() {
    let sim = Sim::with_account(EMAIL, json!({"checkpoint": "captcha"}));
    let home = Home::new();
    run(&home, &sim, "optout").expect_code(4);
    // It really never got to the setting: no sign-in past the checkpoint, no save.
    let server = sim.account(EMAIL);
    assert_eq!(server.sign_ins, 0, "{server:?}");
    assert_eq!(server.setting_writes, 0, "{server:?}");
    assert!(!receipts_dir(&home).exists());
    let listed = Tool::new(&home).arg("receipts").run().expect_code(0);
    assert!(
        listed.stderr().contains("no receipts yet"),
        "{}",
        listed.stderr()
    );
}

/// A setting not offered is a state read too: its receipt says so.
#[test]
fn a_setting_not_offered_keeps_a_receipt_saying_so() {
    let sim = Sim::with_account(EMAIL, json!({"ai_training": "not_offered"}));
    let home = Home::new();
    run(&home, &sim, "optout").expect_code(6);
    // It signed in and read the page, and tried no save.
    let server = sim.account(EMAIL);
    assert_eq!(server.sign_ins, 1, "{server:?}");
    assert_eq!(server.setting_writes, 0, "{server:?}");
    let receipts = receipts(&home);
    assert_eq!(receipts.len(), 1);
    let (path, receipt) = &receipts[0];
    assert_eq!(receipt["state"], "not_offered");
    assert_eq!(receipt["outcome"], "not_offered");
    assert_receipt_files(path, receipt);
}
