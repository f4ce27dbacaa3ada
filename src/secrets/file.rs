//! Credentials files: `--credentials-file FILE` and the systemd credential, both TOML with
//! `email`, `password` and an optional `totp_secret`.
//!
//! Like ssh with a private key, a file that others could read is refused rather than used.
//! Parse errors never quote the file: the line in question may hold the password.

use std::path::Path;

use secrecy::SecretString;

use super::{Credentials, SecretError, validate_totp_secret};

/// Reads and checks a credentials file (permissions, keys, TOTP secret).
pub(super) fn read_credentials(path: &Path) -> Result<Credentials, SecretError> {
    check_private(path)?;
    let text = std::fs::read_to_string(path).map_err(|err| SecretError::FileUnreadable {
        path: path.to_path_buf(),
        detail: err.to_string(),
    })?;
    let text = SecretString::from(text);
    parse(secrecy::ExposeSecret::expose_secret(&text)).map_err(|detail| SecretError::FileInvalid {
        path: path.to_path_buf(),
        detail,
    })
}

/// Refuses a file whose mode lets group or others read or change it.
#[cfg(unix)]
pub(super) fn check_private(path: &Path) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::metadata(path).map_err(|err| SecretError::FileUnreadable {
        path: path.to_path_buf(),
        detail: err.to_string(),
    })?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(SecretError::FilePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Windows has no mode bits; the file's ACL is the user's business there.
#[cfg(not(unix))]
pub(super) fn check_private(_path: &Path) -> Result<(), SecretError> {
    Ok(())
}

/// The keys are taken one by one instead of through serde so that no error message can
/// echo a value (serde's "invalid type: integer `123`" would print a numeric password).
fn parse(text: &str) -> Result<Credentials, String> {
    let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
        let line = err
            .span()
            .map(|span| text[..span.start].matches('\n').count() + 1);
        match line {
            Some(line) => format!("line {line}: {}", first_line(err.message())),
            None => first_line(err.message()).to_string(),
        }
    })?;
    if let Some(key) = table
        .keys()
        .find(|key| !["email", "password", "totp_secret"].contains(&key.as_str()))
    {
        return Err(format!("unknown key `{key}`"));
    }
    let string = |key: &str| -> Result<Option<&str>, String> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(value)) => Ok(Some(value)),
            Some(_) => Err(format!("`{key}` must be a quoted string")),
        }
    };
    let email = string("email")?
        .filter(|email| email.contains('@'))
        .ok_or("`email` is missing or not an email address")?;
    let password = string("password")?
        .filter(|password| !password.is_empty())
        .ok_or("`password` is missing or empty")?;
    let totp_secret = match string("totp_secret")? {
        Some(secret) => {
            let secret = SecretString::from(secret);
            validate_totp_secret(&secret).map_err(|err| match err {
                SecretError::TotpInvalid { detail } => format!("`totp_secret`: {detail}"),
                other => other.to_string(),
            })?;
            Some(secret)
        }
        None => None,
    };
    Ok(Credentials {
        email: crate::input::normal_email(email),
        password: password.into(),
        totp_secret,
    })
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn a_complete_file_parses() {
        let credentials = parse(
            "email = \"a@example.com\"\npassword = \"p w\"\ntotp_secret = \"JBSWY3DPEHPK3PXP\"\n",
        )
        .unwrap();
        assert_eq!(credentials.email, "a@example.com");
        // The address in its normal form, whatever the file's spelling.
        let upper = parse("email = \" A@Example.com\"\npassword = \"p\"\n").unwrap();
        assert_eq!(upper.email, "a@example.com");
        assert_eq!(credentials.password.expose_secret(), "p w");
        assert!(credentials.totp_secret.is_some());
    }

    #[test]
    fn errors_never_quote_a_value() {
        for (text, expected) in [
            (
                "email = \"a@example.com\"\npassword = 987654321\n",
                "quoted string",
            ),
            (
                "email = \"a@example.com\"\npassword = \"987654321\n",
                "line 2",
            ),
            (
                "email = \"a@example.com\"\npasword = \"987654321\"\n",
                "unknown key `pasword`",
            ),
            ("email = \"a@example.com\"\n", "`password` is missing"),
            ("password = \"987654321\"\n", "`email` is missing"),
            (
                "email = \"a@example.com\"\npassword = \"987654321\"\ntotp_secret = \"1!\"",
                "`totp_secret`",
            ),
        ] {
            let detail = parse(text).unwrap_err();
            assert!(detail.contains(expected), "{detail:?} for {text:?}");
            assert!(!detail.contains("987654321"), "{detail:?}");
            assert!(!detail.contains('\n'), "{detail:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn group_or_world_access_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.toml");
        std::fs::write(&path, "email = \"a@example.com\"\npassword = \"x\"\n").unwrap();
        for (mode, allowed) in [(0o600, true), (0o400, true), (0o640, false), (0o604, false)] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(read_credentials(&path).is_ok(), allowed, "mode {mode:o}");
        }
    }
}
