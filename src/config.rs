//! The resolved configuration a run acts on: command-line options over the config file over
//! defaults, plus the platform directories.
//!
//! `cli` holds what the user typed; `resolve` turns it, with the config file, into
//! `Settings`. Nothing downstream reads the command line or the file again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use directories::ProjectDirs;
use serde::Deserialize;
use url::Url;

use crate::browser::BrowserKind;
use crate::cli::GlobalArgs;
use crate::error::Error;
use crate::input::{self, with_trailing_slash};
use crate::linkedin::catalogue::{Catalogue, Switch};

pub const DEFAULT_BASE_URL: &str = "https://www.linkedin.com/";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The config file as written (TOML). Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub base_url: Option<Url>,
    /// Let the password go to a base URL that is not LinkedIn or loopback.
    #[serde(default)]
    pub allow_base_url: bool,
    pub webdriver: Option<Url>,
    pub browser: Option<BrowserKind>,
    /// Seconds.
    pub timeout: Option<u64>,
    pub artifacts_dir: Option<PathBuf>,
    pub notify_command: Option<String>,
    /// How many receipts other than those of a change to keep per account and setting.
    pub receipts_keep: Option<usize>,
    /// A passing failure (exit 8, 9) notifies from this run in a row on (default 3)…
    pub notify_after_failures: Option<std::num::NonZeroU32>,
    /// …or once the first of them is this many hours old (default 48).
    pub notify_after_hours: Option<std::num::NonZeroU32>,
    /// No run has read an account's switches for this many days: notify (default 7).
    pub stale_after_days: Option<std::num::NonZeroU32>,
    /// Seconds the notify command may take before it is killed (default 60).
    pub notify_timeout: Option<u64>,
    /// Extra browser arguments, before those of `--browser-arg`.
    #[serde(default)]
    pub browser_args: Vec<String>,
    /// A file of catalogue overrides (`--rules`); relative to the config file's directory.
    pub rules_file: Option<PathBuf>,
    /// The switches to act on, by catalogue name (`all`: every one), unless an account names
    /// its own or `--setting` is given.
    pub settings: Option<Vec<String>>,
    #[serde(default, rename = "account")]
    pub accounts: Vec<AccountEntry>,
    /// The text as read, for naming the line a value is on.
    #[serde(skip)]
    text: String,
}

/// One `[[account]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub email: String,
    pub base_url: Option<Url>,
    pub browser: Option<BrowserKind>,
    /// This account's switches, over the file's `settings`.
    pub settings: Option<Vec<String>>,
}

/// One account as a run acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    pub email: String,
    pub base_url: Url,
    pub browser: BrowserKind,
    /// The switches chosen for this account, each once, in the order chosen.
    pub switches: Vec<Switch>,
}

/// Everything a run needs, resolved once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub accounts: Vec<AccountSettings>,
    /// The base URL of an account that names none of its own (`--base-url`, `base_url`).
    pub base_url: Url,
    pub webdriver: Option<Url>,
    pub browser_args: Vec<String>,
    pub headed: bool,
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub timeout: Duration,
    pub credentials_file: Option<PathBuf>,
    pub config_path: PathBuf,
    pub artifacts_dir: PathBuf,
    pub state_dir: PathBuf,
    pub notify_command: Option<String>,
    pub parallel: usize,
    pub receipts_keep: usize,
    /// When the notify command hears of passing failures and of a tool gone stale.
    pub alerts: crate::report::policy::Alerts,
    /// The switches: the built-in catalogue with `--rules` or `rules_file` applied.
    pub catalogue: Catalogue,
    /// The switches were named on the command line (`--setting`), not left to the config
    /// file or the default: `audit` reads the whole catalogue otherwise.
    pub switches_typed: bool,
}

/// The platform's directories for this tool (XDG on Linux).
pub struct Dirs {
    pub config_file: PathBuf,
    pub state_dir: PathBuf,
}

