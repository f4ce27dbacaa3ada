//! Receipts: every state read from a fresh page load leaves a screenshot and what it shows,
//! checked here against the simulator's state, by recomputing the hashes, decoding the PNG,
//! and opening the exported page in a real headless Chromium.

use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
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
/// run, with the state the server had, and none of the secrets the runs used. Retention then
/// keeps the story (the first reading, the drift) and lets the routine reading of the same
/// week go.
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
    let routine = receipts(&home).pop().unwrap();
    assert_eq!(routine.1["outcome"], "already_off");
    assert_receipt_files(&routine.0, &routine.1);
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
        [("off", "opted_out", false), ("on", "would_opt_out", true)]
    );
    assert!(!routine.0.exists(), "the routine reading of the week went");
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
    let paths = [
        receipts[0].0.clone(),
        routine.0.clone(),
        receipts[1].0.clone(),
    ];
    assert_eq!(named, paths);

    // `receipts --json`: newest first, exactly the documented keys, absolute paths.
    let listed = Tool::new(&home)
        .args(["receipts", "--json"])
        .run()
        .expect_code(0)
        .json_lines();
    assert_eq!(listed.len(), 2);
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
    // `--setting`, `--since` and `--limit` narrow the list.
    let narrowed = |args: &[&str]| {
        Tool::new(&home)
            .args(["receipts", "--json"])
            .args(args.iter().copied())
            .run()
            .expect_code(0)
            .json_lines()
    };
    assert_eq!(narrowed(&["--limit", "1"]), listed[..1]);
    assert_eq!(narrowed(&["--setting", "data-for-ai-improvement"]), listed);
    assert_eq!(narrowed(&["--setting", "ads-by-age"]), Vec::<Value>::new());
    let newest = listed[0]["time"].as_str().unwrap();
    assert_eq!(narrowed(&["--since", newest]), listed[..1]);
    let table = Tool::new(&home)
        .arg("receipts")
        .run()
        .expect_code(0)
        .stdout();
    assert!(table.starts_with("TIME (UTC)"), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");

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

    // `--account` picks whose receipts go in the page: none is nothing to export (exit 1),
    // and no empty page.
    let nobody = home.path().join("export-nobody");
    let none = Tool::new(&home)
        .args(["receipts", "export", "--account", "nobody@example.com"])
        .arg(nobody.to_str().unwrap())
        .run()
        .expect_code(1);
    assert!(
        none.stderr().contains("there is nothing to export"),
        "{}",
        none.stderr()
    );
    assert!(!nobody.exists());
    assert!(page.contains("class=\"card\""), "{page}");

    let seen = in_chromium(&out.join("index.html"), (1280, 1000), |page| {
        wait_for(
            "the exported page's images to load",
            Duration::from_secs(20),
            || {
                let seen = page.run(
                    "const imgs = [...document.querySelectorAll('.card img')];
                     return {cards: document.querySelectorAll('.card').length,
                             complete: imgs.every(i => i.complete),
                             loaded: imgs.filter(i => i.naturalWidth > 0).length,
                             images: imgs.length};",
                );
                if seen["complete"] == true {
                    Ok(seen)
                } else {
                    Err(seen)
                }
            },
        )
    });
    // Each receipt is a card: the first check and the latest.
    assert_eq!(seen["cards"], receipts.len(), "{seen}");
    assert_eq!(seen["images"], receipts.len(), "{seen}");
    assert_eq!(
        seen["loaded"],
        receipts.len(),
        "every screenshot loads: {seen}"
    );
}

/// A page open in a real headless Chromium (images on, unlike the tool's lean sessions), on a
/// chromedriver of the test's own.
struct Opened<'a> {
    runtime: &'a tokio::runtime::Runtime,
    client: &'a fantoccini::Client,
}

