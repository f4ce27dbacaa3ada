//! Who may get at the password, the two-step secret and the session: the rules that keep
//! them for LinkedIn and for this user (README, "Security").
//!
//! * The password goes only to LinkedIn: a base URL is `https://` under `linkedin.com`, or
//!   loopback (a simulator); anything else needs `--allow-base-url`.
//! * No clear text over a network: a WebDriver server reached over `http://` must be on
//!   loopback unless `--insecure-webdriver` says otherwise.
//! * A file another user can change decides nothing: a config file (or its directory)
//!   writable by group or others, or owned by someone else, is refused, as ssh does.
//! * The process itself leaves no core dump and cannot be read by a debugger of the same
//!   user.

use std::net::IpAddr;
use std::path::Path;

use url::{Host, Url};

use crate::error::Error;

/// Makes the process undumpable and without core files, before any secret is read: a crash
/// must not write the password to disk, and another process of the same user must not read
/// it from our memory (`/proc/<pid>/mem`, ptrace). Children (driver, browser) inherit the
/// core limit.
pub fn harden_process() {
    #[cfg(unix)]
    {
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass; nothing else is touched.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &no_core) };
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes an integer flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0)
    };
}

pub fn effective_uid() -> u32 {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() }
    }
    #[cfg(not(unix))]
    {
        u32::MAX
    }
}

pub fn running_as_root() -> bool {
    cfg!(unix) && effective_uid() == 0
}

/// The warning (run and `doctor`) for a local Chromium started as root.
pub const ROOT_SANDBOX_WARNING: &str = "running as root: Chromium runs without its sandbox (`--no-sandbox`), so a compromised page could take over this account; run as an ordinary user, or use the container (docker-compose.yml), which runs the browser as a non-root user";

/// The uids of other ordinary users (uid 1000 and up, `nobody` aside) that have processes
/// on this machine: during a run they can see the local driver's port.
pub fn other_users_with_processes() -> Vec<u32> {
    const FIRST_ORDINARY_UID: u32 = 1000;
    const NOBODY: u32 = 65534;
    let me = effective_uid();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut uids: Vec<u32> = entries
        .flatten()
        .filter_map(|entry| {
            let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
            let line = status.lines().find(|line| line.starts_with("Uid:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .filter(|uid| *uid >= FIRST_ORDINARY_UID && *uid != NOBODY && *uid != me)
        .collect();
    uids.sort_unstable();
    uids.dedup();
    uids
}

/// The `LINKEDIN_OPTOUT_*` variables that set something, with the setting each decides.
pub fn settings_from_environment() -> Vec<(&'static str, &'static str)> {
    const VARIABLES: &[(&str, &str)] = &[
        ("LINKEDIN_OPTOUT_BASE_URL", "base_url"),
        ("LINKEDIN_OPTOUT_WEBDRIVER", "webdriver"),
        ("LINKEDIN_OPTOUT_INSECURE_WEBDRIVER", "insecure_webdriver"),
        ("LINKEDIN_OPTOUT_CONFIG", "config"),
        ("LINKEDIN_OPTOUT_DRIVER_LOCATIONS", "driver locations"),
        (crate::run_bound::ENV, "the run's bound"),
    ];
    VARIABLES
        .iter()
        .filter(|(variable, _)| std::env::var_os(variable).is_some())
        .copied()
        .collect()
}

/// Whether `url` is an address the password may go to without `--allow-base-url`: LinkedIn
/// over https, or loopback (a simulator on this machine).
pub fn is_trusted_base_url(url: &Url) -> bool {
    is_loopback(url) || (url.scheme() == "https" && is_linkedin_host(url))
}

/// Whether the URL's host is linkedin.com or under it (`www.`, `de.`), a trailing dot allowed.
pub fn is_linkedin_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            domain == "linkedin.com" || domain.ends_with(".linkedin.com")
        }
        _ => false,
    }
}

/// The URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(domain)) => domain
            .trim_end_matches('.')
            .eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Refuses a base URL the password must not go to, unless the user allowed it; an allowed
/// one is named in a warning on every run.
/// `from` says where the URL came from (`--base-url`, the environment, the config file and
/// line), for the refusal.
pub fn check_base_url(url: &Url, allowed: bool, from: &str) -> Result<(), Error> {
    if has_credentials(url) {
        return Err(Error::Usage(format!(
            "the base URL {} carries a user name or password, which would show wherever the URL does; LinkedIn needs none: leave them out",
            for_display(url)
        )));
    }
    if is_trusted_base_url(url) {
        return Ok(());
    }
    if allowed {
        tracing::warn!("{}", untrusted_base_url_note(url));
        return Ok(());
    }
    Err(Error::Usage(format!(
        "the base URL {} ({from}) is neither LinkedIn nor this machine: fix it, or pass `--allow-base-url`{}the password would be typed there, so allow it (or set `allow_base_url = true` in the config) only if you trust it; LinkedIn is https:// under linkedin.com",
        for_display(url),
        crate::error::DETAIL
    )))
}

/// What `doctor` and each run say about an allowed base URL that is not LinkedIn.
pub fn untrusted_base_url_note(url: &Url) -> String {
    format!(
        "the password goes to {}, which is not LinkedIn (allowed by `--allow-base-url`)",
        for_display(url)
    )
}

/// Refuses a WebDriver URL that would carry the password in clear text over a network.
pub fn check_webdriver_url(url: &Url, insecure_allowed: bool) -> Result<(), Error> {
    if url.scheme() == "http" && !is_loopback(url) && !insecure_allowed {
        return Err(Error::Usage(format!(
            "the WebDriver server {} is reached over plain http on a network: everyone on the way could read the password; use an https:// URL, or pass `--insecure-webdriver` for a network only you use (a Docker network)",
            for_display(url)
        )));
    }
    Ok(())
}

/// The URL without a user name or password, for every place a URL is shown: output,
/// `--json`, logs, history, the crontab line.
pub fn for_display(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// Whether the URL carries a user name or a password.
pub fn has_credentials(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// A file whose content decides what a run does, and so must be the member's alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedFile {
    Config,
    Rules,
}

impl TrustedFile {
    fn noun(self) -> &'static str {
        match self {
            TrustedFile::Config => "config",
            TrustedFile::Rules => "rules file",
        }
    }

    /// What whoever can change the file could make a run do.
    fn power(self) -> &'static str {
        match self {
            TrustedFile::Config => "could decide where the password goes",
            TrustedFile::Rules => {
                "could change which switch a run clicks and what it counts as off"
            }
        }
    }
}

