//! `schedule install|show|remove`'s sequences: this tool's line in the user's crontab.
//!
//! The line repeats the options that decide what a run acts on, taken from what the user
//! typed or set in the environment (the config file the job reads itself), because cron
//! starts jobs with almost no environment. `job` alone builds it, and `carried` alone turns
//! the global options into its arguments: a global option is either carried there or named,
//! with the reason, in `NOT_CARRIED` (a test holds the two to `cli::GlobalArgs`). The line
//! never holds a secret: those come from the keyring or the credentials file at run time.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use jiff::Zoned;
use serde::Serialize;

use crate::browser::BrowserKind;
use crate::cli::GlobalArgs;
use crate::config::Settings;
use crate::error::Error;
use crate::schedule::{self, CronTimes, Every, Job, TimeOfDay};
use crate::state::absolute_path;

/// The global options a scheduled run does not repeat, each with why (the ids are clap's).
pub const NOT_CARRIED: &[(&str, &str)] = &[
    ("headed", "cron has no display to show a browser window on"),
    (
        "json",
        "the job writes for the person reading cron's mail or cron.log",
    ),
    ("quiet", "the job always runs with `--quiet`: only news"),
    (
        "color",
        "the job writes to cron.log or cron's mail, where `auto` colours nothing",
    ),
    (
        "verbose",
        "how much `schedule install` logs is not how much every run should",
    ),
];

/// When a line fires next, from now.
#[derive(Debug, Clone, Serialize)]
pub struct NextRun {
    /// RFC 3339 with the machine's offset; `None` when it never fires within a year or its
    /// times are not understood.
    pub next_run: Option<String>,
    /// The human line: `next run: <time> (in <wait>)`.
    #[serde(skip)]
    pub shown: String,
}

/// `schedule install`'s report: the line written.
#[derive(Debug, Clone, Serialize)]
pub struct Installed {
    pub config: PathBuf,
    pub line: String,
    #[serde(flatten)]
    pub next: NextRun,
}

/// What the installed line is, next to the one `schedule install` would write now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(strum::EnumIter))]
pub enum Verdict {
    UpToDate,
    /// It runs, but not what `schedule install` would write now (another binary, options).
    Stale,
    /// cron cannot run it as meant.
    Broken,
    /// No line is installed for this config.
    NotInstalled,
}

/// `schedule show`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub config: PathBuf,
    /// The installed line; `None` when there is none for this config.
    pub line: Option<String>,
    #[serde(flatten)]
    pub next: NextRun,
    pub verdict: Verdict,
    /// Why the line is stale or broken.
    pub why: Option<String>,
    /// Each account's last successful reading: a silent schedule told apart from a dead one.
    pub last_readings: Vec<super::history::LastReading>,
}

/// `schedule remove`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    pub config: PathBuf,
    /// Whether there was a line to remove.
    pub removed: bool,
}

/// Adds (or replaces) this config's line, firing `every`, from `at` when given.
pub fn install(
    settings: &Settings,
    global: &GlobalArgs,
    every: &str,
    at: Option<&str>,
) -> Result<Installed, Error> {
    let every = Every::parse(every)?;
    let at = at.map(TimeOfDay::parse).transpose()?;
    let times = CronTimes::new(every, at, &mut rand::rng())?;
    let job = job(settings, global)?;
    // The shell opens the log before the tool starts: its directory must already exist.
    std::fs::create_dir_all(&settings.state_dir).map_err(|err| {
        anyhow::anyhow!(
            "cannot create the state directory {}: {err}",
            settings.state_dir.display()
        )
    })?;
    let marker = schedule::marker(&settings.config_path);
    let line = job.line(&times, &marker)?;
    let crontab = schedule::read_crontab()?;
    schedule::write_crontab(&schedule::with_line(&crontab, &marker, Some(&line)))?;
    Ok(Installed {
        config: settings.config_path.clone(),
        line,
        next: next_run(Some(&times)),
    })
}

