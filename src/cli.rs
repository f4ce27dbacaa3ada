//! What the user typed: the clap definition of every subcommand and global option.
//!
//! Nothing here touches the environment beyond clap's own `env` fallbacks; turning these
//! values into the settings a run acts on is `config::resolve`'s job (parse, then resolve).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use url::Url;

use crate::browser::BrowserKind;

#[derive(Debug, Parser)]
#[command(
    name = "linkedin-optout",
    version,
    about = "Switch off LinkedIn's \"Data for Generative AI Improvement\", prove it is off, and keep it off",
    after_help = "Exit codes: 0 off (verified or already off) or not offered, 3 a dry run or audit found a switch on (or policy check a new link), 4 a person must act, \
5 credentials missing or rejected or the keyring unavailable, 6 page not understood, \
7 switched off but did not stay off, 8 browser or driver unavailable or died, 9 LinkedIn unreachable, \
1 other error, 2 usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line (and the environment variables behind options), exiting 2 on a
    /// usage error. A refused value that came from an environment variable is named as such:
    /// clap itself names only the option.
    pub fn parse_args() -> Cli {
        // clap's own colours (help, errors) follow `--color` too, so it is read first.
        let color = match ColorWhen::typed() {
            ColorWhen::Auto => clap::ColorChoice::Auto,
            ColorWhen::Always => clap::ColorChoice::Always,
            ColorWhen::Never => clap::ColorChoice::Never,
        };
        let parsed = <Cli as clap::CommandFactory>::command()
            .color(color)
            .try_get_matches()
            .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
        match parsed {
            Ok(mut cli) => {
                cli.global.base_url_from_environment =
                    cli.global.base_url.is_some() && !typed("--base-url");
                cli
            }
            Err(err) => match from_environment(&err) {
                Some(message) => {
                    eprintln!("error: {message}");
                    std::process::exit(i32::from(crate::error::exit::USAGE));
                }
                None => exit_shortened(err),
            },
        }
    }
}

/// Exits with clap's error, where a value too long to read (clap quotes values whole) is cut
/// to its start and length.
fn exit_shortened(err: clap::Error) -> ! {
    const LONGEST: usize = 200;
    let long: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|word| word.to_string_lossy().into_owned())
        .flat_map(|word| match word.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => vec![value.to_string(), word],
            _ => vec![word],
        })
        .filter(|word| word.len() > LONGEST)
        .collect();
    if long.is_empty() || !err.use_stderr() {
        err.exit();
    }
    let mut text = err.render().to_string();
    for word in &long {
        text = text.replace(word.as_str(), &crate::input::shown(word));
    }
    eprint!("{text}");
    std::process::exit(err.exit_code());
}

/// The options that fall back to an environment variable, with that variable.
const FROM_ENVIRONMENT: &[(&str, &str)] = &[
    ("--base-url", "LINKEDIN_OPTOUT_BASE_URL"),
    ("--webdriver", "LINKEDIN_OPTOUT_WEBDRIVER"),
];

/// The message for a refused value that came from an environment variable, not the command
/// line.
fn from_environment(err: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg) else {
        return None;
    };
    let (flag, variable) = FROM_ENVIRONMENT
        .iter()
        .find(|(flag, _)| arg.split_whitespace().next() == Some(*flag))?;
    if typed(flag) {
        return None;
    }
    let why = std::error::Error::source(err).map_or_else(|| err.to_string(), |why| why.to_string());
    Some(format!(
        "the environment variable {variable} (the default of `{flag}`) is refused: {why}; fix or unset it"
    ))
}

/// Whether `flag` was typed on the command line (its value did not come from the
/// environment).
fn typed(flag: &str) -> bool {
    std::env::args_os().skip(1).any(|word| {
        let word = word.to_string_lossy();
        word == flag || word.starts_with(&format!("{flag}="))
    })
}

