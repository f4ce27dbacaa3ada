//! How the state directory names an account's files, and the one way it makes a private
//! directory.
//!
//! Every per-account file or directory (the saved session, the sign-in cool-down, the
//! receipts, a failure's artifacts) is named by [`account_name`]. Older versions had an
//! encoding per room; [`account_path`] still finds what they wrote and renames it.

use std::path::{Path, PathBuf};

/// An account (an email address, in its normal form: `input::normal_email`) as one file
/// name: ASCII letters, digits and `@._+-` are kept, every other byte is written `%XX`. No
/// two accounts share a name, and no name holds a path separator.
pub fn account_name(account: &str) -> String {
    let mut name = String::with_capacity(account.len());
    for byte in account.bytes() {
        if byte.is_ascii_alphanumeric() || b"@._+-".contains(&byte) {
            name.push(char::from(byte));
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    name
}

/// `dir/<account_name><suffix>`. When nothing is there yet but an older version kept the
/// same account's file under another name (another encoding, or the address spelled in
/// other letter cases), that file is renamed to this name first, so nothing kept before is
/// lost. A failed rename leaves the old file where it is, with a warning.
pub fn account_path(dir: &Path, account: &str, suffix: &str) -> PathBuf {
    let path = dir.join(format!("{}{suffix}", account_name(account)));
    if std::fs::symlink_metadata(&path).is_ok() {
        return path;
    }
    if let Some(old) = older_name(dir, account, suffix) {
        match std::fs::rename(&old, &path) {
            Ok(()) => tracing::debug!("renamed {} to {}", old.display(), path.display()),
            Err(err) => tracing::warn!(
                "cannot rename {} to {} ({err}): it is ignored",
                old.display(),
                path.display()
            ),
        }
    }
    path
}

/// A file in `dir` that an older version kept for `account`: named by one of the older
/// encodings, in any ASCII letter case.
fn older_name(dir: &Path, account: &str, suffix: &str) -> Option<PathBuf> {
    let candidates = [
        account_name(account),
        // The sign-in cool-down's and the artifacts' encoding: anything else became `_`.
        account
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect(),
        // The receipts' encoding: only separators and a leading dot were replaced.
        {
            let mut name: String = account
                .chars()
                .map(|c| {
                    if matches!(c, '/' | '\\' | '\0') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            if name.starts_with('.') {
                name.replace_range(..1, "_");
            }
            name
        },
    ];
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let Some(name) = name.to_str().and_then(|name| name.strip_suffix(suffix)) else {
                return false;
            };
            candidates
                .iter()
                .any(|candidate| candidate.eq_ignore_ascii_case(name))
        })
        .map(|entry| entry.path())
        .collect();
    // Several spellings of one account: the same one every time.
    found.sort();
    found.into_iter().next()
}

/// Creates `dir` and its parents as needed (0700 where it creates them), and makes sure
/// `dir` is private: a real directory (not a link), owned by this user, that nobody else can
/// write to (refused: they could have swapped what is in it), and that nobody else can read
/// (tightened to 0700: a directory made by hand with 0755).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let meta = std::fs::symlink_metadata(dir)?;
        if !meta.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        if meta.uid() != crate::security::effective_uid() {
            return Err(std::io::Error::other(format!(
                "{} belongs to another user (uid {})",
                dir.display(),
                meta.uid()
            )));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(std::io::Error::other(format!(
                "others can write to {}: `chmod 700 {}`",
                dir.display(),
                dir.display()
            )));
        }
        if meta.mode() & 0o777 != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Writes `bytes` to a new file at `path`, mode 0600, never through a link and never over an
/// existing file: the one way the state directory's private files (failure artifacts,
/// receipts) are written.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)?.write_all(bytes)
}

/// Replaces the file at `path` whole or not at all: a new temporary file of mode 0600 beside
/// it, renamed over it (a rename replaces a link planted there, never its target). For the
/// state directory's private records that are rewritten (what the policy watch has seen).
pub fn replace_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // Removed on every path that does not rename it (a full disk, a directory in the way).
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_link_planted_where_a_private_file_goes_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "kept").unwrap();
        let planted = dir.path().join("receipt.png");
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        let dangling = dir.path().join("receipt.json");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_new_private(&planted, b"png").is_err());
        assert!(write_new_private(&dangling, b"{}").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn an_account_is_one_file_name_and_no_two_share_one() {
        assert_eq!(
            account_name("a.b+c-d_e@example.com"),
            "a.b+c-d_e@example.com"
        );
        assert_eq!(account_name("../x/y@z"), "..%2Fx%2Fy@z");
        assert_eq!(account_name("o'brien@example.com"), "o%27brien@example.com");
        assert_eq!(account_name("zoë@example.com"), "zo%C3%AB@example.com");
        // The older cool-down encoding made these two one file.
        assert_ne!(account_name("a'b@x.com"), account_name("a!b@x.com"));
    }

    #[test]
    fn files_an_older_version_named_are_found_and_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        // The cool-down's `_` for a character outside the safe set.
        std::fs::write(dir.join("o_brien@example.com"), "cool-down").unwrap();
        let path = account_path(dir, "o'brien@example.com", "");
        assert_eq!(path, dir.join("o%27brien@example.com"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "cool-down");
        assert!(!dir.join("o_brien@example.com").exists());

        // A session saved under the spelling of a credentials file, before emails had one
        // normal form.
        std::fs::write(dir.join("Me@Example.COM.json"), "session").unwrap();
        let path = account_path(dir, "me@example.com", ".json");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "session");
        assert!(!dir.join("Me@Example.COM.json").exists());

        // The receipts' directory, which kept the address as it was.
        std::fs::create_dir(dir.join("zoë@example.com")).unwrap();
        let path = account_path(dir, "zoë@example.com", "");
        assert_eq!(path, dir.join("zo%C3%AB@example.com"));
        assert!(path.is_dir());

        // What is already under the current name wins; another account's file is left.
        std::fs::write(dir.join("b@example.com"), "current").unwrap();
        std::fs::write(dir.join("B@example.com"), "older").unwrap();
        let path = account_path(dir, "b@example.com", "");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "current");
        assert!(dir.join("B@example.com").exists());
        assert!(!account_path(dir, "c@example.com", "").exists());
        assert!(dir.join("B@example.com").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_private_dir_is_tightened_or_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "readable by others: tightened");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = create_private_dir(&dir).unwrap_err();
        assert!(err.to_string().contains("chmod 700"), "{err}");
        let link = root.path().join("link");
        std::os::unix::fs::symlink(root.path().join("a"), &link).unwrap();
        let err = create_private_dir(&link).unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
    }
}
