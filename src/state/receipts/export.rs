//! `receipts export DIR`: one self-contained page (`index.html`: inline CSS, no script, no
//! network) that a regulator reads in ten seconds, and the receipts' files copied beside it,
//! so that the directory can be attached to a complaint or opened in any browser.
//!
//! The page: a title naming what it covers; what is damaged or missing in the receipts
//! directory; a summary per account and switch with a strip of one coloured cell per check;
//! then each switch under its name, its story as cards (first reading, changes, drift as a
//! red banner, the latest) and runs of identical readings folded into one row that opens;
//! last, the hashes, with how to check them. Screenshots are shown at full size, cropped for
//! display to the switch's row; the files themselves are copied unchanged.
//!
//! It writes only into a directory it creates, or an empty one the member owns (made 0700
//! first), and creates every file new (`O_NOFOLLOW`, 0600): nothing planted there is
//! followed or written over.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{Problem, Stored};
use crate::linkedin::evidence::sha256_hex;
use crate::linkedin::outcome::{Outcome, SettingState};
use crate::state::files::write_new_private;

const STYLE: &str = "*{box-sizing:border-box}\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f6f5f2;color:#1b1b1b}\
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px}\
h1{font-size:24px;line-height:1.25;margin:0 0 8px}h2{font-size:19px;margin:0 0 4px}\
p{margin:0 0 8px}a{color:#0a58ca}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}\
.lead{color:#444}\
.problems{background:#fff4e5;border:1px solid #d9822b;border-radius:6px;padding:12px 16px;margin:16px 0}\
.problems ul{margin:4px 0 0;padding-left:20px;overflow-wrap:anywhere}\
.box{background:#fff;border-radius:8px;padding:16px 20px;margin:20px 0;box-shadow:0 1px 3px #0002}\
.row{display:grid;grid-template-columns:minmax(0,300px) minmax(0,1fr);gap:4px 24px;padding:10px 0;border-top:1px solid #eee}\
.row:first-of-type{border-top:0}\
.name{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;color:#555;overflow-wrap:anywhere}\
.strip{display:flex;flex-wrap:wrap;gap:2px;margin:6px 0 0;padding:0;list-style:none}\
.cell{display:block;width:10px;height:18px;border-radius:2px}\
.s-off{background:#2da44e}.s-on{background:#cf222e}.s-not_offered{background:#8c959f}.s-unknown{background:#d0d7de}\
.cell.drift{box-shadow:inset 0 0 0 2px #5c0011}\
.legend{font-size:13px;color:#555;margin:4px 0 0}.legend .cell{display:inline-block;vertical-align:-4px;margin:0 4px 0 12px}\
.legend .cell:first-child{margin-left:0}\
.banner{background:#b3141f;color:#fff;border-radius:6px;padding:10px 14px;margin:12px 0;font-weight:600}\
.checks{list-style:none;margin:12px 0 0;padding:0}\
.card{display:flex;flex-wrap:wrap;gap:16px;border:1px solid #e3e3e3;border-radius:8px;padding:14px;margin:10px 0}\
.shot{flex:none;max-width:100%;overflow:hidden;border:1px solid #ccc;border-radius:4px;background:#fff}\
.shot img{display:block}\
.facts{flex:1 1 300px;min-width:0}\
.state{display:inline-block;font-weight:700;padding:1px 10px;border-radius:12px;margin-right:8px}\
.st-off{background:#dafbe1;color:#116329}.st-on{background:#ffebe9;color:#a40e26}\
.st-not_offered,.st-unknown{background:#eaeef2;color:#424a53}\
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:8px 0 0;font-size:13px}\
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}\
.missing{color:#a40e26;font-weight:600}\
.fold{border:1px dashed #c8c8c8;border-radius:8px;padding:10px 14px;margin:10px 0}\
summary{cursor:pointer;font-weight:600}\
table{border-collapse:collapse;font-size:13px;margin-top:8px;width:100%}\
th,td{padding:3px 12px 3px 0;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{color:#666;font-weight:600}\
.date{white-space:nowrap}.hashes ol{padding-left:0;list-style:none}.hashes li{font-size:13px;overflow-wrap:anywhere;margin:4px 0}";

/// A switch as the page names it: its catalogue name and its title.
pub struct Named {
    pub name: String,
    pub title: String,
}