impl Opened<'_> {
    /// Runs `script` (its `return` is the answer) on the page.
    fn run(&self, script: &str) -> Value {
        self.runtime
            .block_on(self.client.execute(script, vec![]))
            .unwrap()
    }

    /// A screenshot of the viewport, PNG.
    fn screenshot(&self) -> Vec<u8> {
        self.runtime.block_on(self.client.screenshot()).unwrap()
    }

    fn resize(&self, width: u32, height: u32) {
        self.runtime
            .block_on(self.client.set_window_size(width, height))
            .unwrap();
    }
}

/// Opens `file` in headless Chromium with a window of `size`, and gives it to `look`; the
/// session is closed whatever happens, a failed check included.
fn in_chromium<T>(file: &Path, size: (u32, u32), look: impl FnOnce(&Opened<'_>) -> T) -> T {
    let driver = Chromedriver::start("/");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--hide-scrollbars",
                            format!("--window-size={},{}", size.0, size.1)]}),
        );
        fantoccini::ClientBuilder::rustls()
            .unwrap()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}/", driver.port))
            .await
            .expect("a browser session")
    });
    let url = url::Url::from_file_path(file).unwrap();
    let seen = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(client.goto(url.as_str())).unwrap();
        look(&Opened {
            runtime: &runtime,
            client: &client,
        })
    }));
    runtime.block_on(client.close()).unwrap();
    let seen = seen.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    driver.assert_no_session_left();
    seen
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
    run(&home, &sim, "optout").expect_code(0);
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

/// The layout checks of the exported page, run in the browser: what the issue asks of a page
/// read in ten seconds. Each problem is a string naming the element.
const LAYOUT_CHECKS: &str = r#"
const problems = [];
const html = document.documentElement;
const width = html.clientWidth;
if (html.scrollWidth > width) problems.push(`horizontal overflow: ${html.scrollWidth} px in ${width}`);
// What is drawn: not in a closed <details>, whose content keeps boxes it does not draw.
const visible = el => el.checkVisibility({visibilityProperty: true}) && el.getClientRects().length > 0;
const name = el => el.outerHTML.slice(0, 100);
// Every element that holds text of its own: at least 12 px, inside the page, never clipped.
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const holders = new Set();
while (walker.nextNode()) {
  if (walker.currentNode.textContent.trim()) holders.add(walker.currentNode.parentElement);
}
for (const el of holders) {
  if (!visible(el)) continue;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 12) problems.push(`text of ${size} px: ${name(el)}`);
  const r = el.getBoundingClientRect();
  if (r.left < -0.5 || r.right > width + 0.5) problems.push(`text outside the page: ${name(el)}`);
  for (let a = el; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    const clips = s.overflowX !== 'visible' || s.overflowY !== 'visible' || s.textOverflow === 'ellipsis';
    if (clips && (a.scrollWidth > a.clientWidth + 1 || a.scrollHeight > a.clientHeight + 1)) {
      problems.push(`text cut off by ${name(a)}`);
      break;
    }
  }
}
// No two boxes overlap, unless one holds the other.
const boxes = [...document.querySelectorAll(
  'h1, h2, p, .row, .cell, .card, .fold, .banner, .shot, dt, dd, th, td, summary, .problems li, .hashes li')]
  .filter(visible);
const rects = boxes.map(el => el.getBoundingClientRect());
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    if (boxes[i].contains(boxes[j]) || boxes[j].contains(boxes[i])) continue;
    const a = rects[i], b = rects[j];
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (x > 0.5 && y > 0.5) problems.push(`overlap: ${name(boxes[i])} / ${name(boxes[j])}`);
  }
}
// Every coloured cell has a text alternative.
const cells = [...document.querySelectorAll('.cell')];
for (const cell of cells) {
  if (cell.getAttribute('role') !== 'img' || !(cell.getAttribute('aria-label') || '').trim()) {
    problems.push(`a cell without a text alternative: ${name(cell)}`);
  }
}
// Each screenshot shown at full size (readable at 100 %), and loaded.
const images = [...document.querySelectorAll('.shot img')];
for (const img of images) {
  if (!img.complete || img.naturalWidth === 0) problems.push(`a screenshot that did not load: ${name(img)}`);
  else if (Math.abs(img.getBoundingClientRect().width - img.naturalWidth) > 0.5) problems.push(`a screenshot scaled: ${name(img)}`);
}
return {
  problems,
  title: document.title,
  headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
  text: document.body.innerText,
  cells: cells.length,
  images: images.length,
  cards: document.querySelectorAll('.card').length,
  folds: document.querySelectorAll('details').length,
  banners: document.querySelectorAll('.banner').length,
  height: html.scrollHeight,
};
"#;