/// When to colour what the tool prints (clap's help and errors, the log's levels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (to anything but the empty string).
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// The `--color` on the command line (the last one wins), before clap has parsed it:
    /// clap's own output needs it. A value clap will refuse counts as `auto` until then.
    fn typed() -> ColorWhen {
        let words: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|word| word.to_string_lossy().into_owned())
            .collect();
        let mut when = ColorWhen::Auto;
        for (index, word) in words.iter().enumerate() {
            let value = match word.strip_prefix("--color") {
                Some("") => words.get(index + 1).map(String::as_str),
                Some(rest) => rest.strip_prefix('='),
                None => None,
            };
            if let Some(value) = value {
                when = clap::ValueEnum::from_str(value, false).unwrap_or(ColorWhen::Auto);
            }
        }
        when
    }

    /// Whether to colour what goes to a stream that `is_terminal` says is (or is not) one.
    pub fn colours(self, is_terminal: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}

/// A switch's name as typed: any text (a name the catalogue lacks is refused when the
/// settings are resolved, with the closest name), offering the built-in catalogue's names
/// and `all` to shell completion.
#[derive(Debug, Clone, Copy)]
struct SettingName;

impl clap::builder::TypedValueParser for SettingName {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use crate::linkedin::catalogue::{ALL, Catalogue};
        let names: Vec<clap::builder::PossibleValue> = Catalogue::built_in()
            .entries()
            .iter()
            .map(|entry| {
                clap::builder::PossibleValue::new(entry.switch.name.clone())
                    .help(entry.switch.title_en().to_string())
            })
            .chain(std::iter::once(
                clap::builder::PossibleValue::new(ALL).help("every switch of the catalogue"),
            ))
            .collect();
        Some(Box::new(names.into_iter()))
    }
}

