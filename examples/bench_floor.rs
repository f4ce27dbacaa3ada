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
//! ```
//! Prints `on` or `off` (the switch as read last) and exits 0, or fails. With
//! `BENCH_FLOOR_PHASES=1` it also prints, on stderr, how long each phase took.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use cookie::{Cookie, SameSite};
use fantoccini::{Client, ClientBuilder, Locator};
use linkedin_optout::browser::BrowserKind;
use linkedin_optout::browser::{SessionOptions, capabilities};
use serde_json::Value;
use url::Url;

const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);
const SETTING: &str = "mypreferences/d/settings/data-for-ai-improvement";
const SWITCH: &str = "input[type=checkbox][role=switch][aria-labelledby=allowDataForGenerativeAI]";

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

/// Polls `script` (no arguments) until it returns something other than null.
async fn poll_script(client: &Client, what: &str, script: &str) -> anyhow::Result<Value> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let value = client.execute(script, vec![]).await?;
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

async fn cold(client: &Client, base: &Url, email: &str, password: &str) -> anyhow::Result<bool> {
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
    client.goto(base.join(SETTING)?.as_str()).await?;
    if read_switch(client).await? {
        client.find(Locator::Css(SWITCH)).await?.click().await?;
        let confirm = format!(
            "const el = document.querySelector({SWITCH:?});
             return el && el.getAttribute('aria-busy') !== 'true'
               && el.getAttribute('aria-checked') === 'false' ? true : null;"
        );
        poll_script(client, "the switch to read off", &confirm).await?;
    }
    client.refresh().await?;
    read_switch(client).await
}

async fn warm(client: &Client, base: &Url, session_json: &str) -> anyhow::Result<bool> {
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
    client.goto(base.join(SETTING)?.as_str()).await?;
    read_switch(client).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_floor cold BASE_URL EMAIL PASSWORD | warm BASE_URL SESSION_JSON";
    let (mode, base) = match args.as_slice() {
        [mode, base, ..] => (mode.as_str(), Url::parse(base).context("BASE_URL")?),
        _ => bail!(usage),
    };
    let phases = std::env::var_os("BENCH_FLOOR_PHASES").is_some();
    let started = Instant::now();
    let phase = |name: &str| {
        if phases {
            eprintln!("{:>6} ms  {name}", started.elapsed().as_millis());
        }
    };
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
    let result = match (mode, &args[2..]) {
        ("cold", [email, password]) => cold(&client, &base, email, password).await,
        ("warm", [session]) => warm(&client, &base, session).await,
        _ => Err(anyhow::anyhow!(usage)),
    };
    phase("work done");
    let closed = client.close().await;
    phase("session closed");
    drop(driver);
    drop(profile);
    phase("driver stopped, profile removed");
    let on = result?;
    closed?;
    println!("{}", if on { "on" } else { "off" });
    Ok(())
}
