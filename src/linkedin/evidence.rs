//! What a receipt proves, taken from the browser right after the setting was read from a
//! fresh page load: a screenshot of the switch with its label (cropped to their rectangle
//! with a margin), the URL, the browser, and a hash of the page's HTML (never the HTML).

use image::ImageFormat;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::page::{Page, browser_error};
use super::rules::Marker;
use crate::error::Error;
use crate::linkedin::outcome::SettingState;

/// Space around the switch, its label and the setting's title, in CSS pixels.
const MARGIN: f64 = 24.0;

/// Scrolls the switch, its label and the page's heading into view and returns their
/// rectangle with a margin, in viewport pixels, clipped to the viewport. With no switch
/// (a setting not offered), the heading and the text of `main` stand in. With it, the page's
/// address and its HTML as the browser has it (what WebDriver's page source returns), in the
/// same answer: one round trip instead of three, for every switch a run reads.
const FRAME_SCRIPT: &str = r#"
const [selectors, margin] = arguments;
let target = null;
for (const css of selectors) {
  const all = document.querySelectorAll(css);
  if (all.length === 1) { target = all[0]; break; }
}
const parts = [];
const heading = document.querySelector('main h1, h1');
if (heading) parts.push(heading);
if (target) {
  parts.push(target);
  if (target.parentElement) parts.push(target.parentElement);
  for (const id of (target.getAttribute('aria-labelledby') || '').split(/\s+/)) {
    const label = id && document.getElementById(id);
    if (label) parts.push(label);
  }
  if (target.id) {
    for (const label of document.querySelectorAll('label[for="' + CSS.escape(target.id) + '"]')) parts.push(label);
  }
} else {
  const main = document.querySelector('main');
  if (main) parts.push(main);
}
if (!parts.length) parts.push(document.body);
const box = () => {
  let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
  for (const el of parts) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    left = Math.min(left, r.left); top = Math.min(top, r.top);
    right = Math.max(right, r.right); bottom = Math.max(bottom, r.bottom);
  }
  return { left, top, right, bottom };
};
let b = box();
const page = { url: location.href, html: document.documentElement.outerHTML, ratio: window.devicePixelRatio || 1, focus: null };
// Nothing drawn to frame: the whole viewport is the picture.
if (!isFinite(b.left)) return { ...page, x: 0, y: 0, width: window.innerWidth, height: window.innerHeight };
window.scrollBy(0, b.top - margin);
b = box();
const x = Math.max(0, b.left - margin), y = Math.max(0, b.top - margin);
// The switch's own row (the switch, its labels, its parent), for a display that shows it at
// full size: relative to the picture.
if (target && heading) {
  parts.splice(parts.indexOf(heading), 1);
  const f = box();
  if (isFinite(f.left)) page.focus = { x: f.left - x, y: f.top - y, width: f.right - f.left, height: f.bottom - f.top };
}
return {
  ...page,
  x, y,
  width: Math.min(window.innerWidth, b.right + margin) - x,
  height: Math.min(window.innerHeight, b.bottom + margin) - y,
};
"#;

/// The part of the viewport to keep, in CSS pixels, and the page it is of.
#[derive(Debug, Deserialize)]
struct Frame {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    ratio: f64,
    url: String,
    html: String,
    focus: Option<CssRect>,
}

/// A rectangle in CSS pixels.
#[derive(Debug, Deserialize)]
struct CssRect {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// Where the switch's own row is within a receipt's picture, in its pixels: what a display of
/// the receipt shows at full size (the picture itself stays whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Focus {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Everything a receipt holds, before it is written.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub time: Timestamp,
    pub state: SettingState,
    pub url: String,
    /// The cropped screenshot, PNG.
    pub png: Vec<u8>,
    /// SHA-256 of the page's HTML as the browser had it, lowercase hex.
    pub html_sha256: String,
    pub browser_name: String,
    pub browser_version: String,
    /// The switch's row within `png` (none for a setting not offered: no switch).
    pub focus: Option<Focus>,
}

/// Takes the evidence of `state` from the page as it is now (just read after a fresh load).
pub async fn capture(page: &Page<'_>, state: SettingState) -> Result<Evidence, Error> {
    let time = Timestamp::now();
    let selectors = [page.css(Marker::SettingSwitch), page.css(Marker::AnySwitch)];
    let frame = page
        .run_script(
            FRAME_SCRIPT,
            vec![json!(selectors), json!(MARGIN)],
            "frames the switch for the receipt",
        )
        .await?;
    let frame: Frame = serde_json::from_value(frame).map_err(|err| {
        Error::Other(anyhow::anyhow!(
            "the receipt's frame script answered oddly: {err}"
        ))
    })?;
    let screenshot = page.client.screenshot().await.map_err(browser_error)?;
    let (png, focus) = crop(&screenshot, &frame)?;
    let capability = |key: &str| {
        page.client
            .capabilities()
            .and_then(|caps| caps.get(key))
            .and_then(|value| value.as_str())
            .unwrap_or("unknown")
            .to_string()
    };
    Ok(Evidence {
        time,
        state,
        url: frame.url,
        png,
        html_sha256: sha256_hex(frame.html.as_bytes()),
        browser_name: capability("browserName"),
        browser_version: capability("browserVersion"),
        focus,
    })
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The frame's part of a viewport screenshot, as PNG, and where the switch's row is in it.
fn crop(screenshot: &[u8], frame: &Frame) -> Result<(Vec<u8>, Option<Focus>), Error> {
    let image =
        image::load_from_memory_with_format(screenshot, ImageFormat::Png).map_err(|err| {
            Error::Other(anyhow::anyhow!(
                "the browser's screenshot is not a PNG: {err}"
            ))
        })?;
    let to_pixels = |css: f64| (css * frame.ratio).round().max(0.0) as u32;
    let x = to_pixels(frame.x).min(image.width().saturating_sub(1));
    let y = to_pixels(frame.y).min(image.height().saturating_sub(1));
    let width = to_pixels(frame.width).clamp(1, image.width() - x);
    let height = to_pixels(frame.height).clamp(1, image.height() - y);
    let mut png = Vec::new();
    image
        .crop_imm(x, y, width, height)
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|err| Error::Other(anyhow::anyhow!("cannot encode the receipt's PNG: {err}")))?;
    let focus = frame.focus.as_ref().map(|focus| {
        let left = to_pixels(focus.x).min(width.saturating_sub(1));
        let top = to_pixels(focus.y).min(height.saturating_sub(1));
        Focus {
            x: left,
            y: top,
            width: to_pixels(focus.width).clamp(1, width - left),
            height: to_pixels(focus.height).clamp(1, height - top),
        }
    });
    Ok((png, focus))
}
