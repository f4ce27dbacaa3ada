//! `schedule install|show|remove`: this tool's line in the user's crontab.
//!
//! The line repeats the options that decide what a run acts on (config, accounts, where
//! LinkedIn and the WebDriver are, the credentials file), taken from what the user typed or
//! set in the environment, because cron starts jobs with almost no environment. It never
//! holds a secret: those come from the keyring or the credentials file at run time.

use std::ffi::OsStr;

use jiff::Zoned;

use crate::cli::{GlobalArgs, ScheduleCommand, ScheduleInstallArgs};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::schedule::{self, CronTimes, Every, Job, TimeOfDay};
use crate::state::absolute_path;

pub async fn exec(
    settings: &Settings,
    global: &GlobalArgs,
    command: ScheduleCommand,
) -> Result<u8, Error> {
    match command {
        ScheduleCommand::Install(args) => install(settings, global, &args),
        ScheduleCommand::Show => show(settings, global),
        ScheduleCommand::Remove => remove(settings),
    }
}

fn install(
    settings: &Settings,
    global: &GlobalArgs,
    args: &ScheduleInstallArgs,
) -> Result<u8, Error> {
    let every = Every::parse(&args.every)?;
    let at = args.at.as_deref().map(TimeOfDay::parse).transpose()?;
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
    println!("installed in your crontab:\n{line}");
    print_next_run(&times);
    Ok(exit::OFF)
}

fn show(settings: &Settings, global: &GlobalArgs) -> Result<u8, Error> {
    let crontab = schedule::read_crontab()?;
    let marker = schedule::marker(&settings.config_path);
    let Some(line) = schedule::find_line(&crontab, &marker) else {
        eprintln!(
            "no schedule installed for config {}: add one with `linkedin-optout schedule install`",
            settings.config_path.display()
        );
        return Ok(exit::OTHER);
    };
    println!("{line}");
    let times = CronTimes::parse(line);
    match &times {
        Some(times) => print_next_run(times),
        None => println!("next run: unknown (the line's times are not understood)"),
    }
    match check_line(settings, global, line, times.as_ref()) {
        Verdict::UpToDate => Ok(exit::OFF),
        Verdict::Stale(why) => {
            eprintln!(
                "stale: {why}; run `linkedin-optout schedule install` with the options you want to write it again"
            );
            Ok(exit::OFF)
        }
        Verdict::Broken(why) => {
            eprintln!(
                "broken: {why}; run `linkedin-optout schedule install` again, or `linkedin-optout schedule remove`"
            );
            Ok(exit::OTHER)
        }
    }
}

/// What the installed line is, next to the one `schedule install` would write now.
enum Verdict {
    UpToDate,
    /// It runs, but not what `schedule install` would write now (another binary, options).
    Stale(String),
    /// cron cannot run it as meant.
    Broken(String),
}

fn check_line(
    settings: &Settings,
    global: &GlobalArgs,
    installed: &str,
    times: Option<&CronTimes>,
) -> Verdict {
    if let Some(at) = schedule::cron_cut(installed) {
        return Verdict::Broken(format!(
            "cron cuts this line at the `%` at character {}, so the job never runs as written",
            installed[..at].chars().count() + 1
        ));
    }
    let Some(times) = times else {
        return Verdict::Broken("cron does not understand its times".to_string());
    };
    let expected = match job(settings, global).and_then(|job| {
        let marker = schedule::marker(&settings.config_path);
        job.line(times, &marker)
    }) {
        Ok(expected) => expected,
        Err(err) => return Verdict::Broken(format!("it cannot be written now: {err}")),
    };
    if expected == installed {
        return Verdict::UpToDate;
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
    Verdict::Stale(format!(
        "the installed line differs from the one `schedule install` would write now with these options (installed: {}; now: {})",
        only(&then, &now),
        only(&now, &then)
    ))
}

fn remove(settings: &Settings) -> Result<u8, Error> {
    let crontab = schedule::read_crontab()?;
    let marker = schedule::marker(&settings.config_path);
    if schedule::find_line(&crontab, &marker).is_none() {
        println!(
            "no schedule was installed for config {}: nothing to remove",
            settings.config_path.display()
        );
        return Ok(exit::OFF);
    }
    schedule::write_crontab(&schedule::with_line(&crontab, &marker, None))?;
    println!(
        "removed the schedule for config {}",
        settings.config_path.display()
    );
    Ok(exit::OFF)
}

/// The command cron runs: `optout --quiet` with the options that select what to act on.
fn job(settings: &Settings, global: &GlobalArgs) -> Result<Job, Error> {
    let program = std::env::current_exe()
        .and_then(|exe| exe.canonicalize())
        .map_err(|err| anyhow::anyhow!("cannot find this program's own path: {err}"))?;
    let mut args: Vec<String> = vec!["optout".into(), "--quiet".into()];
    let mut push = |flag: &str, value: String| {
        args.push(flag.to_string());
        args.push(value);
    };
    if let Some(config) = &global.config {
        push("--config", path_arg(&absolute_path(config))?);
    }
    for account in &global.accounts {
        push("--account", account.clone());
    }
    // A crontab is readable by whoever reads the spool or `ps`: no credentials on the line.
    for url in [&global.base_url, &global.webdriver].into_iter().flatten() {
        if crate::security::has_credentials(url) {
            return Err(Error::Usage(format!(
                "{} carries a user name or password, which would be written into the crontab: put the URL in the config file (`webdriver = \"…\"`, mode 0600: {}) instead",
                crate::security::for_display(url),
                settings.config_path.display()
            )));
        }
    }
    if let Some(url) = &global.base_url {
        push("--base-url", url.to_string());
    }
    if let Some(url) = &global.webdriver {
        push("--webdriver", url.to_string());
    }
    if let Some(browser) = global.browser {
        let name = match browser {
            crate::browser::BrowserKind::Chrome => "chrome",
            crate::browser::BrowserKind::Firefox => "firefox",
        };
        push("--browser", name.to_string());
    }
    if let Some(file) = &global.credentials_file {
        push("--credentials-file", path_arg(&absolute_path(file))?);
    }
    if let Some(parallel) = global.parallel {
        push("--parallel", parallel.to_string());
    }
    if let Some(command) = &global.notify_command {
        push("--notify-command", command.clone());
    }
    for arg in &global.browser_args {
        push("--browser-arg", arg.clone());
    }
    if global.allow_base_url {
        args.push("--allow-base-url".to_string());
    }
    if global.insecure_webdriver {
        args.push("--insecure-webdriver".to_string());
    }
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

fn path_arg(path: &std::path::Path) -> Result<String, Error> {
    os_arg(&path.display().to_string(), path.as_os_str())
}

fn os_arg(what: &str, value: &OsStr) -> Result<String, Error> {
    value.to_str().map(str::to_string).ok_or_else(|| {
        Error::Usage(format!(
            "{what} is not valid UTF-8 and cannot be written into a crontab line"
        ))
    })
}

fn print_next_run(times: &CronTimes) {
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
            println!(
                "next run: {} (in {wait})",
                next.strftime("%Y-%m-%d %H:%M %Z")
            );
        }
        None => println!("next run: never within a year"),
    }
}
