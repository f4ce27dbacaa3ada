//! The benchmark's floor: the least a WebDriver client can do to check or switch off the
//! setting on the simulator, so that `scripts/bench.sh` can show the tool's cost as a ratio
//! over the browser's own.
//!
//! It does what the tool does to get a browser (start chromedriver on a free loopback port,
//! a fresh profile, the same Chromium flags as `src/browser/mod.rs`) and nothing else: no
//! page looks, no rules, no walk, no keyring, no history.
//!
//! ```text
//! bench_floor cold BASE_URL EMAIL PASSWORD    sign in on the login page, open the setting,
//!                                             switch it off, reload and read it
//! bench_floor warm BASE_URL SESSION_JSON      set the saved session's cookies (the file the
//!                                             tool keeps), open the setting and read it
//! bench_floor audit-all BASE_URL SESSION_JSON  the saved session's cookies, then each page of
//! bench_floor audit-all BASE_URL EMAIL PASSWORD  the catalogue opened once and its switches
//!                                             read (or: sign in once on the login page first)
//! bench_floor optout-all BASE_URL EMAIL PASSWORD  sign in once; each page of the catalogue
//!                                             opened and read; if a switch is on, click it,
//!                                             wait for the save, reload once and read it off
//! ```
//! `cold` and `warm` print `on` or `off` (the switch as read last); the catalogue modes
//! print `NAME on|off` per switch, as read last. Exits 0, or fails. With
//! `BENCH_FLOOR_PHASES=1` it also prints, on stderr, how long each phase took. With
//! `BENCH_FLOOR_SCREENSHOTS=1` the catalogue modes also take one screenshot of each page
//! after its last reading (the proof the tool's receipts keep), and throw it away.
//!
//! The catalogue modes take each switch's page and key from the tool's own catalogue file
//! (embedded at build time), so that the floor and the tool visit the same pages. Switches
//! that share a page (`linkedin-promotions`) are read from one load of it.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use cookie::{Cookie, SameSite};
use fantoccini::{Client, ClientBuilder, Locator};
use linkedin_optout::browser::BrowserKind;
use linkedin_optout::browser::{SessionOptions, capabilities};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);
const SETTING: &str = "mypreferences/d/settings/data-for-ai-improvement";
const SWITCH: &str = "input[type=checkbox][role=switch][aria-labelledby=allowDataForGenerativeAI]";

/// The tool's catalogue of switches: only what the floor needs of each entry.
const CATALOGUE: &str = include_str!("../src/linkedin/catalogue.toml");

#[derive(Deserialize)]
struct Catalogue {
    switch: Vec<Switch>,
}

#[derive(Deserialize)]
struct Switch {
    name: String,
    /// Under `/mypreferences/d/`.
    path: String,
    key: String,
    /// `aria-labelledby` (the switch's aria-labelledby) or `id` (the switch's own id).
    key_is: String,
}

impl Switch {
    fn selector(&self) -> String {
        match self.key_is.as_str() {
            "id" => format!("main [role=switch][id={:?}]", self.key),
            _ => format!("main [role=switch][aria-labelledby={:?}]", self.key),
        }
    }
}

/// The catalogue's switches grouped by page, in catalogue order: each page is loaded once.
fn pages() -> anyhow::Result<Vec<(String, Vec<Switch>)>> {
    let catalogue: Catalogue = toml::from_str(CATALOGUE).context("the catalogue")?;
    let mut pages: Vec<(String, Vec<Switch>)> = Vec::new();
    for switch in catalogue.switch {
        match pages.iter_mut().find(|(path, _)| *path == switch.path) {
            Some((_, switches)) => switches.push(switch),
            None => pages.push((switch.path.clone(), vec![switch])),
        }
    }
    Ok(pages)
}

static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// With `BENCH_FLOOR_PHASES` set, prints on stderr how long after the start `name` ended.
fn phase(name: &str) {
    if std::env::var_os("BENCH_FLOOR_PHASES").is_some() {
        let started = STARTED.get_or_init(Instant::now);
        eprintln!("{:>6} ms  {name}", started.elapsed().as_millis());
    }
}