/// What to export: the receipts (in any order), what is wrong beside them, and the
/// catalogue's switches, in its order, for their titles.
pub struct Export<'a> {
    pub receipts: &'a [Stored],
    pub problems: &'a [Problem],
    pub switches: &'a [Named],
}

/// Why a target directory is refused: the message names it and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Makes `dir` ready to write into: created (mode 0700) when it does not exist; otherwise it
/// must be an empty directory, not a link, that the member owns, and it is made 0700 before
/// it is found empty, so that no other user can plant anything in it after the check.
pub fn prepare(dir: &Path) -> Result<(), Refused> {
    let shown = dir.display();
    let io = |err: std::io::Error| Refused(format!("cannot use {shown} for the export: {err}"));
    match std::fs::symlink_metadata(dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mut builder = std::fs::DirBuilder::new();
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(dir) {
                Ok(()) => Ok(()),
                // Made by someone else meanwhile: it is checked as any existing one.
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => existing(dir),
                Err(err) => Err(io(err)),
            }
        }
        Err(err) => Err(io(err)),
        Ok(_) => existing(dir),
    }
}

/// The checks of a target that exists already.
fn existing(dir: &Path) -> Result<(), Refused> {
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
    let shown = dir.display();
    let fix = "give a new directory (the export creates it) or an empty one of yours";
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|err| Refused(format!("cannot use {shown} for the export: {err}")))?;
    if meta.file_type().is_symlink() {
        return Err(Refused(format!(
            "{shown} is a symbolic link: the export never writes through one; {fix}"
        )));
    }
    if !meta.is_dir() {
        return Err(Refused(format!(
            "{shown} exists and is not a directory: the export never writes over a file; {fix}"
        )));
    }
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(dir)
        .map_err(|err| Refused(format!("cannot open {shown}: {err}; {fix}")))?;
    let held = opened
        .metadata()
        .map_err(|err| Refused(format!("cannot read {shown}: {err}")))?;
    if held.uid() != crate::security::effective_uid() {
        return Err(Refused(format!(
            "{shown} belongs to another user (uid {}), who could change what the export writes; {fix}",
            held.uid()
        )));
    }
    opened
        .set_permissions(std::fs::Permissions::from_mode(0o700))
        .map_err(|err| Refused(format!("cannot make {shown} private (0700): {err}")))?;
    let mut entries =
        std::fs::read_dir(dir).map_err(|err| Refused(format!("cannot read {shown}: {err}")))?;
    if let Some(entry) = entries.next() {
        let name = entry.map_or_else(
            |_| "?".into(),
            |e| e.file_name().to_string_lossy().into_owned(),
        );
        return Err(Refused(format!(
            "{shown} is not empty (it holds {}): the export never writes over files; {fix}",
            crate::input::shown(&name)
        )));
    }
    // Still the directory that was checked, not one swapped in under its name.
    let now = std::fs::symlink_metadata(dir)
        .map_err(|err| Refused(format!("cannot read {shown}: {err}")))?;
    if (now.dev(), now.ino()) != (held.dev(), held.ino()) {
        return Err(Refused(format!(
            "{shown} was replaced while it was checked; {fix}"
        )));
    }
    Ok(())
}

/// One receipt as the page shows it, with what its screenshot turned out to be.
struct Shown<'a> {
    stored: &'a Stored,
    /// The footnote with its hashes.
    note: usize,
    /// `account/file` relative to the page, as a URL and as a path.
    png_href: String,
    png_path: String,
    json_href: String,
    /// The screenshot's pixel size; `None` when it is missing or does not decode.
    size: Option<(u32, u32)>,
    /// What is wrong with the screenshot (missing, or not what its hash says).
    trouble: Option<String>,
}

