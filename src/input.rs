//! What a value the user gives may be, checked where it enters: clap's value parsers for the
//! command line and the environment, the config loader for the file. Each check returns why
//! a value is refused; the caller names where the value came from.

use std::ops::RangeInclusive;

use url::Url;

/// `--timeout` and `timeout =`, in seconds: at least a second, at most an hour.
pub const TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=3600;

/// The longest email address there is (RFC 5321: 64 + 1 + 255).
pub const EMAIL_MAX_CHARS: usize = 320;

/// Checks a timeout in seconds.
pub fn check_timeout(seconds: u64) -> Result<u64, String> {
    if TIMEOUT_SECONDS.contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!(
            "{seconds} s is out of range: a timeout is {} to {} seconds",
            TIMEOUT_SECONDS.start(),
            TIMEOUT_SECONDS.end()
        ))
    }
}

/// clap's parser for `--timeout`.
pub fn timeout_arg(text: &str) -> Result<u64, String> {
    let seconds = text.trim().parse::<u64>().map_err(|_| {
        format!(
            "`{}` is not a number of seconds from {} to {}",
            text.escape_debug(),
            TIMEOUT_SECONDS.start(),
            TIMEOUT_SECONDS.end()
        )
    })?;
    check_timeout(seconds)
}

/// Checks a web address the tool connects to (LinkedIn, a WebDriver server): `http` or
/// `https`, with a host, and nothing a browser would run or a server would not see.
pub fn check_web_url(url: &Url) -> Result<(), String> {
    // A user name or password in the URL is for the server (a Grid's basic auth), never for
    // a message: whether the URL may carry one is the security policy's call.
    let shown_url = || shown(&crate::security::for_display(url));
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{}` is not a web address: only `http://` and `https://` are accepted",
            shown_url()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{}` has no host", shown_url()));
    }
    Ok(())
}

/// clap's parser for `--base-url` and `--webdriver` (and their environment variables).
pub fn web_url_arg(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|err| {
        format!(
            "`{}` is not a web address: {err}",
            shown(&without_user_info(text))
        )
    })?;
    check_web_url(&url)?;
    Ok(url)
}

/// `text` with whatever stands between `://` and an `@` masked: a URL that does not parse
/// may still carry a password.
fn without_user_info(text: &str) -> String {
    match text.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://…@{host}"),
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// An email address in the one form the tool compares, stores and reports it in: without
/// the blanks around it, ASCII letters in lower case. LinkedIn treats addresses without
/// regard to case, so `Me@Example.com` and `me@example.com` are one account, with one
/// keyring entry, one session and one history. Letters outside ASCII are kept as given.
pub fn normal_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

/// Checks an account: a plausible email address, which is also what names its files and its
/// keyring entries.
pub fn check_account(email: &str) -> Result<(), String> {
    if email.contains(['\n', '\r']) {
        return Err("the account contains a line break".to_string());
    }
    if email.chars().any(char::is_control) {
        return Err("the account contains a control character".to_string());
    }
    let chars = email.chars().count();
    if chars > EMAIL_MAX_CHARS {
        return Err(format!(
            "the account is {chars} characters long: an email address has at most {EMAIL_MAX_CHARS} (RFC 5321)"
        ));
    }
    // The keyring keeps `EMAIL#totp` and `EMAIL#session` beside `EMAIL`: an account with a
    // `#` could read another account's entries.
    if email.contains('#') {
        return Err(format!(
            "`{}` contains `#`, which no LinkedIn sign-in email has: pass the email you sign in with",
            shown(email)
        ));
    }
    let plausible = match email.rsplit_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && !domain.contains(['/', '\\', '%', ':', '[', ']'])
        }
        None => false,
    };
    if !plausible {
        return Err(format!(
            "`{}` is not an email address: the account is the email you sign in to LinkedIn with",
            shown(email)
        ));
    }
    Ok(())
}

/// A value as an error message shows it: control characters escaped, and no more than 80
/// characters of it.
pub fn shown(text: &str) -> String {
    const LONGEST: usize = 80;
    let escaped: String = text.escape_debug().collect();
    match escaped.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}… ({} characters)", &escaped[..cut], text.chars().count()),
        None => escaped,
    }
}