impl Dirs {
    pub fn platform() -> Result<Dirs, Error> {
        let dirs = ProjectDirs::from("", "", "linkedin-optout").ok_or_else(|| {
            Error::Usage(
                "cannot find a home directory: set HOME or pass `--config FILE`".to_string(),
            )
        })?;
        let state_dir = dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf();
        Ok(Dirs {
            config_file: dirs.config_dir().join("config.toml"),
            state_dir,
        })
    }
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty configuration. A file that someone else
    /// can change is refused.
    pub fn load(path: &Path) -> Result<ConfigFile, Error> {
        crate::security::check_config_trust(path, crate::security::TrustedFile::Config)?;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => {
                return Err(Error::Usage(format!(
                    "cannot read config file {}: {err}; fix it or pass another file with `--config`",
                    path.display()
                )));
            }
        };
        let file: ConfigFile = toml::from_str(&text).map_err(|err: toml::de::Error| {
            // Where, as an editor counts: line and column from 1.
            let at = err
                .span()
                .map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!(" at line {line}, column {column}")
                })
                .unwrap_or_default();
            Error::Usage(format!(
                "config file {} is not valid{at}: {}; fix that line (every key is listed in the README) or pass another file with `--config`",
                path.display(),
                err.message().trim_end()
            ))
        })?;
        let file = ConfigFile { text, ..file };
        file.check().map_err(|why| {
            Error::Usage(format!(
                "config file {}, {why}; fix it or pass another with `--config`",
                path.display()
            ))
        })?;
        Ok(file)
    }

    /// Where `key` is (of the `account`th `[[account]]`, or at the top): `line N, `key``.
    fn at(&self, account: Option<usize>, key: &str) -> String {
        match (self.line_of(account, key), account) {
            (Some(line), _) => format!("line {line}, `{key}`"),
            (None, Some(index)) => format!("`{key}` of [[account]] number {}", index + 1),
            (None, None) => format!("`{key}`"),
        }
    }

    /// The line `key` is on (of the `account`th `[[account]]`, or at the top), from 1.
    fn line_of(&self, account: Option<usize>, key: &str) -> Option<usize> {
        let line = || {
            let doc = toml_edit::Document::parse(self.text.as_str()).ok()?;
            let item = match account {
                None => doc.get(key)?,
                Some(index) => doc
                    .get("account")?
                    .as_array_of_tables()?
                    .get(index)?
                    .get(key)?,
            };
            let start = item.span()?.start;
            Some(self.text.get(..start)?.matches('\n').count() + 1)
        };
        line()
    }

    /// The values a run would act on, checked as they enter (see `input`). A refusal names
    /// the line the value is on, and its key.
    fn check(&self) -> Result<(), String> {
        let at = |account: Option<usize>, key: &str| self.at(account, key);
        let url = |account: Option<usize>, key: &str, url: &Option<Url>| match url {
            Some(url) => {
                input::check_web_url(url).map_err(|why| format!("{}: {why}", at(account, key)))
            }
            None => Ok(()),
        };
        url(None, "base_url", &self.base_url)?;
        url(None, "webdriver", &self.webdriver)?;
        if let Some(seconds) = self.timeout {
            input::check_timeout(seconds)
                .map_err(|why| format!("{} = {seconds}: {why}", at(None, "timeout")))?;
        }
        if let Some(seconds) = self.notify_timeout {
            input::check_timeout(seconds)
                .map_err(|why| format!("{} = {seconds}: {why}", at(None, "notify_timeout")))?;
        }
        // Names are checked against the built-in catalogue: an override file changes entries,
        // never which names exist.
        let catalogue = Catalogue::built_in();
        let names = |account: Option<usize>, names: &Option<Vec<String>>| match names {
            Some(names) => check_setting_names(&catalogue, names)
                .map_err(|why| format!("{}: {why}", at(account, "settings"))),
            None => Ok(()),
        };
        names(None, &self.settings)?;
        for (index, account) in self.accounts.iter().enumerate() {
            input::check_account(&account.email)
                .map_err(|why| format!("{}: {why}", at(Some(index), "email")))?;
            url(Some(index), "base_url", &account.base_url)?;
            names(Some(index), &account.settings)?;
        }
        Ok(())
    }
}