/// Copies the receipts' files into `dir` (made ready by `prepare`) and writes
/// `dir/index.html`; returns the page's path and what it names as damaged or missing (the
/// problems given, and screenshots that do not match their hash).
pub fn write(export: &Export<'_>, dir: &Path) -> anyhow::Result<(PathBuf, Vec<String>)> {
    let mut receipts: Vec<&Stored> = export.receipts.iter().collect();
    receipts.sort_by(|a, b| (a.receipt.time, &a.json).cmp(&(b.receipt.time, &b.json)));
    let mut made = std::collections::HashSet::new();
    let mut problems: Vec<String> = export.problems.iter().map(|p| p.what.clone()).collect();
    let mut shown = Vec::new();
    for stored in &receipts {
        let account_dir = stored
            .json
            .parent()
            .and_then(Path::file_name)
            .context("a receipt outside an account directory")?;
        let target = dir.join(account_dir);
        if made.insert(target.clone()) {
            let mut builder = std::fs::DirBuilder::new();
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(&target)
                .with_context(|| format!("creating {}", target.display()))?;
        }
        let copy = |from: &Path| -> anyhow::Result<Option<Vec<u8>>> {
            let name = from.file_name().context("a receipt file without a name")?;
            // Only a regular file is read: a pipe in its place would never end.
            let bytes = match std::fs::symlink_metadata(from) {
                Ok(meta) if meta.is_file() => {
                    std::fs::read(from).with_context(|| format!("reading {}", from.display()))?
                }
                _ => return Ok(None),
            };
            let to = target.join(name);
            write_new_private(&to, &bytes).with_context(|| format!("writing {}", to.display()))?;
            Ok(Some(bytes))
        };
        copy(&stored.json)?;
        let png = copy(&stored.png)?;
        let trouble = match &png {
            None => Some("the screenshot is missing".to_string()),
            Some(bytes) if sha256_hex(bytes) != stored.receipt.png_sha256 => {
                let what = format!(
                    "the screenshot {} does not match the hash in its receipt: it was changed",
                    stored.png.display()
                );
                problems.push(what);
                Some("the screenshot does not match the hash in its receipt".to_string())
            }
            Some(_) => None,
        };
        let size = png.as_deref().and_then(|bytes| {
            image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Png)
                .into_dimensions()
                .ok()
        });
        let href = |file: &Path| {
            format!(
                "{}/{}",
                percent(&account_dir.to_string_lossy()),
                percent(&file.file_name().unwrap_or_default().to_string_lossy())
            )
        };
        shown.push(Shown {
            stored,
            note: 0,
            png_path: format!(
                "{}/{}",
                account_dir.to_string_lossy(),
                stored.png.file_name().unwrap_or_default().to_string_lossy()
            ),
            png_href: href(&stored.png),
            json_href: href(&stored.json),
            size,
            trouble,
        });
    }
    problems.sort();
    problems.dedup();
    let page = Page::new(export.switches, shown, problems.clone()).render();
    let index = dir.join("index.html");
    write_new_private(&index, page.as_bytes())
        .with_context(|| format!("writing {}", index.display()))?;
    Ok((index, problems))
}

/// The page, laid out: receipts grouped by account and switch, oldest first.
struct Page<'a> {
    groups: Vec<Group<'a>>,
    problems: Vec<String>,
    tz: TimeZone,
}

/// One account's switch: its title and its receipts, oldest first.
struct Group<'a> {
    account: &'a str,
    name: &'a str,
    title: String,
    shown: Vec<Shown<'a>>,
}

