//! Where what the browser saw is kept when a page is not understood: private and scrubbed.
//!
//! A page can show the member's name, and its HTML carries CSRF tokens and whatever the
//! inputs held. So each failure gets a directory of its own, created fresh (never one that
//! exists, never through a link), mode 0700 in a directory of ours; each file is 0600,
//! opened with `O_NOFOLLOW`; the HTML is saved without `value` attributes; and only the
//! newest [`KEEP`] failures are kept.

use std::path::{Path, PathBuf};

/// How many failures' artifacts are kept.
pub const KEEP: usize = 20;

/// The page's HTML from a copy of the document without what inputs hold: no `value`
/// attributes (hidden CSRF fields, a typed email), no text in text areas, no CSRF meta
/// tags. The live page is left as it is.
pub const SCRUBBED_HTML_SCRIPT: &str = r#"
const copy = document.documentElement.cloneNode(true);
for (const el of copy.querySelectorAll('input, option, button, param')) el.removeAttribute('value');
for (const el of copy.querySelectorAll('textarea')) el.textContent = '';
for (const el of copy.querySelectorAll('meta[name*="csrf" i], meta[name*="token" i]')) el.removeAttribute('content');
const doctype = document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>\n' : '';
return doctype + copy.outerHTML;
"#;

/// Creates a fresh private directory for one failure of `account` under `parent`, after
/// removing the oldest failures beyond [`KEEP`].
pub fn create_run_dir(parent: &Path, account: &str) -> std::io::Result<PathBuf> {
    crate::state::files::create_private_dir(parent)?;
    prune(parent, KEEP.saturating_sub(1));
    let stamp = jiff::Timestamp::now().as_second();
    let account = crate::state::files::account_name(account);
    let dir = parent.join(format!(
        "{stamp}-{account}-{}-{}",
        std::process::id(),
        crate::browser::port::random_secret()
            .get(..8)
            .unwrap_or_default()
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    // Not recursive: an existing directory (or a link planted there) is an error.
    builder.create(&dir)?;
    Ok(dir)
}

/// Writes `bytes` to a new file `name` in `dir`, mode 0600, never through a link and never
/// over an existing file.
pub fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    crate::state::files::write_new_private(&dir.join(name), bytes)
}

/// Removes the oldest failures' directories (by name: they start with a Unix time) so that
/// at most `keep` remain. Only directories that look like ours are touched.
fn prune(parent: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut runs: Vec<(i64, PathBuf)> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| {
            let name = entry.file_name();
            let stamp = name.to_str()?.split_once('-')?.0.parse().ok()?;
            Some((stamp, entry.path()))
        })
        .collect();
    if runs.len() <= keep {
        return;
    }
    runs.sort();
    let excess = runs.len() - keep;
    for (_, dir) in runs.into_iter().take(excess) {
        if let Err(err) = std::fs::remove_dir_all(&dir) {
            tracing::warn!("cannot remove old artifacts {}: {err}", dir.display());
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn each_failure_gets_a_fresh_private_dir_and_old_ones_go() {
        let root = tempfile::tempdir().unwrap();
        let parent = root.path().join("artifacts");
        std::fs::create_dir(&parent).unwrap();
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o700)).unwrap();
        for stamp in 1000..1030 {
            std::fs::create_dir(parent.join(format!("{stamp}-old@example.com"))).unwrap();
        }
        let dir = create_run_dir(&parent, "me@example.com").unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(std::fs::read_dir(&parent).unwrap().count(), KEEP);
        assert!(!parent.join("1000-old@example.com").exists());
        assert!(parent.join("1029-old@example.com").exists());
        write_private(&dir, "page.html", b"<html>").unwrap();
        let mode = std::fs::metadata(dir.join("page.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(
            write_private(&dir, "page.html", b"again").is_err(),
            "never over a file"
        );
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link.html")).unwrap();
        assert!(
            write_private(&dir, "link.html", b"x").is_err(),
            "never through a link"
        );
    }

    #[test]
    fn a_directory_others_can_write_to_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let parent = root.path().join("artifacts");
        std::fs::create_dir(&parent).unwrap();
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = create_run_dir(&parent, "me@example.com").unwrap_err();
        assert!(err.to_string().contains("chmod 700"), "{err}");
    }

    #[test]
    fn a_link_planted_where_a_file_goes_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "kept").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("page.html")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangling"))
            .unwrap();
        assert!(write_private(dir.path(), "page.html", b"secret").is_err());
        assert!(write_private(dir.path(), "dangling", b"secret").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
        assert!(!dir.path().join("nowhere").exists());
        // An ordinary new file is written, mode 0600.
        write_private(dir.path(), "fresh.html", b"page").unwrap();
        let mode = std::fs::metadata(dir.path().join("fresh.html")).unwrap();
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    }
}