/// Whether `names` pick at least one switch of `catalogue`, and only switches it knows.
fn check_setting_names(catalogue: &Catalogue, names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Err(format!(
            "names no setting; name at least one of {}",
            catalogue.names()
        ));
    }
    catalogue.select(names).map(|_| ()).map_err(|unknown| {
        format!(
            "no setting is named `{}`{}{}the names are {}",
            input::shown(&unknown),
            catalogue.did_you_mean(&unknown),
            crate::error::DETAIL,
            catalogue.names()
        )
    })
}

/// Resolves the command line, the config file and the defaults into `Settings`.
pub fn resolve(args: &GlobalArgs) -> Result<Settings, Error> {
    let (settings, rules) = resolve_apart_from_rules(args)?;
    rules?;
    Ok(settings)
}

/// Resolves like `resolve`, but a mistake in the rules file is returned beside settings that
/// use the built-in catalogue, for `doctor` to report on its own line.
pub fn resolve_apart_from_rules(args: &GlobalArgs) -> Result<(Settings, Result<(), Error>), Error> {
    crate::run_bound::check_environment()?;
    let dirs = Dirs::platform()?;
    let config_path = args.config.clone().unwrap_or(dirs.config_file);
    let file = ConfigFile::load(&config_path)?;
    let default_base_url = match args.base_url.clone().or(file.base_url.clone()) {
        Some(url) => with_trailing_slash(url),
        None => Url::parse(DEFAULT_BASE_URL).expect("the default base URL parses"),
    };
    let rules_file = args.rules.clone().or_else(|| {
        file.rules_file.as_ref().map(|path| {
            config_path
                .parent()
                .map_or_else(|| path.clone(), |dir| dir.join(path))
        })
    });
    let (catalogue, rules) = match rules_file.as_deref().map(load_rules).transpose() {
        Ok(catalogue) => (catalogue.unwrap_or_default(), Ok(())),
        Err(err) => (Catalogue::built_in(), Err(err)),
    };
    // `--setting` over the account's `settings` over the file's over the default. The
    // file's names were checked as it was read; the command line's are checked here.
    let typed_switches = if args.settings.is_empty() {
        None
    } else {
        Some(catalogue.select(&args.settings).map_err(|unknown| {
            Error::Usage(format!(
                "`--setting {}` names no setting{}{}the names are {} (`linkedin-optout rules show` describes them)",
                input::shown(&unknown),
                catalogue.did_you_mean(&unknown),
                crate::error::DETAIL,
                catalogue.names()
            ))
        })?)
    };
    let switches_of = |entry: Option<&AccountEntry>| -> Vec<Switch> {
        if let Some(typed) = &typed_switches {
            return typed.clone();
        }
        entry
            .and_then(|entry| entry.settings.as_ref())
            .or(file.settings.as_ref())
            .and_then(|names| catalogue.select(names).ok())
            .unwrap_or_else(|| vec![catalogue.default_switch().clone()])
    };
    let default_browser = args.browser.or(file.browser).unwrap_or(BrowserKind::Chrome);
    let entry_settings = |entry: &AccountEntry| AccountSettings {
        email: input::normal_email(&entry.email),
        // The command line wins over a per-account base URL: it is how a test points every
        // account at a simulator.
        base_url: match (&args.base_url, &entry.base_url) {
            (None, Some(url)) => with_trailing_slash(url.clone()),
            _ => default_base_url.clone(),
        },
        browser: args.browser.or(entry.browser).unwrap_or(default_browser),
        switches: switches_of(Some(entry)),
    };
    // An account named outside the config file (`--account`, a credentials file): its entry
    // in the file, if it has one, still gives its settings.
    let named = |email: String| match file
        .accounts
        .iter()
        .find(|entry| input::normal_email(&entry.email) == email)
    {
        Some(entry) => entry_settings(entry),
        None => AccountSettings {
            email,
            base_url: default_base_url.clone(),
            browser: default_browser,
            switches: switches_of(None),
        },
    };
    let accounts = if let (true, Some(path)) = (args.accounts.is_empty(), &args.credentials_file) {
        // A credentials file and no `--account`: its email is the account (it holds one
        // account only), whatever accounts the config file names.
        vec![named(crate::secrets::credentials_file_account(path)?)]
    } else if args.accounts.is_empty() {
        file.accounts.iter().map(entry_settings).collect()
    } else {
        args.accounts
            .iter()
            .map(|email| Ok(named(validate_email(email)?)))
            .collect::<Result<Vec<_>, Error>>()?
    };
    // Spellings of one address are one account (`input::normal_email`), run once.
    let mut seen = std::collections::HashSet::new();
    let accounts: Vec<AccountSettings> = accounts
        .into_iter()
        .filter(|account| seen.insert(account.email.clone()))
        .collect();
    let alerts = alerts(&file);
    let allow_base_url = args.allow_base_url || file.allow_base_url;
    // Where an account's base URL came from, as a refusal names it.
    let base_url_from = |email: &str| {
        let in_file = |account: Option<usize>| match file.line_of(account, "base_url") {
            Some(line) => format!("config file {}, line {line}", config_path.display()),
            None => format!("config file {}", config_path.display()),
        };
        let entry = file.accounts.iter().position(|entry| {
            input::normal_email(&entry.email) == email && entry.base_url.is_some()
        });
        match (&args.base_url, entry) {
            (Some(_), _) if args.base_url_from_environment => {
                "environment variable LINKEDIN_OPTOUT_BASE_URL".to_string()
            }
            (Some(_), _) => "`--base-url`".to_string(),
            (None, Some(index)) => in_file(Some(index)),
            (None, None) => in_file(None),
        }
    };
    let mut checked = Vec::new();
    for account in &accounts {
        if !checked.contains(&&account.base_url) {
            crate::security::check_base_url(
                &account.base_url,
                allow_base_url,
                &base_url_from(&account.email),
            )?;
            checked.push(&account.base_url);
        }
    }
    let webdriver = args
        .webdriver
        .clone()
        .or(file.webdriver)
        .map(with_trailing_slash);
    if let Some(url) = &webdriver {
        crate::security::check_webdriver_url(url, args.insecure_webdriver)?;
    }
    let settings = Settings {
        accounts,
        base_url: default_base_url,
        webdriver,
        browser_args: file
            .browser_args
            .iter()
            .chain(&args.browser_args)
            .cloned()
            .collect(),
        headed: args.headed,
        json: args.json,
        quiet: args.quiet,
        verbose: args.verbose,
        timeout: args
            .timeout
            .or(file.timeout)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT),
        credentials_file: args.credentials_file.clone(),
        config_path,
        artifacts_dir: args
            .artifacts_dir
            .clone()
            .or(file.artifacts_dir)
            .unwrap_or_else(|| dirs.state_dir.join("artifacts")),
        state_dir: dirs.state_dir,
        notify_command: args.notify_command.clone().or(file.notify_command),
        parallel: args.parallel.map_or(1, usize::from),
        receipts_keep: file
            .receipts_keep
            .unwrap_or(crate::state::receipts::DEFAULT_KEEP),
        alerts,
        catalogue,
        switches_typed: typed_switches.is_some(),
    };
    Ok((settings, rules))
}