impl<'a> Page<'a> {
    fn new(switches: &[Named], shown: Vec<Shown<'a>>, problems: Vec<String>) -> Page<'a> {
        let order = |name: &str| switches.iter().position(|s| s.name == name);
        let mut groups: BTreeMap<(&str, usize, &str), Vec<Shown<'a>>> = BTreeMap::new();
        for item in shown {
            let r = &item.stored.receipt;
            let key = (
                r.account.as_str(),
                order(&r.setting).unwrap_or(usize::MAX),
                r.setting.as_str(),
            );
            groups.entry(key).or_default().push(item);
        }
        let mut note = 0;
        let groups = groups
            .into_iter()
            .map(|((account, _, name), mut shown)| {
                for item in &mut shown {
                    note += 1;
                    item.note = note;
                }
                Group {
                    account,
                    name,
                    title: switches
                        .iter()
                        .find(|s| s.name == name)
                        .map_or_else(|| name.to_string(), |s| s.title.clone()),
                    shown,
                }
            })
            .collect();
        Page {
            groups,
            problems,
            tz: TimeZone::system(),
        }
    }

    /// A time as the page shows it: UTC, and the local time beside it where it differs.
    fn when(&self, time: Timestamp) -> String {
        let utc = time.strftime("%Y-%m-%d %H:%M UTC").to_string();
        let local = time.to_zoned(self.tz.clone());
        if local.offset().seconds() == 0 {
            return utc;
        }
        let same_day = local.date() == time.to_zoned(TimeZone::UTC).date();
        let format = if same_day {
            "%H:%M %Z"
        } else {
            "%Y-%m-%d %H:%M %Z"
        };
        format!("{utc} ({})", local.strftime(format))
    }

    /// Whether any time shown differs in local time.
    fn shows_local(&self) -> bool {
        self.groups.iter().flat_map(|g| &g.shown).any(|item| {
            item.stored
                .receipt
                .time
                .to_zoned(self.tz.clone())
                .offset()
                .seconds()
                != 0
        })
    }

    fn render(&self) -> String {
        let all: Vec<&Shown<'_>> = self.groups.iter().flat_map(|g| &g.shown).collect();
        let mut accounts: Vec<&str> = self.groups.iter().map(|g| g.account).collect();
        accounts.dedup();
        let switches: std::collections::BTreeSet<&str> =
            self.groups.iter().map(|g| g.name).collect();
        let times = all.iter().map(|i| i.stored.receipt.time);
        let span = match (times.clone().min(), times.max()) {
            (Some(first), Some(last)) => format!(", {}", period(first, last)),
            _ => String::new(),
        };
        let whose = match accounts.as_slice() {
            [one] => one.to_string(),
            [a, b] => format!("{a} and {b}"),
            many => format!("{} accounts", many.len()),
        };
        let title = format!(
            "Receipts: {} LinkedIn switch{} of {whose}{span}",
            switches.len(),
            if switches.len() == 1 { "" } else { "es" }
        );
        let local = if self.shows_local() {
            format!(
                " Times are UTC, with the local time ({}) in brackets.",
                self.tz.iana_name().unwrap_or("of this computer")
            )
        } else {
            " Times are UTC.".to_string()
        };
        let mut body = String::new();
        let _ = write!(
            body,
            "<header>\n<h1>{}</h1>\n<p class=\"lead\">{} checks. Each check is one fresh load of the switch's page by <code>linkedin-optout</code>, with a screenshot and its hash. Kept are each switch's first check, every change, the latest, and one check a week for 13 weeks and one a month before that; the history of every run is in <code>history.jsonl</code> of the tool's state directory.{}</p>\n</header>\n",
            text(&title),
            all.len(),
            esc(&local)
        );
        if !self.problems.is_empty() {
            let _ = write!(
                body,
                "<section class=\"problems\" aria-label=\"damaged or missing files\"><p><strong>{} problem{} in the receipts directory</strong> (files damaged or removed by hand); the rest is shown as it is:</p><ul>",
                self.problems.len(),
                if self.problems.len() == 1 { "" } else { "s" }
            );
            for problem in &self.problems {
                let _ = write!(body, "<li>{}</li>", esc(problem));
            }
            body.push_str("</ul></section>\n");
        }
        body.push_str("<section class=\"box\" aria-labelledby=\"summary\">\n<h2 id=\"summary\">Summary</h2>\n");
        body.push_str(LEGEND);
        for (index, group) in self.groups.iter().enumerate() {
            let _ = writeln!(
                body,
                "<div class=\"row\"><div><a href=\"#s{index}\"><strong>{}</strong></a><div class=\"name\">{}</div><div class=\"name\">{}</div></div><div><p>{}</p>{}</div></div>",
                esc(&group.title),
                esc(group.name),
                esc(group.account),
                text(&group.sentence()),
                self.strip(group),
            );
        }
        body.push_str("</section>\n");
        for (index, group) in self.groups.iter().enumerate() {
            self.section(&mut body, index, group);
        }
        self.hashes(&mut body, &all);
        format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{body}</main>
</body>
</html>
"#,
            title = esc(&title),
        )
    }

    /// One coloured cell per check, each with its text alternative.
    fn strip(&self, group: &Group<'_>) -> String {
        let mut out = format!(
            "<ol class=\"strip\" aria-label=\"{} checks of {}, oldest first\">",
            group.shown.len(),
            esc(&group.title)
        );
        let mut previous = None;
        for item in &group.shown {
            let r = &item.stored.receipt;
            let label = format!("{}: {}", self.when(r.time), what_happened(item, previous));
            previous = Some(r.state);
            let _ = write!(
                out,
                "<li class=\"cell s-{}{}\" role=\"img\" aria-label=\"{label}\" title=\"{label}\"></li>",
                state_key(r.state),
                if r.drift { " drift" } else { "" },
                label = esc(&label),
            );
        }
        out.push_str("</ol>");
        out
    }

