//! `doctor`'s checks that everything a run needs is in place, each with the fix when it
//! fails: config, browser and driver (matching versions), a WebDriver session, each secret
//! source for each account, the base URL, and, when asked, the policy watch.

use std::time::Duration;

use serde::Serialize;

use super::driver::{self, DriverPlace};
use super::session;
use crate::browser;
use crate::browser::BrowserKind;
use crate::browser::driver::{find_driver, find_program};
use crate::cli::GlobalArgs;
use crate::config::{self, Settings};
use crate::error::exit;
use crate::secrets::SourceStatus;
use crate::security;

/// One check's verdict.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    /// What was found, or what is wrong and its fix.
    pub result: Result<String, String>,
    /// The exit code this check's failure stands for; 0 when the failure does not stop a
    /// run (a warning).
    pub code: u8,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Failed, but a run goes on: worth knowing.
    Warn,
    /// A run would fail with this check's exit code.
    Fail,
}

impl Check {
    pub fn status(&self) -> Status {
        match &self.result {
            Ok(_) => Status::Ok,
            Err(_) if self.code == exit::OFF => Status::Warn,
            Err(_) => Status::Fail,
        }
    }

    /// What was found, or the fix.
    pub fn detail(&self) -> &str {
        match &self.result {
            Ok(detail) | Err(detail) => detail,
        }
    }
}

/// A check as its `--json` object: `check`, `status` (`ok`, `warn` or `fail`), `detail` and
/// `exit_code` (what its failure stands for; 0 for a warning).
impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut object = serializer.serialize_struct("Check", 4)?;
        object.serialize_field("check", &self.name)?;
        object.serialize_field("status", &self.status())?;
        object.serialize_field("detail", self.detail())?;
        object.serialize_field(
            "exit_code",
            &if self.status() == Status::Ok {
                exit::OFF
            } else {
                self.code
            },
        )?;
        object.end()
    }
}

/// Every check, in the order run.
#[derive(Debug, Clone, Serialize)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    /// The highest exit code of a failed check; 0 when all passed or only warned.
    pub fn exit_code(&self) -> u8 {
        self.0
            .iter()
            .filter(|check| check.result.is_err())
            .map(|check| check.code)
            .max()
            .unwrap_or(exit::OFF)
    }
}

/// Runs every check (with `policy`, the policy watch last); a configuration that does not
/// resolve is the first check's failure.
pub async fn doctor(global: &GlobalArgs, policy: bool) -> Checks {
    let mut checks = Vec::new();
    let (settings, rules) = match config::resolve_apart_from_rules(global) {
        Ok(resolved) => resolved,
        Err(err) => {
            checks.push(Check {
                name: "config".into(),
                result: Err(err.to_string()),
                code: exit::USAGE,
            });
            return Checks(checks);
        }
    };
    checks.push(Check {
        name: "config".into(),
        result: Ok(format!(
            "{} ({} account{})",
            settings.config_path.display(),
            settings.accounts.len(),
            if settings.accounts.len() == 1 {
                ""
            } else {
                "s"
            }
        )),
        code: exit::USAGE,
    });
    checks.push(rules_check(&settings, rules));
    checks.push(state_dir_check(&settings.state_dir));
    checks.push(super::history::last_reading_check(&settings));
    let browser = settings
        .accounts
        .first()
        .map_or(BrowserKind::Chrome, |a| a.browser);
    if settings.webdriver.is_none() {
        checks.extend(browser_and_driver(browser));
    }
    checks.extend(security_checks(&settings, browser));
    checks.push(session_check(&settings, browser).await);
    checks.extend(secret_checks(&settings).await);
    checks.extend(base_url_checks(&settings).await);
    if policy {
        checks.push(policy_check(&settings).await);
    }
    Checks(checks)
}