/// The config file's alert thresholds over the defaults.
fn alerts(file: &ConfigFile) -> crate::report::policy::Alerts {
    let defaults = crate::report::policy::Alerts::default();
    let hours = |n: std::num::NonZeroU32| jiff::SignedDuration::from_hours(i64::from(n.get()));
    crate::report::policy::Alerts {
        after_failures: file
            .notify_after_failures
            .map_or(defaults.after_failures, |n| n.get()),
        after: file.notify_after_hours.map_or(defaults.after, hours),
        stale_after: file
            .stale_after_days
            .map_or(defaults.stale_after, |days| hours(days).saturating_mul(24)),
        notify_timeout: file
            .notify_timeout
            .map_or(defaults.notify_timeout, Duration::from_secs),
    }
}

/// The built-in catalogue with the override file at `path` applied. Like the config file, a
/// rules file someone else can change is refused: it decides which switch a run clicks.
pub fn load_rules(path: &Path) -> Result<Catalogue, Error> {
    crate::security::check_config_trust(path, crate::security::TrustedFile::Rules)?;
    let text = std::fs::read_to_string(path).map_err(|err| {
        Error::Usage(format!(
            "cannot read rules file {}: {err}; fix the path given by `--rules` or `rules_file`",
            path.display()
        ))
    })?;
    Catalogue::with_overrides(&text, path)
}