/// Refuses a config or rules file, or the directory it is in, that someone else can change:
/// owned by another user (root aside), or writable by group or others. A missing file is
/// fine.
pub fn check_config_trust(path: &Path, kind: TrustedFile) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let file = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(_) => return Ok(()), // reading it reports the error
        };
        let dir = path
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let checks = [(path, Some(file)), (dir, std::fs::metadata(dir).ok())];
        for (what, meta) in checks {
            let Some(meta) = meta else { continue };
            let me = effective_uid();
            let owner = meta.uid();
            let mode = meta.mode();
            // A sticky directory (like /tmp) lets nobody replace a file they do not own.
            let sticky_dir = meta.is_dir() && mode & 0o1000 != 0;
            if owner != me && owner != 0 {
                return Err(Error::Usage(format!(
                    "{} {} is owned by another user (uid {owner}), who {}: `chown {me} {}`",
                    kind.noun(),
                    what.display(),
                    kind.power(),
                    what.display()
                )));
            }
            if mode & 0o022 != 0 && !sticky_dir {
                return Err(Error::Usage(format!(
                    "{} {} is writable by group or others, who {}: `chmod go-w {}`",
                    kind.noun(),
                    what.display(),
                    kind.power(),
                    what.display()
                )));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_is_undumpable_and_makes_no_core() {
        harden_process();
        // SAFETY: PR_GET_DUMPABLE reads a flag; getrlimit fills the struct we pass.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        assert_eq!(dumpable, 0);
        let mut core = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut core) };
        assert_eq!((core.rlim_cur, core.rlim_max), (0, 0));
    }

    #[test]
    fn linkedin_over_https_and_loopback_are_trusted_and_nothing_else() {
        for good in [
            "https://www.linkedin.com/",
            "https://linkedin.com/",
            "https://de.linkedin.com./",
            "http://127.0.0.1:8080/",
            "http://127.3.2.1/",
            "http://[::1]:9/",
            "http://localhost:8080/",
        ] {
            assert!(is_trusted_base_url(&url(good)), "{good}");
        }
        for bad in [
            "http://www.linkedin.com/",
            "https://linkedin.com.evil.test/",
            "https://evillinkedin.com/",
            "https://sim.internal/",
            "http://10.0.0.5:8080/",
            "http://localhost.evil.test/",
        ] {
            assert!(!is_trusted_base_url(&url(bad)), "{bad}");
        }
    }

    #[test]
    fn an_untrusted_base_url_needs_the_allowance() {
        let look_alike = url("https://linkedin.example.test/");
        let err = check_base_url(&look_alike, false, "`--base-url`").unwrap_err();
        let first = err.to_string().lines().next().unwrap().to_string();
        assert!(first.contains("(`--base-url`)"), "{err}");
        assert!(first.contains("--allow-base-url"), "{err}");
        assert_eq!(err.exit_code(), 2);
        assert!(check_base_url(&look_alike, true, "`--base-url`").is_ok());
        let with_password = url("http://me:sekrit@127.0.0.1:8080/");
        let err = check_base_url(&with_password, true, "`--base-url`").unwrap_err();
        assert!(!err.to_string().contains("sekrit"), "{err}");
    }

    #[test]
    fn clear_text_webdriver_only_on_loopback_or_when_allowed() {
        assert!(check_webdriver_url(&url("http://127.0.0.1:4444/"), false).is_ok());
        assert!(check_webdriver_url(&url("https://grid.example.test/wd/hub/"), false).is_ok());
        let grid = url("http://u:sekrit@grid:4444/wd/hub/");
        let err = check_webdriver_url(&grid, false).unwrap_err();
        assert!(err.to_string().contains("--insecure-webdriver"), "{err}");
        assert!(!err.to_string().contains("sekrit"), "{err}");
        assert!(check_webdriver_url(&grid, true).is_ok());
    }

    #[test]
    fn credentials_never_show() {
        let grid = url("https://alice:sekrit@grid.example.test/wd/hub/");
        assert_eq!(for_display(&grid), "https://grid.example.test/wd/hub/");
        assert!(has_credentials(&grid));
        assert!(!has_credentials(&url("https://grid.example.test/")));
    }

    #[cfg(unix)]
    #[test]
    fn a_config_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert!(
            check_config_trust(&path, TrustedFile::Config).is_ok(),
            "a missing file is fine"
        );
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(check_config_trust(&path, TrustedFile::Config).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        let err = check_config_trust(&path, TrustedFile::Config).unwrap_err();
        assert!(err.to_string().contains("chmod go-w"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(check_config_trust(&path, TrustedFile::Config).is_err());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(
            check_config_trust(&path, TrustedFile::Config).is_ok(),
            "a sticky directory"
        );
    }
}
