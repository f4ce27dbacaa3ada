//! Editing the crontab: this tool's one line (found by its marker), the job it runs, quoted
//! so that `sh` and cron read it as meant, and every other line written back byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

use super::CronTimes;
use crate::error::Error;

/// The comment that ends this tool's line for the config at `config_path`.
pub fn marker(config_path: &Path) -> String {
    format!(
        "# linkedin-optout:{}",
        crate::state::config_key(config_path)
    )
}

/// What cron runs: environment, program, arguments, and where its output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub env: Vec<(String, String)>,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub log: PathBuf,
}

impl Job {
    /// The whole crontab line: times, the shell command, the marker.
    pub fn line(&self, times: &CronTimes, marker: &str) -> Result<String, Error> {
        let mut words: Vec<String> = Vec::new();
        for (key, value) in &self.env {
            words.push(format!("{key}={}", shell_quote(value)?));
        }
        words.push(shell_quote(&path_text(&self.program)?)?);
        for arg in &self.args {
            words.push(shell_quote(arg)?);
        }
        words.push(format!(">> {} 2>&1", shell_quote(&path_text(&self.log)?)?));
        let command = words.join(" ");
        Ok(format!("{times} {command} {marker}"))
    }
}

/// Where cron would cut `line`: it ends a command at the first `%` not escaped by a `\`
/// (Debian's cron, Vixie cron), and a `\` before a `\` escapes nothing. The byte offset of
/// that `%`, if there is one.
pub fn cron_cut(line: &str) -> Option<usize> {
    let mut escaped = false;
    for (at, ch) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '%' => return Some(at),
            _ => {}
        }
    }
    None
}

fn path_text(path: &Path) -> Result<String, Error> {
    path.to_str().map(str::to_string).ok_or_else(|| {
        Error::Usage(format!(
            "{} is not valid UTF-8 and cannot be written into a crontab line: use another path",
            path.display()
        ))
    })
}

/// Quotes a word for `sh`. A line break cannot be carried by a crontab line at all, and
/// cron turns a `%` into one (with a `\` before it, it cuts the line there), so neither is
/// ever copied into the line.
fn shell_quote(word: &str) -> Result<String, Error> {
    if word.contains(['\n', '\r']) {
        return Err(Error::Usage(format!(
            "`{}` contains a line break and cannot be written into a crontab line",
            crate::input::shown(word)
        )));
    }
    if word.contains('%') {
        return Err(Error::Usage(format!(
            "`{}` contains the character `%`, which cron turns into a line break (and cuts the line at, after a `\\`): use a value without `%` (for `--notify-command`, put the command in a script and pass its path), or run from the systemd timer in scripts/systemd/",
            crate::input::shown(word)
        )));
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "@+=:,./_-".contains(c);
    Ok(if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    })
}