/// Options that every subcommand accepts, before or after its name. A subcommand's `--help`
/// lists them under a heading of their own, apart from its own options.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Account (email) to act on; repeat for several. Default: every account in the config file.
    #[arg(long = "account", value_name = "EMAIL", global = true)]
    pub accounts: Vec<String>,
    /// A switch to act on, by its catalogue name (`rules show` lists them); repeat for
    /// several; `all` for the whole catalogue. Default: `settings` in the config file, else
    /// data-for-ai-improvement (`audit`: the whole catalogue).
    #[arg(
        long = "setting",
        value_name = "NAME",
        global = true,
        value_parser = SettingName,
        hide_possible_values = true
    )]
    pub settings: Vec<String>,
    /// Where LinkedIn is (a simulator's address in tests).
    #[arg(
        long,
        value_name = "URL",
        env = "LINKEDIN_OPTOUT_BASE_URL",
        global = true,
        value_parser = crate::input::web_url_arg
    )]
    pub base_url: Option<Url>,
    /// `base_url` came from `LINKEDIN_OPTOUT_BASE_URL`, not the command line.
    #[arg(skip)]
    pub base_url_from_environment: bool,
    /// Let the password go to a base URL that is neither LinkedIn (https:// under
    /// linkedin.com) nor this machine (loopback). Named in a warning on every run.
    #[arg(long, global = true)]
    pub allow_base_url: bool,
    /// Use a running WebDriver server (chromedriver, geckodriver, Selenium Grid) instead of
    /// starting chromedriver.
    #[arg(
        long,
        value_name = "URL",
        env = "LINKEDIN_OPTOUT_WEBDRIVER",
        global = true,
        value_parser = crate::input::web_url_arg
    )]
    pub webdriver: Option<Url>,
    /// Allow a `--webdriver` reached over plain http on a network (not loopback): whoever
    /// can watch that network sees the password.
    #[arg(long, env = "LINKEDIN_OPTOUT_INSECURE_WEBDRIVER", global = true)]
    pub insecure_webdriver: bool,
    /// Browser to drive.
    #[arg(long, value_enum, global = true)]
    pub browser: Option<BrowserKind>,
    /// Show the browser window instead of running headless.
    #[arg(long, global = true)]
    pub headed: bool,
    /// Print one JSON object per account (and switch) on its own line.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing when the setting was already off and nothing changed.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// When to use colours: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t, global = true)]
    pub color: ColorWhen,
    /// More detail in the log (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Config file (TOML). Default: config.toml in the platform's config directory.
    #[arg(
        long,
        value_name = "FILE",
        env = "LINKEDIN_OPTOUT_CONFIG",
        global = true
    )]
    pub config: Option<PathBuf>,
    /// Longest wait for any one page condition, in seconds (1 to 3600).
    #[arg(long, value_name = "SECONDS", global = true, value_parser = crate::input::timeout_arg)]
    pub timeout: Option<u64>,
    /// Read the password (and optional TOTP secret) from this TOML file (mode 0600).
    #[arg(long, value_name = "FILE", global = true)]
    pub credentials_file: Option<PathBuf>,
    /// Override catalogue entries by name, field by field, from this TOML file (`rules show`
    /// prints the result).
    #[arg(long = "rules", value_name = "FILE", global = true)]
    pub rules: Option<PathBuf>,
    /// Where to save screenshots and page HTML when a page is not understood.
    #[arg(long, value_name = "DIR", global = true)]
    pub artifacts_dir: Option<PathBuf>,
    /// An extra command-line argument for the browser (repeatable), e.g.
    /// `--browser-arg=--no-sandbox` for a WebDriver server that runs Chromium as root.
    #[arg(
        long = "browser-arg",
        value_name = "ARG",
        global = true,
        allow_hyphen_values = true
    )]
    pub browser_args: Vec<String>,
    /// Run up to N accounts at once, each in its own browser session.
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: Option<u16>,
    /// When the setting (any chosen switch) was found on, or a run failed, run this shell
    /// command with the run's JSON on standard input.
    #[arg(long, value_name = "CMD", global = true)]
    pub notify_command: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Switch the setting off for each selected account and verify it after a reload.
    Optout(OptoutArgs),
    /// Report the setting without changing anything (same as `optout --dry-run`).
    Status(WalkArgs),
    /// Read every catalogued switch (or those `--setting` names) for each account and change
    /// nothing: a table of switch, state and what "on" means; exit 3 when any is on.
    Audit,
    /// Store, check or remove an account's password in the OS keyring.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Opt out a demo account on the built-in simulator, in headless Chromium, step by step.
    Demo,
    /// Serve the built-in LinkedIn look-alike until killed.
    Simulator(SimulatorArgs),
    /// Sign in interactively (for checkpoints a machine must not handle) and keep the session.
    Login,
    /// Check that everything a run needs is in place, one line each.
    Doctor(DoctorArgs),
    /// For data already used: print LinkedIn's routes (the Data Processing Objection Form, the
    /// deletion request, the Data Protection Officer, "Get a copy of your data") and an
    /// objection text naming the account; `--open` opens the objection form.
    Objection(ObjectionArgs),
    /// Re-check the setting on a schedule from the user's crontab.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Show past runs and mark drift: a switch found on after a run had left it off.
    History(HistoryArgs),
    /// List the receipts (a screenshot and what it shows) of every state read, newest first.
    Receipts(ReceiptsArgs),
    /// Print the catalogue of switches in force, and where each entry came from.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Watch LinkedIn's privacy policy for settings pages and help forms the tool does not
    /// know.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print a saved page with everything personal taken out, to attach to a bug report.
    Skeleton(SkeletonArgs),
    /// Print a shell completion script (for example to /usr/share/bash-completion/completions).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), with the exit codes, files and environment.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print the active catalogue (built in, with `--rules`/`rules_file` applied).
    Show,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Read LinkedIn's public privacy policy in the browser and list each link to a settings
    /// page or a help form that the catalogue and `objection` do not know, once; exit 3 when
    /// one is new.
    Check,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Also check LinkedIn's privacy policy for links the tool does not know, as `policy
    /// check` does (a new one is a warning).
    #[arg(long)]
    pub policy: bool,
}

#[derive(Debug, Args)]
pub struct ObjectionArgs {
    /// Open the form in a visible browser, signed in with the saved session, for you to read
    /// and send (the tool never sends it); waits until you close the browser.
    #[arg(long)]
    pub open: bool,
}