/// This config's installed line, when it fires next, and whether it is the line `install`
/// would write now.
pub fn show(settings: &Settings, global: &GlobalArgs) -> Result<Shown, Error> {
    let crontab = schedule::read_crontab()?;
    let marker = schedule::marker(&settings.config_path);
    let Some(line) = schedule::find_line(&crontab, &marker) else {
        return Ok(Shown {
            config: settings.config_path.clone(),
            line: None,
            next: NextRun {
                next_run: None,
                shown: String::new(),
            },
            verdict: Verdict::NotInstalled,
            why: None,
            last_readings: last_readings(settings),
        });
    };
    let times = CronTimes::parse(line);
    let (verdict, why) = check_line(settings, global, line, times.as_ref());
    Ok(Shown {
        config: settings.config_path.clone(),
        line: Some(line.to_string()),
        next: next_run(times.as_ref()),
        verdict,
        why,
        last_readings: last_readings(settings),
    })
}

/// The accounts' last readings; a history that cannot be read is a warning here (`history`
/// and `doctor` name why).
fn last_readings(settings: &Settings) -> Vec<super::history::LastReading> {
    super::history::last_readings(settings).unwrap_or_else(|err| {
        tracing::warn!("cannot tell when the switches were last read: {err}");
        Vec::new()
    })
}

/// Removes this config's line, keeping every other line.
pub fn remove(settings: &Settings) -> Result<Removed, Error> {
    let crontab = schedule::read_crontab()?;
    let marker = schedule::marker(&settings.config_path);
    let removed = schedule::find_line(&crontab, &marker).is_some();
    if removed {
        schedule::write_crontab(&schedule::with_line(&crontab, &marker, None))?;
    }
    Ok(Removed {
        config: settings.config_path.clone(),
        removed,
    })
}

fn check_line(
    settings: &Settings,
    global: &GlobalArgs,
    installed: &str,
    times: Option<&CronTimes>,
) -> (Verdict, Option<String>) {
    if let Some(at) = schedule::cron_cut(installed) {
        return (
            Verdict::Broken,
            Some(format!(
                "cron cuts this line at the `%` at character {}, so the job never runs as written",
                installed[..at].chars().count() + 1
            )),
        );
    }
    let Some(times) = times else {
        return (
            Verdict::Broken,
            Some("cron does not understand its times".to_string()),
        );
    };
    let expected = match job(settings, global).and_then(|job| {
        let marker = schedule::marker(&settings.config_path);
        job.line(times, &marker)
    }) {
        Ok(expected) => expected,
        Err(err) => {
            return (
                Verdict::Broken,
                Some(format!("it cannot be written now: {err}")),
            );
        }
    };
    if expected == installed {
        return (Verdict::UpToDate, None);
    }
    let words = |line: &str| {
        line.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (now, then) = (words(&expected), words(installed));
    let only = |these: &[String], not_in: &[String]| {
        let differ: Vec<&str> = these
            .iter()
            .filter(|w| !not_in.contains(w))
            .map(String::as_str)
            .collect();
        if differ.is_empty() {
            "nothing".to_string()
        } else {
            format!("`{}`", crate::input::shown(&differ.join(" ")))
        }
    };
    (
        Verdict::Stale,
        Some(format!(
            "the installed line differs from the one `schedule install` would write now with these options (installed: {}; now: {})",
            only(&then, &now),
            only(&now, &then)
        )),
    )
}

/// The command cron runs: `optout --quiet --watch-policy` (the privacy policy checked once a
/// week) with the global options carried, in the environment a run needs.
pub fn job(settings: &Settings, global: &GlobalArgs) -> Result<Job, Error> {
    let program = std::env::current_exe()
        .and_then(|exe| exe.canonicalize())
        .map_err(|err| anyhow::anyhow!("cannot find this program's own path: {err}"))?;
    let mut args: Vec<String> = vec!["optout".into(), "--quiet".into(), "--watch-policy".into()];
    args.extend(carried(global, &settings.config_path)?);
    // SAFETY: getuid(2) cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    let mut env = vec![
        (
            "PATH".to_string(),
            schedule::job_path(std::env::var_os("PATH").as_deref()),
        ),
        // The keyring's D-Bus session lives there; cron does not set it.
        ("XDG_RUNTIME_DIR".to_string(), format!("/run/user/{uid}")),
    ];
    // The scheduled run must find the same config and state as the command that installed
    // it, and cron sets HOME from the password database, nothing else.
    for key in [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
    ] {
        if let Some(value) = std::env::var_os(key) {
            env.push((key.to_string(), os_arg(key, &value)?));
        }
    }
    Ok(Job {
        env,
        program,
        args,
        log: settings.state_dir.join("cron.log"),
    })
}

