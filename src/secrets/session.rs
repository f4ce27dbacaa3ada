//! The browser session kept between runs, so a scheduled run does not sign in (and trip
//! LinkedIn's checkpoints) every time.
//!
//! Its cookies sign in as the member, so they are secrets: the values are `SecretString`s,
//! exposed only when serialized into the secret store. When the password comes from a
//! read-only file, the session goes to `<state dir>/sessions/<email>.json`, mode 0600 in a
//! 0700 directory.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use super::SecretError;
use super::file::check_private;

/// One cookie of the signed-in browser (`li_at`, `JSESSIONID`, `liap`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionCookie {
    pub name: String,
    #[serde(serialize_with = "expose")]
    pub value: SecretString,
    pub domain: Option<String>,
    pub path: Option<String>,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub http_only: bool,
    pub expires_unix: Option<i64>,
}

/// The cookies of a signed-in session and when they were saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredSession {
    pub cookies: Vec<SessionCookie>,
    pub saved_at: Timestamp,
}

fn expose<S: Serializer>(value: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.expose_secret())
}

impl StoredSession {
    pub(super) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session serializes to JSON")
    }

    /// Parses a stored session. A damaged one is only a lost cache (the next run signs in
    /// again and overwrites it), so it is logged and treated as absent. The log names the
    /// position, never the error text, which can quote a cookie value.
    pub(super) fn from_json(json: &str, origin: &dyn std::fmt::Display) -> Option<StoredSession> {
        match serde_json::from_str(json) {
            Ok(session) => Some(session),
            Err(err) => {
                tracing::warn!(
                    "ignoring the saved browser session in {origin}: not valid ({:?} error at line {} column {})",
                    err.classify(),
                    err.line(),
                    err.column()
                );
                None
            }
        }
    }
}

/// `<state dir>/sessions/<email>.json`, with the email made safe as one file name
/// (`state::files`: a session an older version saved under another name is found too).
pub(super) fn session_file(state_dir: &Path, account: &str) -> PathBuf {
    crate::state::files::account_path(&state_dir.join("sessions"), account, ".json")
}

pub(super) fn read_file(path: &Path) -> Result<Option<StoredSession>, SecretError> {
    let json = match std::fs::read_to_string(path) {
        Ok(json) => SecretString::from(json),
        // A path that cannot exist (a file where a directory of it should be) holds nothing.
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(err) => {
            return Err(SecretError::FileUnreadable {
                path: path.to_path_buf(),
                detail: err.to_string(),
            });
        }
    };
    check_private(path)?;
    Ok(StoredSession::from_json(
        json.expose_secret(),
        &path.display(),
    ))
}

/// Writes the file whole or not at all: a temporary file of mode 0600 renamed over it.
pub(super) fn write_file(path: &Path, session: &StoredSession) -> Result<(), SecretError> {
    let failed = |err: std::io::Error| SecretError::SessionNotSaved {
        path: path.to_path_buf(),
        detail: err.to_string(),
    };
    let dir = path.parent().expect("a session file is inside a directory");
    crate::state::files::create_private_dir(dir).map_err(failed)?;
    // A temporary file of mode 0600 next to the session file, removed on every path that
    // does not rename it (a directory in the way, a full disk).
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(
            ".{}.",
            path.file_name().expect("a file name").to_string_lossy()
        ))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(failed)?;
    let json = SecretString::from(session.to_json());
    temporary
        .write_all(json.expose_secret().as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(failed)?;
    temporary.persist(path).map_err(|err| failed(err.error))?;
    Ok(())
}

/// Removes the file; `false` when there was none.
pub(super) fn remove_file(path: &Path) -> Result<bool, SecretError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(false)
        }
        Err(err) => Err(SecretError::SessionNotSaved {
            path: path.to_path_buf(),
            detail: format!("cannot remove it: {err}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredSession {
        StoredSession {
            cookies: vec![SessionCookie {
                name: "li_at".into(),
                value: "AQEDAT-cookie-value".into(),
                domain: Some(".www.linkedin.com".into()),
                path: Some("/".into()),
                secure: true,
                http_only: true,
                expires_unix: Some(1_900_000_000),
            }],
            saved_at: Timestamp::from_second(1_750_000_000).unwrap(),
        }
    }

    #[test]
    fn debug_redacts_cookie_values_and_json_keeps_them() {
        let session = sample();
        assert!(!format!("{session:?}").contains("AQEDAT-cookie-value"));
        let back = StoredSession::from_json(&session.to_json(), &"test").unwrap();
        assert_eq!(back.cookies[0].value.expose_secret(), "AQEDAT-cookie-value");
        assert_eq!(back.saved_at, session.saved_at);
        assert!(back.cookies[0].http_only);
    }

    #[test]
    fn a_damaged_session_is_absent() {
        assert!(StoredSession::from_json("{\"cookies\": 3", &"test").is_none());
    }

    #[test]
    fn emails_become_one_file_name() {
        let dir = Path::new("/state");
        assert_eq!(
            session_file(dir, "a.b+c@example.com"),
            Path::new("/state/sessions/a.b+c@example.com.json")
        );
        assert_eq!(
            session_file(dir, "../x/y@z"),
            Path::new("/state/sessions/..%2Fx%2Fy@z.json")
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_round_trips() {
        use std::os::unix::fs::PermissionsExt as _;
        let state = tempfile::tempdir().unwrap();
        let path = session_file(state.path(), "a@example.com");
        write_file(&path, &sample()).unwrap();
        write_file(&path, &sample()).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let back = read_file(&path).unwrap().unwrap();
        assert_eq!(back.cookies[0].name, "li_at");
        assert!(remove_file(&path).unwrap());
        assert!(!remove_file(&path).unwrap());
        assert!(read_file(&path).unwrap().is_none());
    }

    #[test]
    fn a_failed_save_leaves_no_temporary_file() {
        let state = tempfile::tempdir().unwrap();
        let path = session_file(state.path(), "a@example.com");
        // A directory in the way of the session file: the rename fails.
        std::fs::create_dir_all(&path).unwrap();
        assert!(write_file(&path, &sample()).is_err());
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("a@example.com.json")]);
    }
}
