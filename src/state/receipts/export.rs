//! `receipts export DIR`: one self-contained page (`index.html`, inline CSS, no script, no
//! network) with a card per receipt, and the receipts' files copied beside it, so that the
//! directory can be attached to a complaint or opened in any browser.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Stored;

const STYLE: &str = "body{font-family:system-ui,-apple-system,sans-serif;margin:0;background:#f4f2ee;color:#191919}\
header{padding:24px 32px 8px}h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#555}\
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:16px;padding:16px 32px 32px}\
.card{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 3px #0002}\
.card img{display:block;max-width:100%;border:1px solid #ddd;border-radius:4px;margin-bottom:12px}\
.state{display:inline-block;font-weight:600;padding:2px 10px;border-radius:12px}\
.state-off{background:#d8f0dd;color:#0a5a1f}.state-on{background:#fbdada;color:#8a1010}.state-not_offered{background:#e8e8e8}\
.change{margin-left:8px;font-size:13px;color:#8a4b00}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:12px 0 0;font-size:13px}\
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}code{font-size:12px}";

/// Writes `dir/index.html` for `receipts` (newest first) and copies their files to
/// `dir/<account>/`; returns the page's path.
pub fn export(receipts: &[Stored], dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut cards = String::new();
    for stored in receipts {
        let account_dir = stored
            .json
            .parent()
            .and_then(Path::file_name)
            .context("a receipt outside an account directory")?;
        let target = dir.join(account_dir);
        std::fs::create_dir_all(&target)
            .with_context(|| format!("creating {}", target.display()))?;
        for file in [&stored.png, &stored.json] {
            let name = file.file_name().context("a receipt file without a name")?;
            std::fs::copy(file, target.join(name))
                .with_context(|| format!("copying {}", file.display()))?;
        }
        let png_name = stored.png.file_name().unwrap_or_default();
        let json_name = stored.json.file_name().unwrap_or_default();
        let relative = |name: &std::ffi::OsStr| {
            format!(
                "{}/{}",
                percent(&account_dir.to_string_lossy()),
                percent(&name.to_string_lossy())
            )
        };
        card(
            &mut cards,
            stored,
            &relative(png_name),
            &relative(json_name),
        );
    }
    let accounts: std::collections::BTreeSet<&str> = receipts
        .iter()
        .map(|stored| stored.receipt.account.as_str())
        .collect();
    let summary = match (receipts.last(), receipts.first()) {
        (Some(oldest), Some(newest)) => format!(
            "{} receipt{} for {}, from {} to {}.",
            receipts.len(),
            if receipts.len() == 1 { "" } else { "s" },
            accounts.into_iter().collect::<Vec<_>>().join(", "),
            utc(oldest.receipt.time),
            utc(newest.receipt.time),
        ),
        _ => "No receipts yet.".to_string(),
    };
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>LinkedIn "Data for Generative AI Improvement": receipts</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>LinkedIn "Data for Generative AI Improvement": receipts</h1>
<p>{summary} Each card is one fresh load of the setting's page, read by <code>linkedin-optout</code>; the hashes identify the screenshot and the page it came from.</p>
</header>
<main class="cards">
{cards}</main>
</body>
</html>
"#,
        summary = esc(&summary),
    );
    let index = dir.join("index.html");
    std::fs::write(&index, page).with_context(|| format!("writing {}", index.display()))?;
    Ok(index)
}

fn card(out: &mut String, stored: &Stored, png: &str, json: &str) {
    let r = &stored.receipt;
    let state = serde_json::to_value(r.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let change = if r.outcome == crate::linkedin::outcome::Outcome::OptedOut {
        r#"<span class="change">switched off by this run</span>"#
    } else if r.drift {
        r#"<span class="change">found on again after an earlier run left it off</span>"#
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"<article class="card">
<img src="{png}" alt="the setting as the page showed it, {state_text}">
<div><span class="state state-{state}">{state_text}</span>{change}</div>
<dl>
<dt>account</dt><dd>{account}</dd>
<dt>time (UTC)</dt><dd>{utc}</dd>
<dt>local time</dt><dd>{local}</dd>
<dt>URL</dt><dd>{url}</dd>
<dt>PNG SHA-256</dt><dd><code>{png_sha256}</code></dd>
<dt>HTML SHA-256</dt><dd><code>{html_sha256}</code></dd>
<dt>read by</dt><dd>linkedin-optout {tool} in {browser} {browser_version}</dd>
<dt>files</dt><dd><a href="{png}">screenshot</a> · <a href="{json}">receipt</a></dd>
</dl>
</article>
"#,
        state = esc(&state),
        state_text = esc(&r.state.to_string()),
        account = esc(&r.account),
        utc = esc(&utc(r.time)),
        local = esc(&local(r.time)),
        url = esc(&r.url),
        png_sha256 = esc(&r.png_sha256),
        html_sha256 = esc(&r.html_sha256),
        tool = esc(&r.tool_version),
        browser = esc(&r.browser_name),
        browser_version = esc(&r.browser_version),
    );
}

fn utc(time: jiff::Timestamp) -> String {
    time.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The time in the exporting machine's time zone.
fn local(time: jiff::Timestamp) -> String {
    crate::clock::whole_seconds(time)
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S %Z (UTC%:z)")
        .to_string()
}

/// Escaped for the page, whose attribute values are all double-quoted.
fn esc(text: &str) -> String {
    crate::html::escape(text, true)
}

/// A file name as one segment of a relative URL.
fn percent(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