/// A copy of a receipt a run wrote (`template`, its `.json` parsed, its files in `from`) into
/// `to`, dated `time` with `state`, `outcome` and `drift`: a check at a time the test sets. The
/// screenshot is the run's own (a hard link), so its hash holds.
fn dated_copy(
    from: &Path,
    to: &Path,
    template: &Value,
    time: jiff::Timestamp,
    (state, outcome, drift): (&str, &str, bool),
) {
    let setting = template["setting"].as_str().unwrap();
    let stem = format!("{}-{setting}", time.strftime("%Y%m%dT%H%M%S%.3fZ"));
    std::fs::hard_link(
        from.join(template["png"].as_str().unwrap()),
        to.join(format!("{stem}.png")),
    )
    .unwrap();
    let mut receipt = template.clone();
    receipt["time"] = json!(time.to_string());
    receipt["png"] = json!(format!("{stem}.png"));
    receipt["state"] = json!(state);
    receipt["outcome"] = json!(outcome);
    receipt["drift"] = json!(drift);
    std::fs::write(
        to.join(format!("{stem}.json")),
        serde_json::to_vec_pretty(&receipt).unwrap(),
    )
    .unwrap();
}

/// A year of receipts, on a clock the test sets: real runs against the simulator (switched
/// off, drift in a dry run, a switch not offered) give the receipts that are then copied to
/// each day of the past year, with two drifts. The next real run prunes them to the story and
/// its samples; the receipts directory is then damaged by hand; and the export, opened in
/// headless Chromium at 1280 px, passes the layout checks with every fold closed and open,
/// and names what is damaged or missing.
#[test]
fn a_year_of_receipts_exports_as_a_page_read_at_a_glance() {
    const AI: &str = "data-for-ai-improvement";
    const SWITCHES: [&str; 3] = [AI, "ads-by-age", "member-cookies"];
    let sim = Sim::with_account(
        EMAIL,
        json!({"switches": {"ads-by-age": "off", "member-cookies": "not_offered"}}),
    );
    let home = Home::new();
    let credentials = credentials(&home);
    let run = |args: &[&str], code: i32| {
        Tool::new(&home)
            .args(["--base-url", &sim.base_url(), "--account", EMAIL])
            .args(["--credentials-file", credentials.to_str().unwrap()])
            .args(["--timeout", "20", "--json"])
            .args(args.iter().copied())
            .run()
            .expect_code(code)
    };
    let every: Vec<&str> = SWITCHES
        .iter()
        .flat_map(|name| ["--setting", name])
        .collect();
    run(&[&["optout"][..], &every].concat(), 0);
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::Off);
    sim.put(EMAIL, json!({"ai_training": "on"}));
    let drift = run(&["status", "--setting", AI], 3).report();
    assert_eq!(drift["drift"], true, "{drift}");
    let message = drift["message"].as_str().unwrap();
    assert!(
        message.starts_with("LinkedIn turned data-for-ai-improvement back on since ")
            && message.ends_with("; still on (dry run)"),
        "{message}"
    );

    // The real receipts become the templates of a year of checks, which ends yesterday.
    let dir = receipts_dir(&home);
    let templates = home.path().join("templates");
    std::fs::rename(&dir, &templates).unwrap();
    std::fs::create_dir(&dir).unwrap();
    crate::common::set_mode(&dir, 0o700);
    let made: Vec<Value> = std::fs::read_dir(&templates)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
        .collect();
    let template = |setting: &str, state: &str| {
        made.iter()
            .find(|r| r["setting"] == setting && r["state"] == state)
            .unwrap_or_else(|| panic!("a real receipt of {setting} {state}: {made:?}"))
    };
    let now = jiff::Timestamp::now();
    let day = |n: i64| now - jiff::SignedDuration::from_hours(24 * n);
    for n in (1..=365).rev() {
        let (ai, kind) = match n {
            365 => (template(AI, "off"), ("off", "opted_out", false)),
            // LinkedIn turned it back on: found and switched off again.
            200 => (template(AI, "off"), ("off", "opted_out", true)),
            // …and again: a dry run said so, a run switched it off the day after.
            120 => (template(AI, "on"), ("on", "would_opt_out", true)),
            119 => (template(AI, "off"), ("off", "opted_out", false)),
            _ => (template(AI, "off"), ("off", "already_off", false)),
        };
        dated_copy(&templates, &dir, ai, day(n), kind);
        let age = template("ads-by-age", "off");
        dated_copy(&templates, &dir, age, day(n), ("off", "already_off", false));
        let absent = template("member-cookies", "not_offered");
        let kind = ("not_offered", "not_offered", false);
        dated_copy(&templates, &dir, absent, day(n), kind);
    }

    // Today's real run switches it off and prunes the year to its story.
    let today = run(&[&["optout"][..], &every].concat(), 0).json_lines();
    assert_eq!(today[0]["outcome"], "opted_out", "{today:?}");
    assert_eq!(sim.account(EMAIL).spec.ai_training, AiTraining::Off);
    assert_eq!(sim.account(EMAIL).setting_writes, 2);
    let kept = receipts(&home);
    for setting in SWITCHES {
        let own: Vec<&Value> = kept
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r["setting"] == setting)
            .collect();
        assert!(own.len() <= 40, "{setting}: {}", own.len());
        let days: BTreeSet<String> = own
            .iter()
            .map(|r| r["time"].as_str().unwrap()[..10].to_string())
            .collect();
        // The first check, today's, a reading in each of the last 13 weeks and each month.
        assert!(
            days.contains(&day(365).strftime("%Y-%m-%d").to_string()),
            "{setting}"
        );
        assert!(
            days.contains(&now.strftime("%Y-%m-%d").to_string()),
            "{setting}"
        );
        for week in 0..13 {
            let (from, to) = (day(7 * week + 7), day(7 * week));
            assert!(
                own.iter().any(|r| {
                    let time: jiff::Timestamp = r["time"].as_str().unwrap().parse().unwrap();
                    (from..=to).contains(&time)
                }),
                "{setting}: no reading in week {week} back"
            );
        }
        let months: BTreeSet<&str> = days.iter().map(|d| &d[..7]).collect();
        assert!(months.len() >= 12, "{setting}: {months:?}");
    }
    // Every change of the AI switch is kept.
    let story: Vec<(String, bool)> = kept
        .iter()
        .map(|(_, r)| r)
        .filter(|r| r["setting"] == AI && r["outcome"] != "already_off")
        .map(|r| {
            (
                r["outcome"].as_str().unwrap().to_string(),
                r["drift"] == true,
            )
        })
        .collect();
    let expected = [
        ("opted_out", false),
        ("opted_out", true),
        ("would_opt_out", true),
        ("opted_out", false),
        ("opted_out", false),
    ];
    assert_eq!(
        story,
        expected.map(|(o, d)| (o.to_string(), d)),
        "{story:?}"
    );

    // Damage by hand: a screenshot removed, a receipt garbled, a screenshot changed.
    let routine: Vec<&(PathBuf, Value)> = kept
        .iter()
        .filter(|(_, r)| r["setting"] == "ads-by-age" && r["outcome"] == "already_off")
        .collect();
    let removed = routine[3]
        .0
        .with_file_name(routine[3].1["png"].as_str().unwrap());
    std::fs::remove_file(&removed).unwrap();
    std::fs::write(&routine[5].0, "{\"account\": \"cut short").unwrap();
    let changed = routine[7]
        .0
        .with_file_name(routine[7].1["png"].as_str().unwrap());
    let mut bytes = std::fs::read(&changed).unwrap();
    std::fs::remove_file(&changed).unwrap();
    bytes.extend_from_slice(b"edited");
    std::fs::write(&changed, bytes).unwrap();

    let out = home.path().join("export");
    let export = Tool::new(&home)
        .args(["receipts", "export", out.to_str().unwrap()])
        .env("TZ", "Europe/Berlin")
        .run()
        .expect_code(0);
    assert!(
        export.stderr().contains("names 3 damaged or missing files"),
        "{}",
        export.stderr()
    );
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&out.join("index.html")), 0o600);
    let names = |path: &Path| path.file_name().unwrap().to_string_lossy().into_owned();

    let seen = in_chromium(&out.join("index.html"), (1280, 900), |page| {
        let closed = page.run(LAYOUT_CHECKS);
        page.run(
            "for (const d of document.querySelectorAll('details')) d.open = true; return null;",
        );
        let open = page.run(LAYOUT_CHECKS);
        // The whole page, for a person to look at.
        let height = open["height"].as_u64().unwrap().min(16_000) as u32;
        page.resize(1280, height);
        let picture = page.screenshot();
        std::fs::write(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("receipts-export-year.png"),
            &picture,
        )
        .unwrap();
        (closed, open, picture)
    });
    let (closed, open, picture) = seen;
    for seen in [&closed, &open] {
        assert_eq!(seen["problems"], json!([]), "{}", seen["problems"]);
    }
    let text = closed["text"].as_str().unwrap();
    assert_eq!(
        closed["title"],
        format!(
            "Receipts: 3 LinkedIn switches of {EMAIL}, from {} to {}",
            day(365).strftime("%Y-%m-%d"),
            now.strftime("%Y-%m-%d")
        )
    );
    for title in [
        "Data for Generative AI Improvement",
        "Age",
        "Cookie preferences",
    ] {
        assert!(
            closed["headings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h.as_str().unwrap().starts_with(title)),
            "{title}: {}",
            closed["headings"]
        );
    }
    assert_eq!(
        closed["cells"].as_u64().unwrap() as usize,
        2 * (kept.len() - 1) + 4,
        "one cell per check, in the summary and the section, and the legend's"
    );
    assert_eq!(closed["banners"], 2, "{}", closed["banners"]);
    assert!(
        text.contains(&format!(
            "Off at {} of",
            kept.iter()
                .filter(|(_, r)| r["setting"] == AI && r["state"] == "off")
                .count()
        )),
        "{text}"
    );
    assert!(
        text.contains("LinkedIn turned Data for Generative AI Improvement back on"),
        "{text}"
    );
    assert!(text.contains("sha256sum"), "{text}");
    assert!(
        text.contains("CET") || text.contains("CEST"),
        "local time beside UTC: {text}"
    );
    // What is damaged or missing is named.
    for file in [&removed, &routine[5].0, &changed] {
        assert!(text.contains(&names(file)), "{} named: {text}", names(file));
    }
    let image = image::load_from_memory_with_format(&picture, image::ImageFormat::Png).unwrap();
    assert_eq!(image.width(), 1280);
}