/// The global options as the job's arguments: every one, unless `NOT_CARRIED` says why not.
/// Paths are made absolute (cron starts in the home directory). `config_path` is named in the
/// error about a URL that carries credentials.
fn carried(global: &GlobalArgs, config_path: &Path) -> Result<Vec<String>, Error> {
    // No `..`: a new global option does not compile until it is carried here or listed in
    // `NOT_CARRIED`.
    let GlobalArgs {
        accounts,
        settings,
        base_url,
        // Carried as `--base-url` whatever it came from.
        base_url_from_environment: _,
        allow_base_url,
        webdriver,
        insecure_webdriver,
        browser,
        headed: _,
        json: _,
        quiet: _,
        color: _,
        verbose: _,
        config,
        timeout,
        credentials_file,
        rules,
        artifacts_dir,
        browser_args,
        parallel,
        notify_command,
    } = global;
    let mut args: Vec<String> = Vec::new();
    let mut push = |flag: &str, value: String| {
        args.push(flag.to_string());
        args.push(value);
    };
    if let Some(config) = config {
        push("--config", path_arg(&absolute_path(config))?);
    }
    for account in accounts {
        push("--account", account.clone());
    }
    // Names the catalogue knows (checked as the settings were resolved), or `all`.
    for setting in settings {
        push("--setting", setting.clone());
    }
    // A crontab is readable by whoever reads the spool or `ps`: no credentials on the line.
    for url in [base_url, webdriver].into_iter().flatten() {
        if crate::security::has_credentials(url) {
            return Err(Error::Usage(format!(
                "{} carries a user name or password, which would be written into the crontab: put the URL in the config file (`webdriver = \"…\"`, mode 0600: {}) instead",
                crate::security::for_display(url),
                config_path.display()
            )));
        }
    }
    if let Some(url) = base_url {
        push("--base-url", url.to_string());
    }
    if let Some(url) = webdriver {
        push("--webdriver", url.to_string());
    }
    if let Some(browser) = browser {
        let name = match browser {
            BrowserKind::Chrome => "chrome",
            BrowserKind::Firefox => "firefox",
        };
        push("--browser", name.to_string());
    }
    if let Some(file) = credentials_file {
        push("--credentials-file", path_arg(&absolute_path(file))?);
    }
    if let Some(file) = rules {
        push("--rules", path_arg(&absolute_path(file))?);
    }
    if let Some(parallel) = parallel {
        push("--parallel", parallel.to_string());
    }
    if let Some(command) = notify_command {
        push("--notify-command", command.clone());
    }
    for arg in browser_args {
        push("--browser-arg", arg.clone());
    }
    if let Some(timeout) = timeout {
        push("--timeout", timeout.to_string());
    }
    if let Some(dir) = artifacts_dir {
        push("--artifacts-dir", path_arg(&absolute_path(dir))?);
    }
    if *allow_base_url {
        args.push("--allow-base-url".to_string());
    }
    if *insecure_webdriver {
        args.push("--insecure-webdriver".to_string());
    }
    Ok(args)
}

fn path_arg(path: &Path) -> Result<String, Error> {
    os_arg(&path.display().to_string(), path.as_os_str())
}

fn os_arg(what: &str, value: &OsStr) -> Result<String, Error> {
    value.to_str().map(str::to_string).ok_or_else(|| {
        Error::Usage(format!(
            "{what} is not valid UTF-8 and cannot be written into a crontab line"
        ))
    })
}