/// Which records `history` and `receipts` show, besides `--account` and `--setting` (each a
/// filter only when given on the command line).
#[derive(Debug, Clone, Default, Args)]
pub struct RecordFilters {
    /// Only records from this time on: a date (2026-11-01, UTC), a time (RFC 3339), or how
    /// long ago (48h, 7d, 2w).
    #[arg(long, value_name = "WHEN", global = true, value_parser = crate::input::since_arg)]
    pub since: Option<jiff::Timestamp>,
    /// Only the newest N records.
    #[arg(long, value_name = "N", global = true)]
    pub limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub filters: RecordFilters,
    /// Only drift: runs that found a switch on after an earlier run had read it off.
    #[arg(long)]
    pub drift: bool,
}

#[derive(Debug, Args)]
pub struct ReceiptsArgs {
    #[command(flatten)]
    pub filters: RecordFilters,
    #[command(subcommand)]
    pub command: Option<ReceiptsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ReceiptsCommand {
    /// Write a self-contained index.html with a card per receipt, and copy the receipts
    /// beside it.
    Export(ReceiptsExportArgs),
}

#[derive(Debug, Args)]
pub struct ReceiptsExportArgs {
    /// The directory to write (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SkeletonArgs {
    /// A page saved from a browser (HTML).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add (or replace) this tool's line in the user's crontab.
    Install(ScheduleInstallArgs),
    /// Print the installed line and its next run time.
    Show,
    /// Remove this tool's line from the crontab, keeping every other line.
    #[command(visible_alias = "delete")]
    Remove,
}

#[derive(Debug, Args)]
pub struct ScheduleInstallArgs {
    /// Time of day to run (HH:MM, local time); a small random offset is added to the minute.
    #[arg(long, value_name = "HH:MM")]
    pub at: Option<String>,
    /// How often: daily, weekly, or a duration such as 6h or 30m.
    #[arg(long, value_name = "daily|weekly|DURATION", default_value = "daily")]
    pub every: String,
}

#[derive(Debug, Clone, Default, Args)]
pub struct WalkArgs {
    /// Always reach the setting through Settings & Privacy > Data privacy, as a member does
    /// (a switch Data privacy does not link to: through the category that does).
    #[arg(long)]
    pub walk: bool,
}

#[derive(Debug, Clone, Default, Args)]
pub struct OptoutArgs {
    /// Change nothing; only report the current setting (exit 3 when it is on).
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Also check LinkedIn's privacy policy for links the tool does not know, when the last
    /// check is a week old or more (the scheduled job passes it).
    #[arg(long)]
    pub watch_policy: bool,
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store the password (prompted without echo, or one line from stdin).
    Set(CredentialsSetArgs),
    /// Say whether a password is stored and the keyring reachable (never prints it).
    Check,
    /// Remove the stored password, TOTP secret and session; `--forget` also takes the
    /// account out of the config file (on a terminal, without it, you are asked).
    #[command(visible_alias = "delete")]
    Remove(CredentialsRemoveArgs),
}

#[derive(Debug, Args)]
pub struct CredentialsRemoveArgs {
    /// Also take the account out of the config file, so that no run acts on it any more.
    #[arg(long)]
    pub forget: bool,
}

#[derive(Debug, Args)]
pub struct CredentialsSetArgs {
    /// Read the password as one line from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    /// Also store a TOTP secret (base32 or `otpauth://` URI) read as one line from standard
    /// input, after the password's line when `--password-stdin` is given too.
    #[arg(long)]
    pub totp_secret_stdin: bool,
}

/// The simulator's accounts come from the global `--account EMAIL`; their password from
/// `--password-file` or `--password-stdin` (never the command line, which `ps` shows).
#[derive(Debug, Args)]
pub struct SimulatorArgs {
    /// Address to listen on; port 0 picks a free port. Loopback only, unless `--listen-any`.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Allow `--listen` on an address other machines can reach.
    #[arg(long)]
    pub listen_any: bool,
    /// Keep accounts and their state in this JSON file across restarts (written mode 0600).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The password of every `--account`, the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "password_stdin")]
    pub password_file: Option<PathBuf>,
    /// The password of every `--account`, one line from standard input.
    #[arg(long)]
    pub password_stdin: bool,
}