/// The policy watch (`policy check`), as a warning whatever it finds: a new link is worth a
/// look, and a policy page that cannot be read stops no run. It tells a new link once, as
/// `policy check` does.
async fn policy_check(settings: &Settings) -> Check {
    let result = match super::policy::check(settings).await {
        Ok(checked) => match &checked.warning {
            Some(warning) => Err(warning.clone()),
            None if checked.new_links.is_empty() => Ok(format!(
                "{} links no settings page or help form that the tool does not know ({} that it knows)",
                checked.page_url, checked.known_links
            )),
            None => Err(format!(
                "{} links {} that the tool does not know (reported this once): open each, LinkedIn may have added a switch\n{}",
                checked.page_url,
                match checked.new_links.len() {
                    1 => "1 page".to_string(),
                    n => format!("{n} pages"),
                },
                checked
                    .new_links
                    .iter()
                    .map(|link| format!("{}  \"{}\"", link.url, link.text))
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
        },
        Err(err) => Err(format!(
            "could not check it: {}",
            err.to_string().replace(crate::error::SEE_DOCTOR, "")
        )),
    };
    Check {
        name: "privacy policy".into(),
        result,
        code: exit::OFF,
    }
}

/// The catalogue in force: built in, or with the override file applied; a mistake in that
/// file names its line.
fn rules_check(settings: &Settings, rules: Result<(), crate::error::Error>) -> Check {
    let catalogue = &settings.catalogue;
    let count = catalogue.entries().len();
    Check {
        name: "rules".into(),
        result: rules
            .map_err(|err| err.to_string())
            .map(|()| match catalogue.source() {
                None => format!("built-in catalogue ({count} switches)"),
                Some(file) => {
                    let changed = catalogue
                        .entries()
                        .iter()
                        .filter(|entry| !entry.overridden.is_empty())
                        .count();
                    format!(
                        "{} overrides {changed} of {count} switches (`rules show` lists them)",
                        file.display()
                    )
                }
            }),
        code: exit::USAGE,
    }
}

/// Whether the state directory (history, receipts, sessions, the run lock) can be written:
/// a run goes on without it, but loses its proof. Nothing is created: where the directory
/// is not there yet, the first directory above it that is must take it.
fn state_dir_check(state_dir: &std::path::Path) -> Check {
    let receipts = crate::state::receipts::root(state_dir);
    let probe = |dir: &std::path::Path| {
        tempfile::Builder::new()
            .prefix(".write-test-")
            .tempfile_in(dir)
            .map(drop)
    };
    let result = match state_dir.ancestors().find(|dir| dir.exists()) {
        Some(dir) if dir == state_dir => [state_dir, receipts.as_path()]
            .into_iter()
            .filter(|dir| dir.exists())
            .try_for_each(|dir| probe(dir).map_err(|err| (dir.to_path_buf(), err)))
            .map(|()| format!("{} is writable", state_dir.display())),
        Some(parent) => probe(parent)
            .map(|()| format!("{} will be created on the first run", state_dir.display()))
            .map_err(|err| (parent.to_path_buf(), err)),
        None => Ok(format!("{} will be created", state_dir.display())),
    };
    Check {
        name: "state directory".into(),
        result: result.map_err(|(dir, err)| {
            format!(
                "cannot write in {} ({err}): runs would lose their history and receipts; make it writable (or set XDG_STATE_HOME)",
                dir.display()
            )
        }),
        code: exit::OTHER,
    }
}

/// The first line a program prints for `--version`.
fn version_of(program: &std::path::Path) -> Option<String> {
    let output = std::process::Command::new(program)
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().next().map(|line| line.trim().to_string())
}

/// The major version: the first number with a dot after it.
fn major(version: &str) -> Option<&str> {
    version
        .split_whitespace()
        .find(|word| word.contains('.') && word.starts_with(|c: char| c.is_ascii_digit()))
        .and_then(|word| word.split('.').next())
}

fn browser_and_driver(browser: BrowserKind) -> Vec<Check> {
    let names: &[&str] = match browser {
        BrowserKind::Chrome => &["chromium", "chromium-browser", "google-chrome", "chrome"],
        BrowserKind::Firefox => &["firefox", "firefox-esr"],
    };
    let browser_version = find_program(names, &[]).map(|found| {
        let version = version_of(&found.path).unwrap_or_else(|| "version unknown".into());
        (found.path, version)
    });
    let browser_check = Check {
        name: "browser".into(),
        result: match &browser_version {
            Some((path, version)) => Ok(format!("{version} ({})", path.display())),
            None => Err(format!(
                "no {} found: install it (Debian: `apt-get install chromium chromium-driver`) or pass `--webdriver URL`",
                names[0]
            )),
        },
        code: exit::BROWSER_UNAVAILABLE,
    };
    let driver_check = Check {
        name: "driver".into(),
        result: find_driver(browser)
            .map_err(|err| err.to_string().replace(crate::error::SEE_DOCTOR, ""))
            .and_then(|found| {
                let version = version_of(&found.path).unwrap_or_else(|| "version unknown".into());
                let browser_major = browser_version.as_ref().and_then(|(_, v)| major(v));
                match (browser, browser_major, major(&version)) {
                    (BrowserKind::Chrome, Some(b), Some(d)) if b != d => Err(format!(
                        "{version} does not match the browser (major {b}): install the driver of the same version"
                    )),
                    _ => Ok(format!("{version} ({found})")),
                }
            }),
        code: exit::BROWSER_UNAVAILABLE,
    };
    vec![browser_check, driver_check]
}

/// What stays open or allowed, as warnings: never a failure, always worth knowing.
fn security_checks(settings: &Settings, browser: BrowserKind) -> Vec<Check> {
    let warning = |name: &str, result: Result<String, String>| Check {
        name: name.into(),
        result,
        code: exit::OFF,
    };
    let mut checks = Vec::new();
    let from_env = security::settings_from_environment();
    checks.push(warning(
        "environment",
        Ok(if from_env.is_empty() {
            "no setting comes from LINKEDIN_OPTOUT_* variables".to_string()
        } else {
            format!(
                "from the environment: {}",
                from_env
                    .iter()
                    .map(|(variable, setting)| format!("{setting} ({variable})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    ));
    let mut urls: Vec<&url::Url> = settings.accounts.iter().map(|a| &a.base_url).collect();
    urls.dedup();
    for url in urls {
        if !security::is_trusted_base_url(url) {
            checks.push(warning(
                "base URL",
                Err(format!(
                    "{}: check that you mean it",
                    security::untrusted_base_url_note(url)
                )),
            ));
        }
    }
    match &settings.webdriver {
        Some(url) => checks.push(warning(
            "webdriver",
            if url.scheme() == "http" && !security::is_loopback(url) {
                Err(format!(
                    "{} is reached over plain http (allowed by `--insecure-webdriver`): whoever runs or watches it sees the password",
                    security::for_display(url)
                ))
            } else {
                Ok(format!(
                    "{}: whoever runs that server sees the password",
                    security::for_display(url)
                ))
            },
        )),
        None => {
            let others = security::other_users_with_processes();
            let port = match browser {
                BrowserKind::Chrome => "no DevTools port (a pipe); the driver's port answers only under a secret path hidden from other users once it listens",
                BrowserKind::Firefox => "geckodriver's port and Firefox's Marionette port are open to every local user during a run",
            };
            checks.push(warning(
                "driver port",
                if others.is_empty() {
                    Ok(format!("{port}; no other user has processes here"))
                } else {
                    Err(format!(
                        "{port}; other users have processes here (uid {}): on a shared machine use the container (docker-compose.yml)",
                        others
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                },
            ));
            if browser == BrowserKind::Chrome && security::running_as_root() {
                checks.push(warning(
                    "sandbox",
                    Err(security::ROOT_SANDBOX_WARNING.to_string()),
                ));
            }
        }
    }
    checks
}

async fn session_check(settings: &Settings, browser: BrowserKind) -> Check {
    let cancel = browser::shutdown_on_signal();
    let result = async {
        let place = DriverPlace {
            // A check's driver is no run's: nothing to record or clean up after.
            state_dir: None,
            ..DriverPlace::of_settings(settings)
        };
        let driver = driver::start_one(place, browser).await?;
        let opened = match driver.url().await {
            Ok(url) => {
                let shown = driver.shown(&url);
                session::probe(&driver, browser, settings.timeout, &cancel)
                    .await
                    .map(|()| shown)
            }
            Err(err) => Err(err),
        };
        driver.stop();
        opened.map(|shown| format!("a session starts at {shown}"))
    }
    .await;
    Check {
        name: "webdriver session".into(),
        // The advice to run `doctor` is no advice here.
        result: result.map_err(|err| err.to_string().replace(crate::error::SEE_DOCTOR, "")),
        code: exit::BROWSER_UNAVAILABLE,
    }
}

async fn secret_checks(settings: &Settings) -> Vec<Check> {
    let chain = settings.secret_chain();
    let accounts: Vec<String> = settings.accounts.iter().map(|a| a.email.clone()).collect();
    let sources = chain.describe(&accounts).await;
    let has_password = |account: &str| {
        sources.iter().any(|source| {
            source
                .accounts
                .iter()
                .any(|held| held.account == account && held.has_password)
        })
    };
    let missing: Vec<&str> = accounts
        .iter()
        .map(String::as_str)
        .filter(|account| !has_password(account))
        .collect();
    // A source that cannot be used matters only while some account has no password.
    let source_code = if missing.is_empty() && !accounts.is_empty() {
        exit::OFF
    } else {
        exit::CREDENTIALS
    };
    let mut checks: Vec<Check> = sources
        .iter()
        .map(|source| Check {
            name: format!("secrets: {}", source.source),
            result: match &source.status {
                SourceStatus::Ready if source.accounts.is_empty() => Ok("ready".to_string()),
                SourceStatus::Ready => Ok(source
                    .accounts
                    .iter()
                    .map(|held| {
                        let password = if held.has_password {
                            "password"
                        } else {
                            "no password"
                        };
                        let session = if held.has_session { ", session" } else { "" };
                        format!("{}: {password}{session}", held.account)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")),
                SourceStatus::Absent => Ok("not set up (optional)".to_string()),
                SourceStatus::Unusable { reason } => {
                    Err(reason.replace(crate::error::SEE_DOCTOR, ""))
                }
            },
            code: source_code,
        })
        .collect();
    // A source that cannot be read says nothing about the password: the cause is that
    // source, named in its own check above, not a password that was never stored.
    let unreadable: Vec<String> = sources
        .iter()
        .filter(|source| matches!(source.status, SourceStatus::Unusable { .. }))
        .map(|source| source.source.to_string())
        .collect();
    checks.push(Check {
        name: "accounts".into(),
        result: if accounts.is_empty() {
            Err("none configured: run `linkedin-optout credentials set --account EMAIL`".into())
        } else if missing.is_empty() {
            Ok(format!("{} with a password", accounts.join(", ")))
        } else if !unreadable.is_empty() {
            Err(format!(
                "cannot tell whether {} has a password: {} cannot be read (its fix is above)",
                missing.join(", "),
                unreadable.join(", ")
            ))
        } else {
            Err(missing
                .iter()
                .map(|account| {
                    format!(
                        "no password for {account}: run `linkedin-optout credentials set --account {account}`"
                    )
                })
                .collect::<Vec<_>>()
                .join(crate::error::DETAIL))
        },
        code: exit::CREDENTIALS,
    });
    checks
}

async fn base_url_checks(settings: &Settings) -> Vec<Check> {
    let mut urls: Vec<&url::Url> = settings.accounts.iter().map(|a| &a.base_url).collect();
    urls.dedup();
    let mut checks = Vec::new();
    for url in urls {
        let host = url.host_str().unwrap_or_default().to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let connected = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await;
        checks.push(Check {
            name: format!("reach {url}"),
            result: match connected {
                Ok(Ok(_)) => Ok("reachable".into()),
                Ok(Err(err)) => Err(format!(
                    "cannot connect: {err}: check the network or `--base-url`"
                )),
                Err(_) => Err("no answer within 5 s: check the network or `--base-url`".into()),
            },
            code: exit::OTHER,
        });
    }
    checks
}