fn next_run(times: Option<&CronTimes>) -> NextRun {
    let Some(times) = times else {
        return NextRun {
            next_run: None,
            shown: "next run: unknown (the line's times are not understood)".to_string(),
        };
    };
    let now = Zoned::now();
    match times.next_run(&now) {
        Some(next) => {
            let minutes = (next.timestamp().as_second() - now.timestamp().as_second() + 59) / 60;
            let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
            let wait = if days > 0 {
                format!("{days}d {hours}h")
            } else {
                format!("{hours}h {minutes:02}m")
            };
            NextRun {
                next_run: Some(next.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()),
                shown: format!(
                    "next run: {} (in {wait})",
                    next.strftime("%Y-%m-%d %H:%M %Z")
                ),
            }
        }
        None => NextRun {
            next_run: None,
            shown: "next run: never within a year".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory as _, Parser as _};

    /// Every `verdict` of `schedule show --json` is one the README's `--json` table lists.
    #[test]
    fn the_readme_lists_every_verdict() {
        use strum::IntoEnumIterator as _;
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"),
        )
        .unwrap();
        let row = readme
            .lines()
            .find(|line| line.starts_with("| `schedule show` |"))
            .expect("the README's `--json` table has a row for `schedule show`");
        for verdict in Verdict::iter() {
            let value = serde_json::to_string(&verdict).unwrap();
            assert!(row.contains(&format!("`{value}`")), "{value}: {row}");
        }
    }

    use crate::cli::Cli;

    /// A value each global option that takes one accepts (paths absolute: the line makes
    /// them so).
    const SAMPLES: &[(&str, &str)] = &[
        ("accounts", "you@example.com"),
        ("settings", "ads-by-age"),
        ("base_url", "http://127.0.0.1:8080/"),
        ("webdriver", "http://127.0.0.1:4444/"),
        ("browser", "firefox"),
        ("config", "/etc/linkedin-optout/config.toml"),
        ("timeout", "45"),
        ("credentials_file", "/etc/linkedin-optout/credentials.toml"),
        ("rules", "/etc/linkedin-optout/rules.toml"),
        ("artifacts_dir", "/var/tmp/artifacts"),
        ("browser_args", "--no-sandbox"),
        ("parallel", "3"),
        ("notify_command", "mail -s linkedin me@example.com"),
    ];

    fn globals() -> Vec<clap::Arg> {
        let command = Cli::command();
        command
            .get_arguments()
            .filter(|arg| arg.is_global_set())
            .cloned()
            .collect()
    }

    /// Fails when a global option is added to `cli::GlobalArgs` and neither reaches cron nor
    /// is listed in `NOT_CARRIED`: each option is typed, the job's arguments are parsed back,
    /// and the option must come out as typed.
    #[test]
    fn every_global_option_reaches_cron_or_is_listed_as_not_carried() {
        let globals = globals();
        assert!(globals.len() > 10, "clap's global options are found");
        for arg in &globals {
            let id = arg.get_id().as_str();
            if NOT_CARRIED.iter().any(|(not, _)| *not == id) {
                continue;
            }
            let flag = format!(
                "--{}",
                arg.get_long()
                    .unwrap_or_else(|| panic!("`{id}` has a long name"))
            );
            let mut typed = vec!["linkedin-optout".to_string(), flag.clone()];
            if arg.get_action().takes_values() {
                let sample = SAMPLES.iter().find(|(name, _)| *name == id).map_or_else(
                    || panic!("the global option {flag} is new: carry it in `carried` and give it a sample here, or list it in NOT_CARRIED with the reason"),
                    |(_, value)| *value,
                );
                typed.push(sample.to_string());
            }
            typed.extend(["schedule".to_string(), "show".to_string()]);
            let cli = Cli::try_parse_from(&typed).unwrap_or_else(|err| panic!("{typed:?}: {err}"));
            let carried = carried(&cli.global, Path::new("/config.toml")).unwrap();
            let mut job = vec![
                "linkedin-optout".to_string(),
                "optout".into(),
                "--quiet".into(),
            ];
            job.extend(carried);
            let raw = |words: &[String]| {
                let matches = Cli::command()
                    .try_get_matches_from(words)
                    .unwrap_or_else(|err| panic!("{words:?}: {err}"));
                let values: Vec<String> = matches
                    .get_raw(id)
                    .into_iter()
                    .flatten()
                    .map(|value| value.to_string_lossy().into_owned())
                    .collect();
                (
                    values,
                    matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine),
                )
            };
            let (typed_values, _) = raw(&typed);
            let (job_values, on_line) = raw(&job);
            assert!(
                on_line && job_values == typed_values,
                "{flag} does not reach cron (the job's line: {job:?}): carry it in `carried`, or list it in NOT_CARRIED with the reason"
            );
        }
    }

    #[test]
    fn not_carried_names_only_global_options() {
        let globals = globals();
        for (id, why) in NOT_CARRIED {
            assert!(!why.is_empty());
            assert!(
                globals.iter().any(|arg| arg.get_id().as_str() == *id),
                "NOT_CARRIED names `{id}`, which is no global option"
            );
        }
    }
}