/// Runs `script` with `sh` as `nobody`, another local user, from `/`; returns whether it
/// succeeded.
fn as_another_user(script: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test acts as another local user: run it as root (scripts/test.sh does)"
    );
    std::process::Command::new(crate::common::require(
        "setpriv",
        "apt-get install util-linux",
    ))
    .args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        "sh",
        "-c",
        script,
    ])
    .current_dir("/")
    .env_clear()
    .env("PATH", "/usr/bin:/bin")
    .status()
    .expect("setpriv runs")
    .success()
}

/// `receipts export` writes only into a directory it creates or an empty one of the
/// member's, made private first: a file, a pipe, a link or a directory of another user's in
/// its place is refused with the fix (exit 2), and so is a directory that is not empty; what
/// another user planted is never followed, and the member's files are untouched.
#[test]
fn export_writes_only_into_a_new_or_empty_directory_of_the_members() {
    let sim = Sim::with_account(EMAIL, json!({}));
    let home = Home::new();
    run(&home, &sim, "optout").expect_code(0);
    let export = |dir: &Path, code: i32| {
        Tool::new(&home)
            .args(["receipts", "export", dir.to_str().unwrap()])
            .run()
            .expect_code(code)
    };
    let refused = |dir: &Path, why: &str| {
        let run = export(dir, 2);
        let said = run.stderr();
        assert!(said.contains(why), "{why}: {said}");
        assert!(said.contains("give a new directory"), "the fix: {said}");
        assert!(!said.contains("os error 17"), "{said}");
    };
    // The member's own things in the way.
    let file = home.path().join("a-file");
    std::fs::write(&file, "kept").unwrap();
    refused(&file, "exists and is not a directory");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
    let full = home.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("notes.txt"), "kept").unwrap();
    refused(&full, "is not empty (it holds notes.txt)");
    assert_eq!(
        std::fs::read_to_string(full.join("notes.txt")).unwrap(),
        "kept"
    );

    // A place others can write to, as /tmp is; another user plants things there.
    let shared = tempfile::tempdir().unwrap();
    crate::common::set_mode(shared.path(), 0o1777);
    let victim = home.path().join("victim");
    std::fs::write(&victim, "the member's file").unwrap();
    let mine = shared.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    let open_dir = shared.path().join("open");
    std::fs::create_dir(&open_dir).unwrap();
    crate::common::set_mode(&open_dir, 0o777);
    let at = |name: &str| shared.path().join(name).to_str().unwrap().to_string();
    assert!(as_another_user(&format!(
        "mkfifo '{pipe}' && mkdir '{theirs}' && ln -s '{victim}' '{link}' && ln -s '{mine}' '{dirlink}' && mkfifo '{planted}'",
        pipe = at("pipe"),
        theirs = at("theirs"),
        victim = victim.display(),
        link = at("link"),
        mine = mine.display(),
        dirlink = at("dirlink"),
        planted = open_dir.join("index.html").display(),
    )));
    refused(&shared.path().join("pipe"), "exists and is not a directory");
    refused(&shared.path().join("theirs"), "belongs to another user");
    refused(&shared.path().join("link"), "is a symbolic link");
    refused(&shared.path().join("dirlink"), "is a symbolic link");
    refused(&open_dir, "is not empty (it holds index.html)");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the member's file"
    );
    assert!(
        std::fs::read_dir(&mine).unwrap().next().is_none(),
        "nothing written through the link"
    );
    assert!(
        std::fs::symlink_metadata(open_dir.join("index.html"))
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // An empty directory of the member's that others could write to: made private first,
    // then written, every file new and 0600.
    let roomy = shared.path().join("roomy");
    std::fs::create_dir(&roomy).unwrap();
    crate::common::set_mode(&roomy, 0o777);
    let done = export(&roomy, 0);
    assert!(
        done.stdout().contains("(1 receipt, files beside it)"),
        "{}",
        done.stdout()
    );
    assert_eq!(mode(&roomy), 0o700);
    assert_eq!(mode(&roomy.join("index.html")), 0o600);
    assert_eq!(mode(&roomy.join(EMAIL)), 0o700);
    for entry in std::fs::read_dir(roomy.join(EMAIL)).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600);
    }
    assert!(
        !as_another_user(&format!("touch '{}'", roomy.join("late").display())),
        "another user can no longer write into it"
    );
    // And exporting into it again is refused: it is not empty any more.
    refused(&roomy, "is not empty");
}