    /// A switch's section: its name, its summary, then its checks, oldest first: the story's
    /// cards, drift as a red banner, and runs of identical readings folded.
    fn section(&self, out: &mut String, index: usize, group: &Group<'_>) {
        let _ = write!(
            out,
            "<section class=\"box\" id=\"s{index}\" aria-labelledby=\"t{index}\">\n<h2 id=\"t{index}\">{}</h2>\n<p class=\"name\">{} · {}</p>\n<p>{}</p>\n{}\n<ol class=\"checks\">\n",
            esc(&group.title),
            esc(group.name),
            esc(group.account),
            text(&group.sentence()),
            self.strip(group),
        );
        let last = group.shown.len().saturating_sub(1);
        let mut index = 0;
        while index < group.shown.len() {
            if is_story(group, index) {
                let item = &group.shown[index];
                let previous = index.checked_sub(1).map(|i| &group.shown[i]);
                if item.stored.receipt.drift {
                    let _ = writeln!(
                        out,
                        "<li class=\"banner\" role=\"alert\">{}</li>",
                        text(&self.drift_banner(group, item, previous))
                    );
                }
                self.card(out, group, item, previous, index == last);
                index += 1;
                continue;
            }
            let end = (index..group.shown.len())
                .find(|i| is_story(group, *i))
                .unwrap_or(group.shown.len());
            self.fold(out, group, &group.shown[index..end]);
            index = end;
        }
        out.push_str("</ol>\n</section>\n");
    }

    fn drift_banner(
        &self,
        group: &Group<'_>,
        item: &Shown<'_>,
        previous: Option<&Shown<'_>>,
    ) -> String {
        let r = &item.stored.receipt;
        let off = previous
            .map(|p| format!(" off at the check of {},", self.when(p.stored.receipt.time)))
            .unwrap_or_default();
        let then = if r.outcome == Outcome::OptedOut {
            "switched off again"
        } else {
            "still on (dry run)"
        };
        format!(
            "LinkedIn turned {} back on:{off} found on at {}; {then}.",
            group.title,
            self.when(r.time)
        )
    }