/// The directories of the browsers and drivers the tool may start, found in `path_env`,
/// then the system's: cron runs jobs with a bare `PATH`.
pub fn job_path(path_env: Option<&std::ffi::OsStr>) -> String {
    const PROGRAMS: [&str; 7] = [
        "chromedriver",
        "geckodriver",
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "firefox",
    ];
    let mut dirs: Vec<PathBuf> = Vec::new();
    for dir in path_env.into_iter().flat_map(std::env::split_paths) {
        if PROGRAMS.iter().any(|p| dir.join(p).is_file()) && !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for system in ["/usr/local/bin", "/usr/bin", "/bin"] {
        let system = PathBuf::from(system);
        if !dirs.contains(&system) {
            dirs.push(system);
        }
    }
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// The user's crontab; "no crontab for USER" is an empty one.
pub fn read_crontab() -> anyhow::Result<String> {
    let output = Command::new("crontab")
        .arg("-l")
        .stdin(Stdio::null())
        .output()
        .context("cannot run `crontab -l`: install cron (Debian: `apt install cron`)")?;
    if output.status.success() {
        return String::from_utf8(output.stdout).context("the crontab is not valid UTF-8");
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("no crontab for") {
        return Ok(String::new());
    }
    bail!("`crontab -l` failed ({}): {}", output.status, stderr.trim())
}

/// Replaces the user's crontab with `text`.
pub fn write_crontab(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut child = Command::new("crontab")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run `crontab -`: install cron (Debian: `apt install cron`)")?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(text.as_bytes())
        .context("writing to `crontab -`")?;
    let output = child
        .wait_with_output()
        .context("waiting for `crontab -`")?;
    if !output.status.success() {
        bail!(
            "`crontab -` refused the new crontab ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Our line in `crontab`, if there is one.
pub fn find_line<'a>(crontab: &'a str, marker: &str) -> Option<&'a str> {
    crontab.lines().find(|line| is_ours(line, marker))
}

/// `crontab` with our line replaced by `line` (or removed when `None`), every other line
/// unchanged; a new line goes at the end.
pub fn with_line(crontab: &str, marker: &str, line: Option<&str>) -> String {
    let mut out = String::with_capacity(crontab.len() + 200);
    for piece in crontab.split_inclusive('\n') {
        if !is_ours(piece.trim_end_matches(['\n', '\r']), marker) {
            out.push_str(piece);
        }
    }
    if let Some(line) = line {
        // cron ignores a last line without its newline.
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn is_ours(line: &str, marker: &str) -> bool {
    line.trim_end().ends_with(marker) && !line.trim_start().starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_quotes_and_refuses_percent() {
        let job = Job {
            env: vec![("PATH".into(), "/usr/bin:/bin".into())],
            program: "/opt/my tools/linkedin-optout".into(),
            args: vec![
                "optout".into(),
                "--notify-command".into(),
                "mail me > it's".into(),
            ],
            log: "/home/u/.local/state/linkedin-optout/cron.log".into(),
        };
        let times = CronTimes::parse("1 2 * * *").unwrap();
        let line = job.line(&times, "# linkedin-optout:abc").unwrap();
        assert_eq!(
            line,
            r"1 2 * * * PATH=/usr/bin:/bin '/opt/my tools/linkedin-optout' optout --notify-command 'mail me > it'\''s' >> /home/u/.local/state/linkedin-optout/cron.log 2>&1 # linkedin-optout:abc"
        );
        assert_eq!(cron_cut(&line), None);
        for bad in ["a\nb", "date +%s", r"a\%b@example.com"] {
            let broken = Job {
                args: vec![bad.into()],
                ..job.clone()
            };
            let err = broken.line(&times, "#").unwrap_err().to_string();
            assert!(
                err.contains(if bad.contains('%') {
                    "`%`"
                } else {
                    "line break"
                }),
                "{err}"
            );
        }
    }

    #[test]
    fn cron_cuts_at_a_percent_unless_one_backslash_escapes_it() {
        assert_eq!(cron_cut("a b c"), None);
        assert_eq!(cron_cut(r"a \% b"), None);
        assert_eq!(cron_cut("a % b"), Some(2));
        assert_eq!(cron_cut(r"'a\\%b'"), Some(4));
    }

    #[test]
    fn only_our_line_changes() {
        let marker = "# linkedin-optout:abc";
        let other = "# linkedin-optout:def";
        let crontab = format!(
            "MAILTO=me\n# a comment {marker}\n0 1 * * * old {marker}\n\n5 5 * * * backup  \n0 3 * * * theirs {other}\n*/2 * * * * last"
        );
        let installed = with_line(&crontab, marker, Some(&format!("9 9 * * * new {marker}")));
        assert_eq!(
            installed,
            format!(
                "MAILTO=me\n# a comment {marker}\n\n5 5 * * * backup  \n0 3 * * * theirs {other}\n*/2 * * * * last\n9 9 * * * new {marker}\n"
            )
        );
        assert_eq!(
            find_line(&installed, marker),
            Some(format!("9 9 * * * new {marker}").as_str())
        );
        let removed = with_line(&installed, marker, None);
        assert_eq!(
            removed,
            format!(
                "MAILTO=me\n# a comment {marker}\n\n5 5 * * * backup  \n0 3 * * * theirs {other}\n*/2 * * * * last\n"
            )
        );
        assert_eq!(find_line(&removed, marker), None);
        assert_eq!(with_line("", marker, None), "");
    }

    #[test]
    fn job_path_puts_browser_directories_first() {
        let dir = tempfile::tempdir().unwrap();
        let empty = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("chromedriver"), "").unwrap();
        let path_env = std::env::join_paths([empty.path(), dir.path(), empty.path()]).unwrap();
        assert_eq!(
            job_path(Some(&path_env)),
            format!("{}:/usr/local/bin:/usr/bin:/bin", dir.path().display())
        );
        assert_eq!(job_path(None), "/usr/local/bin:/usr/bin:/bin");
    }
}