impl Settings {
    /// Where this run's secrets come from: `--credentials-file`, then systemd's
    /// `$CREDENTIALS_DIRECTORY`, then the keyring; sessions of file credentials go to the
    /// state directory.
    pub fn secret_chain(&self) -> crate::secrets::SecretChain {
        crate::secrets::SecretChain::from_env(self.credentials_file.clone(), self.state_dir.clone())
    }

    /// The accounts to act on, or a usage error saying how to name one.
    pub fn require_accounts(&self) -> Result<&[AccountSettings], Error> {
        if self.accounts.is_empty() {
            return Err(Error::Usage(format!(
                "no account selected: pass `--account EMAIL` or store one with `linkedin-optout credentials set --account EMAIL` (config: {})",
                self.config_path.display()
            )));
        }
        Ok(&self.accounts)
    }

    /// The single account a per-account command (credentials, login) acts on.
    pub fn single_account(&self) -> Result<&AccountSettings, Error> {
        match self.accounts.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::Usage(
                "name the account with `--account EMAIL`".to_string(),
            )),
            _ => Err(Error::Usage(
                "this command takes exactly one `--account EMAIL`".to_string(),
            )),
        }
    }
}

/// An `--account` as typed, checked (see `input::check_account`), in its normal form.
fn validate_email(email: &str) -> Result<String, Error> {
    let email = email.trim_matches(' ');
    input::check_account(email).map_err(|why| Error::Usage(format!("`--account`: {why}")))?;
    Ok(input::normal_email(email))
}

/// Adds an `[[account]]` for `email` to the config file unless it is there, keeping
/// everything else in the file (comments included) as it was.
pub fn record_account(path: &Path, email: &str) -> anyhow::Result<bool> {
    edit_config(path, |doc| {
        let accounts = doc
            .entry("account")
            .or_insert_with(|| toml_edit::Item::ArrayOfTables(Default::default()))
            .as_array_of_tables_mut()
            .with_context(|| format!("`account` in {} is not a list of tables", path.display()))?;
        if accounts.iter().any(|table| is_entry_of(table, email)) {
            return Ok(false);
        }
        let mut table = toml_edit::Table::new();
        table.insert("email", toml_edit::value(email));
        accounts.push(table);
        Ok(true)
    })
}

/// Takes `email`'s `[[account]]` tables out of the config file at `path`, keeping every
/// other line; returns whether there was one.
pub fn forget_account(path: &Path, email: &str) -> anyhow::Result<bool> {
    edit_config(path, |doc| {
        let Some(accounts) = doc
            .get_mut("account")
            .and_then(toml_edit::Item::as_array_of_tables_mut)
        else {
            return Ok(false);
        };
        let before = accounts.len();
        accounts.retain(|table| !is_entry_of(table, email));
        Ok(accounts.len() != before)
    })
}

/// Whether the config file at `path` has an `[[account]]` for `email` (a file that cannot be
/// read has none).
pub fn names_account(path: &Path, email: &str) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
        .and_then(|doc| {
            let accounts = doc.get("account")?.as_array_of_tables()?;
            Some(accounts.iter().any(|table| is_entry_of(table, email)))
        })
        .unwrap_or(false)
}

/// Whether an `[[account]]` table is `email`'s, in any spelling of the address.
fn is_entry_of(table: &toml_edit::Table, email: &str) -> bool {
    table
        .get("email")
        .and_then(|e| e.as_str())
        .is_some_and(|e| input::normal_email(e) == input::normal_email(email))
}