    fn card(
        &self,
        out: &mut String,
        group: &Group<'_>,
        item: &Shown<'_>,
        previous: Option<&Shown<'_>>,
        latest: bool,
    ) {
        let r = &item.stored.receipt;
        let mut what = what_happened(item, previous.map(|p| p.stored.receipt.state));
        if latest && what.starts_with("still ") && !r.drift {
            what = format!("the latest check: {}", r.state);
        }
        let alt = format!(
            "Screenshot of {} for {} at {}: {}",
            group.title,
            r.account,
            self.when(r.time),
            r.state
        );
        let picture = match (item.size, r.focus) {
            (None, _) => format!(
                "<p class=\"missing\">{}</p>",
                esc(item
                    .trouble
                    .as_deref()
                    .unwrap_or("the screenshot cannot be shown"))
            ),
            // Cropped for display to the switch's row, at full size; the file is whole.
            (Some((width, height)), Some(focus)) => {
                let pad = 16;
                let left = focus.x.saturating_sub(pad);
                let top = focus.y.saturating_sub(pad);
                let w = (focus.x + focus.width + pad).min(width) - left;
                let h = (focus.y + focus.height + pad).min(height) - top;
                format!(
                    "<div class=\"shot\" style=\"width:{w}px;height:{h}px\"><img src=\"{src}\" width=\"{width}\" height=\"{height}\" style=\"margin:-{top}px 0 0 -{left}px\" alt=\"{alt}\"></div>",
                    src = esc(&item.png_href),
                    alt = esc(&alt),
                )
            }
            (Some((width, height)), None) => format!(
                "<div class=\"shot\"><img src=\"{src}\" width=\"{width}\" height=\"{height}\" style=\"max-width:100%;height:auto\" alt=\"{alt}\"></div>",
                src = esc(&item.png_href),
                alt = esc(&alt),
            ),
        };
        let trouble = match (&item.trouble, item.size) {
            (Some(trouble), Some(_)) => format!("<p class=\"missing\">{}</p>", esc(trouble)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "<li class=\"card\">{picture}<div class=\"facts\"><p><span class=\"state st-{key}\">{state}</span><strong>{what}</strong></p>{trouble}<dl><dt>time</dt><dd>{when}</dd><dt>page</dt><dd>{url}</dd><dt>read by</dt><dd>linkedin-optout {tool} in {browser} {browser_version}</dd><dt>files</dt><dd><a href=\"{png}\">screenshot</a> · <a href=\"{json}\">receipt</a> · <a href=\"#h{note}\">hashes [{note}]</a></dd></dl></div></li>",
            key = state_key(r.state),
            state = esc(&r.state.to_string()),
            what = esc(&capitalised(&what)),
            when = text(&self.when(r.time)),
            url = esc(&r.url),
            tool = esc(&r.tool_version),
            browser = esc(&r.browser_name),
            browser_version = esc(&r.browser_version),
            png = esc(&item.png_href),
            json = esc(&item.json_href),
            note = item.note,
        );
    }

    /// A run of identical readings as one row that opens to list each.
    fn fold(&self, out: &mut String, group: &Group<'_>, run: &[Shown<'_>]) {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            return;
        };
        let state = first.stored.receipt.state;
        let checks = if run.len() == 1 {
            "1 check".to_string()
        } else {
            format!("{} checks", run.len())
        };
        let period = period(first.stored.receipt.time, last.stored.receipt.time);
        let _ = write!(
            out,
            "<li class=\"fold\"><details><summary>Still {state} at {checks} {period} (open to see each)</summary><table><caption class=\"name\">{title}: each check</caption><thead><tr><th>time</th><th>state</th><th>files</th></tr></thead><tbody>",
            state = esc(&state.to_string()),
            period = text(&period),
            title = esc(&group.title),
        );
        for item in run {
            let r = &item.stored.receipt;
            let trouble = item.trouble_note();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td><a href=\"{}\">screenshot</a> · <a href=\"{}\">receipt</a> · <a href=\"#h{note}\">hashes [{note}]</a>{trouble}</td></tr>",
                text(&self.when(r.time)),
                esc(&r.state.to_string()),
                esc(&item.png_href),
                esc(&item.json_href),
                note = item.note,
            );
        }
        out.push_str("</tbody></table></details></li>\n");
    }

    /// Every receipt's hashes, numbered, with how to check them.
    fn hashes(&self, out: &mut String, all: &[&Shown<'_>]) {
        let example = all
            .first()
            .map_or("ACCOUNT/FILE.png", |item| item.png_path.as_str());
        let _ = write!(
            out,
            "<section class=\"box hashes\" aria-labelledby=\"hashes\">\n<h2 id=\"hashes\">Hashes, and how to check them</h2>\n<p>Each screenshot's SHA-256 is kept in its receipt (<code>png_sha256</code>) and listed here. To check one, open a terminal in this directory and run <code>sha256sum '{}'</code>: the line it prints starts with the same 64 characters. The page's HTML was not kept; its SHA-256 (<code>html_sha256</code>) identifies the page the screenshot came from.</p>\n<ol>\n",
            esc(example)
        );
        for item in all {
            let r = &item.stored.receipt;
            let trouble = item.trouble_note();
            let _ = writeln!(
                out,
                "<li id=\"h{note}\">[{note}] <code>{file}</code>: screenshot <code>{png}</code>, page <code>{html}</code>{trouble}</li>",
                note = item.note,
                file = esc(&item.png_path),
                png = esc(&r.png_sha256),
                html = esc(&r.html_sha256),
            );
        }
        out.push_str("</ol>\n</section>\n");
    }
}

impl Shown<'_> {
    /// What is wrong with the screenshot, as a note after its links (empty when nothing is).
    fn trouble_note(&self) -> String {
        self.trouble
            .as_deref()
            .map(|t| format!(" <span class=\"missing\">({})</span>", esc(t)))
            .unwrap_or_default()
    }
}

/// The legend of the strips' colours.
const LEGEND: &str = "<p class=\"legend\"><span class=\"cell s-off\" role=\"img\" aria-label=\"green\"></span>off<span class=\"cell s-on\" role=\"img\" aria-label=\"red\"></span>on<span class=\"cell s-not_offered\" role=\"img\" aria-label=\"grey\"></span>not offered<span class=\"cell s-on drift\" role=\"img\" aria-label=\"red, framed\"></span>turned back on by LinkedIn (drift)</p>\n";