/// The chromedriver we started, killed with its process group (and so its browsers) on drop.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group we created for the driver.
        unsafe { libc::kill(-(self.0.id() as libc::pid_t), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

async fn start_driver() -> anyhow::Result<(Driver, Url)> {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port();
    let mut command = Command::new("chromedriver");
    command
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let driver = Driver(command.spawn().context("cannot start chromedriver")?);
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + DEADLINE;
    while tokio::net::TcpStream::connect(address).await.is_err() {
        if Instant::now() > deadline {
            bail!("chromedriver did not listen within {DEADLINE:?}");
        }
        tokio::time::sleep(POLL).await;
    }
    Ok((driver, Url::parse(&format!("http://{address}/"))?))
}

/// Polls `script` until it returns something other than null.
async fn poll_script(
    client: &Client,
    what: &str,
    script: &str,
    args: Vec<Value>,
) -> anyhow::Result<Value> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let value = client.execute(script, args.clone()).await?;
        if !value.is_null() {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("gave up waiting for {what}");
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn read_switch(client: &Client) -> anyhow::Result<bool> {
    let element = client
        .wait()
        .at_most(DEADLINE)
        .every(POLL)
        .for_element(Locator::Css(SWITCH))
        .await?;
    Ok(element.prop("checked").await?.as_deref() == Some("true"))
}

async fn sign_in(client: &Client, base: &Url, email: &str, password: &str) -> anyhow::Result<()> {
    client.goto(base.join("login")?.as_str()).await?;
    client
        .find(Locator::Css("input[name=session_key]"))
        .await?
        .send_keys(email)
        .await?;
    client
        .find(Locator::Css("input[name=session_password]"))
        .await?
        .send_keys(password)
        .await?;
    client
        .find(Locator::Css("form.login__form button[type=submit]"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(DEADLINE)
        .every(POLL)
        .for_element(Locator::Css("nav.global-nav"))
        .await?;
    phase("signed in");
    Ok(())
}

async fn cold(client: &Client, base: &Url, email: &str, password: &str) -> anyhow::Result<bool> {
    sign_in(client, base, email, password).await?;
    client.goto(base.join(SETTING)?.as_str()).await?;
    if read_switch(client).await? {
        client.find(Locator::Css(SWITCH)).await?.click().await?;
        let confirm = format!(
            "const el = document.querySelector({SWITCH:?});
             return el && el.getAttribute('aria-busy') !== 'true'
               && el.getAttribute('aria-checked') === 'false' ? true : null;"
        );
        poll_script(client, "the switch to read off", &confirm, vec![]).await?;
    }
    client.refresh().await?;
    read_switch(client).await
}

async fn restore_session(client: &Client, base: &Url, session_json: &str) -> anyhow::Result<()> {
    let session: Value = serde_json::from_str(
        &std::fs::read_to_string(session_json)
            .with_context(|| format!("reading {session_json}"))?,
    )?;
    let robots = base.join("robots.txt")?;
    client.goto(robots.as_str()).await?;
    let host = robots.host_str().unwrap_or_default().to_string();
    for saved in session["cookies"]
        .as_array()
        .context("no cookies in the session")?
    {
        let mut cookie = Cookie::new(
            saved["name"].as_str().unwrap_or_default().to_string(),
            saved["value"].as_str().unwrap_or_default().to_string(),
        );
        cookie.set_domain(saved["domain"].as_str().unwrap_or(&host).to_string());
        cookie.set_path(saved["path"].as_str().unwrap_or("/").to_string());
        cookie.set_same_site(SameSite::Lax);
        client.add_cookie(cookie).await?;
    }
    Ok(())
}

async fn warm(client: &Client, base: &Url, session_json: &str) -> anyhow::Result<bool> {
    restore_session(client, base, session_json).await?;
    client.goto(base.join(SETTING)?.as_str()).await?;
    read_switch(client).await
}

/// Reads the page's `switches` by their keys once each is drawn and not saving: `true` for
/// `aria-checked="true"`.
async fn read_switches(client: &Client, switches: &[Switch]) -> anyhow::Result<Vec<bool>> {
    const READ: &str = "const out = [];
        for (const selector of arguments[0]) {
          const el = document.querySelector(selector);
          const state = el && el.getAttribute('aria-busy') !== 'true' && el.getAttribute('aria-checked');
          if (state !== 'true' && state !== 'false') return null;
          out.push(state === 'true');
        }
        return out;";
    let selectors: Vec<String> = switches.iter().map(Switch::selector).collect();
    let states = poll_script(client, "the switches", READ, vec![selectors.into()]).await?;
    Ok(serde_json::from_value(states)?)
}

fn page_url(base: &Url, path: &str) -> anyhow::Result<Url> {
    Ok(base.join("mypreferences/d/")?.join(path)?)
}

/// With `BENCH_FLOOR_SCREENSHOTS` set, one screenshot of the page as it is, thrown away: the
/// least a receipt of the reading costs.
async fn proof(client: &Client) -> anyhow::Result<()> {
    if std::env::var_os("BENCH_FLOOR_SCREENSHOTS").is_some() {
        client.screenshot().await?;
    }
    Ok(())
}

/// Opens each page of the catalogue once and reads its switches.
async fn audit_all(client: &Client, base: &Url) -> anyhow::Result<Vec<(String, bool)>> {
    let mut read = Vec::new();
    for (path, switches) in pages()? {
        client.goto(page_url(base, &path)?.as_str()).await?;
        let states = read_switches(client, &switches).await?;
        proof(client).await?;
        phase(&format!("{path} opened and read"));
        read.extend(switches.into_iter().map(|s| s.name).zip(states));
    }
    Ok(read)
}

/// For each page of the catalogue: read; click every switch that is on, wait until the page
/// shows each saved off, reload once and read again.
async fn optout_all(client: &Client, base: &Url) -> anyhow::Result<Vec<(String, bool)>> {
    const SAVED_OFF: &str = "for (const selector of arguments[0]) {
          const el = document.querySelector(selector);
          if (!el || el.getAttribute('aria-busy') === 'true'
              || el.getAttribute('aria-checked') !== 'false') return null;
        }
        return true;";
    let mut read = Vec::new();
    for (path, switches) in pages()? {
        client.goto(page_url(base, &path)?.as_str()).await?;
        let mut states = read_switches(client, &switches).await?;
        phase(&format!("{path} opened and read"));
        let on: Vec<String> = switches
            .iter()
            .zip(&states)
            .filter(|(_, on)| **on)
            .map(|(s, _)| s.selector())
            .collect();
        if !on.is_empty() {
            for selector in &on {
                client.find(Locator::Css(selector)).await?.click().await?;
            }
            poll_script(
                client,
                "the switches to save off",
                SAVED_OFF,
                vec![on.into()],
            )
            .await?;
            phase(&format!("{path} switched off"));
            client.refresh().await?;
            states = read_switches(client, &switches).await?;
            phase(&format!("{path} reloaded and read"));
            if states.contains(&true) {
                bail!("a switch of {path} read on again after the reload");
            }
        }
        proof(client).await?;
        read.extend(switches.into_iter().map(|s| s.name).zip(states));
    }
    Ok(read)
}

/// The mode's work in the open session: what it read last, by switch name (`""` for the
/// single setting of `cold` and `warm`).
async fn work(
    client: &Client,
    base: &Url,
    mode: &str,
    args: &[String],
    usage: &str,
) -> anyhow::Result<Vec<(String, bool)>> {
    Ok(match (mode, args) {
        ("cold", [email, password]) => {
            vec![(String::new(), cold(client, base, email, password).await?)]
        }
        ("warm", [session]) => vec![(String::new(), warm(client, base, session).await?)],
        ("audit-all", [session]) => {
            restore_session(client, base, session).await?;
            audit_all(client, base).await?
        }
        ("audit-all", [email, password]) => {
            sign_in(client, base, email, password).await?;
            audit_all(client, base).await?
        }
        ("optout-all", [email, password]) => {
            sign_in(client, base, email, password).await?;
            optout_all(client, base).await?
        }
        _ => bail!("{usage}"),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_floor cold BASE_URL EMAIL PASSWORD | warm BASE_URL SESSION_JSON \
                 | audit-all BASE_URL (SESSION_JSON | EMAIL PASSWORD) \
                 | optout-all BASE_URL EMAIL PASSWORD";
    let (mode, base) = match args.as_slice() {
        [mode, base, ..] => (mode.as_str(), Url::parse(base).context("BASE_URL")?),
        _ => bail!(usage),
    };
    STARTED.get_or_init(Instant::now);
    let (driver, driver_url) = start_driver().await?;
    phase("chromedriver listens");
    let profile = tempfile::Builder::new()
        .prefix("bench-floor-profile-")
        .tempdir()?;
    let mut builder = ClientBuilder::rustls()?;
    let headless = SessionOptions {
        browser: BrowserKind::Chrome,
        headed: false,
        timeout: std::time::Duration::from_secs(30),
    };
    // The tool's own capabilities, so the floor starts the very same browser.
    builder.capabilities(capabilities(headless, true, Some(profile.path()), &[]));
    let client = builder.connect(driver_url.as_str()).await?;
    phase("browser session open (Chromium started)");
    let result = work(&client, &base, mode, &args[2..], usage).await;
    phase("work done");
    let closed = client.close().await;
    phase("session closed");
    drop(driver);
    drop(profile);
    phase("driver stopped, profile removed");
    let read = result?;
    closed?;
    for (name, on) in read {
        let state = if on { "on" } else { "off" };
        match name.as_str() {
            "" => println!("{state}"),
            name => println!("{name} {state}"),
        }
    }
    Ok(())
}