/// A base URL without a trailing slash loses its last path segment when joined (a Grid's
/// `/wd/hub`), so every base URL gets one.
pub fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// clap's parser for `--since`: a date (`2026-11-01`, from midnight UTC), a time (RFC 3339,
/// `2026-11-01T07:00:00Z`), or how long ago (`48h`, `7d`, `2w`).
pub fn since_arg(text: &str) -> Result<jiff::Timestamp, String> {
    since(text, jiff::Timestamp::now())
}

fn since(text: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, String> {
    let text = text.trim();
    if let Ok(time) = text.parse::<jiff::Timestamp>() {
        return Ok(time);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|zoned| zoned.timestamp())
            .map_err(|err| err.to_string());
    }
    let ago = text
        .find(|c: char| !c.is_ascii_digit())
        .filter(|split| *split > 0)
        .and_then(|split| {
            let (number, unit) = text.split_at(split);
            let hours: i64 = match unit {
                "h" => 1,
                "d" => 24,
                "w" => 24 * 7,
                _ => return None,
            };
            number.parse::<i64>().ok()?.checked_mul(hours)
        });
    ago.and_then(|hours| {
        now.checked_sub(jiff::SignedDuration::from_hours(hours.min(24 * 366 * 100)))
            .ok()
    })
    .ok_or_else(|| {
        format!(
            "`{}` is not a time: give a date (2026-11-01), a time (2026-11-01T07:00:00Z) or how long ago (48h, 7d, 2w)",
            shown(text)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_date_a_time_or_how_long_ago() {
        let now: jiff::Timestamp = "2026-12-01T20:00:00Z".parse().unwrap();
        let at = |text: &str| since(text, now).map(|t| t.to_string());
        assert_eq!(at("2026-11-01").unwrap(), "2026-11-01T00:00:00Z");
        assert_eq!(
            at("2026-11-01T07:00:00+01:00").unwrap(),
            "2026-11-01T06:00:00Z"
        );
        assert_eq!(at("48h").unwrap(), "2026-11-29T20:00:00Z");
        assert_eq!(at("7d").unwrap(), "2026-11-24T20:00:00Z");
        assert_eq!(at("2w").unwrap(), "2026-11-17T20:00:00Z");
        for bad in ["", "d", "7", "7y", "-3d", "yesterday", "2026-13-01"] {
            assert!(at(bad).unwrap_err().contains("is not a time"), "{bad}");
        }
    }

    #[test]
    fn timeouts_are_one_second_to_an_hour() {
        assert_eq!(timeout_arg("1"), Ok(1));
        assert_eq!(timeout_arg("3600"), Ok(3600));
        for bad in [
            "0",
            "3601",
            "18446744073709551615",
            "18446744073709551616",
            "-1",
            "",
            "5s",
        ] {
            assert!(timeout_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_refused_url_never_shows_its_password() {
        for bad in ["ftp://alice:sekrit@x/", "http://alice:sekrit@[bad/"] {
            let why = web_url_arg(bad).unwrap_err();
            assert!(!why.contains("sekrit"), "{why}");
        }
        // A Grid's basic auth is for the server: accepted here, kept out of every message.
        assert!(web_url_arg("https://alice:sekrit@grid.example/wd/hub").is_ok());
    }

    #[test]
    fn only_http_and_https_with_a_host() {
        assert!(web_url_arg("http://127.0.0.1:8080").is_ok());
        assert!(web_url_arg("https://www.linkedin.com/").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "file:///etc/passwd",
            "data:text/html,hi",
            "http://",
            "not a url",
            "",
        ] {
            assert!(web_url_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accounts_are_plausible_emails() {
        assert!(check_account("you@example.com").is_ok());
        assert!(check_account("a+tag@sub.example.co.uk").is_ok());
        assert_eq!(
            check_account("a@example.com\nb").unwrap_err(),
            "the account contains a line break"
        );
        assert!(check_account("a\u{7}@example.com").is_err());
        assert!(check_account(&format!("{}@example.com", "a".repeat(10_000))).is_err());
        for bad in [
            "", "@", "a@", "@b", "no-at", "a b@c.d", "a@b/c", "a@.b", "a@b.",
        ] {
            assert!(check_account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let shown = shown(&"x".repeat(10_000));
        assert!(shown.len() < 120, "{shown}");
        assert!(shown.ends_with("(10000 characters)"), "{shown}");
    }
}