impl Group<'_> {
    /// "Off at 25 of 26 checks from … to …; found on …, switched off …", and drift, and
    /// what the latest check found when it is not off.
    fn sentence(&self) -> String {
        let (Some(first), Some(last)) = (self.shown.first(), self.shown.last()) else {
            return String::new();
        };
        let count = |state: SettingState| {
            self.shown
                .iter()
                .filter(|item| item.stored.receipt.state == state)
                .count()
        };
        let total = self.shown.len();
        let period = period(first.stored.receipt.time, last.stored.receipt.time);
        let (off, not_offered) = (count(SettingState::Off), count(SettingState::NotOffered));
        let checks = if total == 1 { "check" } else { "checks" };
        let mut parts = vec![if off == 0 && not_offered > 0 {
            format!("Not offered to this account at {not_offered} of {total} {checks} {period}")
        } else {
            format!("Off at {off} of {total} {checks} {period}")
        }];
        if off > 0 && not_offered > 0 {
            parts.push(format!("not offered at {not_offered}"));
        }
        for item in &self.shown {
            let r = &item.stored.receipt;
            match (r.outcome, r.drift) {
                (Outcome::OptedOut, false) => {
                    parts.push(format!("found on and switched off {}", day(r.time)))
                }
                (Outcome::OptedOut, true) => parts.push(format!(
                    "LinkedIn turned it back on, found and switched off again {}",
                    day(r.time)
                )),
                (_, true) => parts.push(format!("LinkedIn turned it back on by {}", day(r.time))),
                _ => {}
            }
        }
        match last.stored.receipt.state {
            SettingState::On => parts.push("ON at the latest check".to_string()),
            SettingState::NotOffered if off > 0 => {
                parts.push("not offered at the latest check".to_string())
            }
            _ => {}
        }
        format!("{}.", parts.join("; "))
    }
}

/// Whether the check at `index` is part of the story (a card), not a routine repeat (folded):
/// the first, the latest, a change, drift, or a state other than the check before.
fn is_story(group: &Group<'_>, index: usize) -> bool {
    let r = &group.shown[index].stored.receipt;
    index == 0
        || index + 1 == group.shown.len()
        || r.is_change()
        || r.state != group.shown[index - 1].stored.receipt.state
}

/// What a check shows happened, in words.
fn what_happened(item: &Shown<'_>, previous: Option<SettingState>) -> String {
    let r = &item.stored.receipt;
    match (r.outcome, r.drift, previous) {
        (Outcome::OptedOut, true, _) => "turned back on by LinkedIn; switched off again".into(),
        (_, true, _) => "turned back on by LinkedIn; still on (dry run)".into(),
        (Outcome::OptedOut, false, _) => "found on; switched off by this run".into(),
        (Outcome::WouldOptOut, false, _) => "on (dry run: left as it was)".into(),
        (Outcome::NotOffered, _, _) => "not offered to this account".into(),
        (Outcome::DidNotStick, _, _) => "switched off, but on again after the reload".into(),
        (_, _, None) => format!("first check: {}", r.state),
        (_, _, Some(before)) if before != r.state => format!("{} (it was {before})", r.state),
        _ => format!("still {}", r.state),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The state as a class name and a `--json` value.
fn state_key(state: SettingState) -> &'static str {
    match state {
        SettingState::On => "on",
        SettingState::Off => "off",
        SettingState::NotOffered => "not_offered",
        SettingState::Unknown => "unknown",
    }
}

fn day(time: Timestamp) -> String {
    time.strftime("%Y-%m-%d").to_string()
}

/// `from <day> to <day>`, or `on <day>` when they are one.
fn period(first: Timestamp, last: Timestamp) -> String {
    let (first, last) = (day(first), day(last));
    if first == last {
        format!("on {first}")
    } else {
        format!("from {first} to {last}")
    }
}

/// Escaped for the page, whose attribute values are all double-quoted.
fn esc(text: &str) -> String {
    crate::html::escape(text, true)
}

/// Text for the page's content: escaped, each date (`2026-12-01`) kept on one line.
fn text(text: &str) -> String {
    let escaped = esc(text);
    let bytes = escaped.as_bytes();
    let is_date = |at: usize| {
        bytes.get(at..at + 10).is_some_and(|word| {
            word.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            })
        })
    };
    let mut out = String::with_capacity(escaped.len());
    let mut at = 0;
    while at < escaped.len() {
        if is_date(at) && (at == 0 || !bytes[at - 1].is_ascii_digit()) {
            out.push_str("<span class=\"date\">");
            out.push_str(&escaped[at..at + 10]);
            out.push_str("</span>");
            at += 10;
        } else {
            let c = escaped[at..].chars().next().unwrap_or_default();
            out.push(c);
            at += c.len_utf8();
        }
    }
    out
}

/// A file name as one segment of a relative URL.
fn percent(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