/// Reads the config file at `path` (missing: empty), lets `edit` change it, and writes it
/// back when `edit` says it changed, private to this user whatever the umask (a config
/// others can write is refused).
fn edit_config(
    path: &Path,
    edit: impl FnOnce(&mut toml_edit::DocumentMut) -> anyhow::Result<bool>,
) -> anyhow::Result<bool> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("config file {} is not valid TOML", path.display()))?;
    if !edit(&mut doc)? {
        return Ok(false);
    }
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(
        &mut options
            .open(path)
            .with_context(|| format!("writing {}", path.display()))?,
        doc.to_string().as_bytes(),
    )
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkedin::catalogue::DEFAULT_SWITCH;

    #[test]
    fn trailing_slash_keeps_the_grid_path() {
        let url = with_trailing_slash(Url::parse("http://grid:4444/wd/hub").unwrap());
        assert_eq!(url.join("session").unwrap().path(), "/wd/hub/session");
    }

    #[test]
    fn record_account_keeps_other_content_and_adds_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\ntimeout = 20\n").unwrap();
        assert!(record_account(&path, "a@example.com").unwrap());
        assert!(!record_account(&path, "a@example.com").unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\ntimeout = 20\n"), "{text}");
        let parsed: ConfigFile = toml::from_str(&text).unwrap();
        assert_eq!(parsed.accounts.len(), 1);
        assert_eq!(parsed.accounts[0].email, "a@example.com");
    }

    #[cfg(unix)]
    #[test]
    fn forget_account_takes_out_only_that_account() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let text = "# mine\ntimeout = 30\n\n[[account]]\nemail = \"A@example.com\"\nsettings = [\"all\"]\n\n[[account]]\nemail = \"b@example.com\"\n";
        std::fs::write(&path, text).unwrap();
        assert!(names_account(&path, "a@example.com"));
        assert!(forget_account(&path, "a@example.com").unwrap());
        assert!(!names_account(&path, "a@example.com"));
        assert!(!forget_account(&path, "a@example.com").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# mine\ntimeout = 30\n\n[[account]]\nemail = \"b@example.com\"\n"
        );
        assert!(!forget_account(&dir.path().join("none.toml"), "a@example.com").unwrap());
        assert!(!dir.path().join("none.toml").exists());
    }

    #[test]
    fn a_recorded_config_is_private_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/config.toml");
        // (Under the usual umask 022 the defaults would be 0644 and 0755.)
        assert!(record_account(&path, "a@example.com").unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert!(
            crate::security::check_config_trust(&path, crate::security::TrustedFile::Config)
                .is_ok()
        );
    }

    #[test]
    fn a_refused_value_names_its_line_and_key() {
        let text = "# mine\ntimeout = 30\n\n[[account]]\nemail = \"a@example.com\"\n\n[[account]]\nemail = \"b@example.com\"\nbase_url = \"ftp://x\"\n";
        let file = ConfigFile {
            text: text.to_string(),
            ..toml::from_str(text).unwrap()
        };
        let why = file.check().unwrap_err();
        assert!(why.starts_with("line 9, `base_url`: `ftp://x"), "{why}");
        let text = "timeout = 0\n";
        let file = ConfigFile {
            text: text.to_string(),
            ..toml::from_str(text).unwrap()
        };
        let why = file.check().unwrap_err();
        assert!(why.starts_with("line 1, `timeout` = 0: "), "{why}");
    }

    #[test]
    fn a_bad_config_names_the_file_the_line_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        for (text, line) in [
            ("timeout = 30\n\n[[account]]\nemial = \"a@b.c\"\n", 4),
            ("timeout = 30\nbrowser = \"chrome\n", 2),
            ("timeout = \"soon\"\n", 1),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = ConfigFile::load(&path).unwrap_err();
            let message = err.to_string();
            assert!(
                message.starts_with(&format!(
                    "config file {} is not valid at line {line}, column ",
                    path.display()
                )),
                "{message}"
            );
            assert!(message.contains("fix that line"), "{message}");
            assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        }
        // Garbage that is not even text names the file and the fix too.
        std::fs::write(&path, [0xff, 0xfe, 0x00, 0x01]).unwrap();
        let err = ConfigFile::load(&path).unwrap_err();
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        assert!(err.to_string().contains("`--config`"), "{err}");
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        // Empty is valid: every key is optional.
        std::fs::write(&path, "").unwrap();
        assert!(ConfigFile::load(&path).unwrap().accounts.is_empty());
    }

    #[test]
    fn an_email_is_required() {
        assert!(validate_email("not-an-email").is_err());
        assert!(validate_email("a@b.c#totp").is_err());
        assert_eq!(validate_email(" a@b.c ").unwrap(), "a@b.c");
        assert_eq!(
            validate_email(" Me@Example.COM ").unwrap(),
            "me@example.com"
        );
    }

    /// The resolved settings of a private config file holding `text`, with `--setting`
    /// given as `typed`.
    fn resolved(text: &str, typed: &[&str]) -> Result<Settings, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        crate::state::files::write_new_private(&path, text.as_bytes()).unwrap();
        let args = GlobalArgs {
            config: Some(path),
            settings: typed.iter().map(|name| name.to_string()).collect(),
            ..GlobalArgs::default()
        };
        resolve(&args)
    }

    fn chosen(settings: &Settings) -> Vec<Vec<String>> {
        settings
            .accounts
            .iter()
            .map(|account| account.switches.iter().map(|s| s.name.clone()).collect())
            .collect()
    }

    #[test]
    fn settings_come_from_the_command_line_then_the_account_then_the_file_then_the_default() {
        let text = "settings = [\"ads-by-age\", \"ads-by-gender\"]\n\n[[account]]\nemail = \"a@example.com\"\nsettings = [\"all\"]\n\n[[account]]\nemail = \"b@example.com\"\n";
        let settings = resolved(text, &[]).unwrap();
        let every: Vec<String> = Catalogue::built_in()
            .switches()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(every.len(), 13);
        assert_eq!(
            chosen(&settings),
            vec![every, vec!["ads-by-age".into(), "ads-by-gender".into()]]
        );
        assert!(!settings.switches_typed);
        // The command line wins for every account; a name given twice is acted on once.
        let settings = resolved(text, &["member-cookies", "ads-by-age", "member-cookies"]).unwrap();
        let typed = vec!["member-cookies".to_string(), "ads-by-age".to_string()];
        assert_eq!(chosen(&settings), vec![typed.clone(), typed]);
        assert!(settings.switches_typed);
        // Nothing chosen anywhere: today's one switch.
        let settings = resolved("[[account]]\nemail = \"a@example.com\"\n", &[]).unwrap();
        assert_eq!(chosen(&settings), vec![vec![DEFAULT_SWITCH.to_string()]]);
    }

    #[test]
    fn an_unknown_setting_is_a_usage_error_that_lists_the_names() {
        let err = resolved("", &["ads-by-ag"]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        let message = err.to_string();
        assert!(
            message.starts_with(
                "`--setting ads-by-ag` names no setting: did you mean `ads-by-age`?\n  the names are data-for-ai-improvement, "
            ),
            "{message}"
        );
        let far = resolved("", &["zzzz"]).unwrap_err().to_string();
        assert!(
            far.starts_with("`--setting zzzz` names no setting\n  the names are"),
            "{far}"
        );
        assert!(message.contains("member-cookies, all"), "{message}");
        for (text, why) in [
            (
                "timeout = 30\nsettings = [\"ads-by-ag\"]\n",
                "line 2, `settings`: no setting is named `ads-by-ag`: did you mean `ads-by-age`?",
            ),
            (
                "[[account]]\nemail = \"a@example.com\"\nsettings = []\n",
                "line 3, `settings`: names no setting",
            ),
        ] {
            let err = resolved(text, &[]).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE);
            assert!(err.to_string().contains(why), "{err}");
        }
    }
}
