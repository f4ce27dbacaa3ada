//! The HTML of the simulated site: the document frame every page shares (language,
//! title, cookie banner) and one module per family of pages. Templates are plain
//! `format!` strings; everything that comes from a request or an account is escaped.

pub(crate) mod checkpoint;
pub(crate) mod help;
pub(crate) mod interstitial;
pub(crate) mod login;
pub(crate) mod member;
pub(crate) mod policy;
pub(crate) mod settings;

use crate::i18n::{Texts, texts};
use crate::spec::Locale;

/// What a page needs to know besides its own content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub locale: Locale,
    /// Whether the cookie-consent banner covers the page.
    pub banner: bool,
}

impl Frame {
    pub fn t(&self) -> &'static Texts {
        texts(self.locale)
    }
}

/// HTML-escapes text for element content and double-quoted attributes (the only kind
/// the templates use, so apostrophes stay as they are).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A string as a JavaScript literal, safe inside a `<script>` element.
pub(crate) fn js(s: &str) -> String {
    serde_json::to_string(s)
        .expect("a string always serializes")
        .replace('<', "\\u003c")
}

/// An id like the ones Ember generates, so nothing can rely on it across page loads.
pub(crate) fn ember_id() -> String {
    format!("ember{}", rand::random_range(100..10_000))
}

const STYLE: &str = "body{font-family:-apple-system,system-ui,sans-serif;margin:0;background:#f4f2ee;color:#191919}\
main{max-width:760px;margin:24px auto;background:#fff;padding:24px;border-radius:8px}\
[hidden]{display:none!important}\
.artdeco-toggle{display:flex;gap:8px;align-items:center}\
._2f8e41ad{display:flex;gap:8px;align-items:center}\
._5c1a9e2f{display:inline-block;width:40px;height:24px;border-radius:12px;background:#888;border:0;cursor:pointer}\
._7a0c5d19{display:inline-flex;gap:8px;align-items:center;cursor:pointer}\
._9d2e6a70{display:inline-block;width:40px;height:24px;border-radius:12px;background:#888}\
._e41b7f02{display:none}\
.artdeco-modal-overlay{position:fixed;inset:0;z-index:1000;background:rgba(0,0,0,.6)}\
.artdeco-modal{background:#fff;max-width:480px;margin:20vh auto;padding:24px;border-radius:8px}\
.artdeco-toasts{position:fixed;left:24px;bottom:24px}\
.artdeco-toast-item{background:#fff;border-left:4px solid #cb112d;padding:12px 16px;box-shadow:0 2px 8px #0004}\
#artdeco-global-alert-container{position:fixed;inset:0;z-index:9999;background:rgba(0,0,0,.35)}\
.artdeco-global-alert{position:absolute;left:0;right:0;top:0;background:#fff;padding:16px 24px}";

/// A complete HTML document. With `frame.banner`, the consent banner comes last in the
/// body and covers the whole viewport until it is answered.
pub(crate) fn document(frame: &Frame, title: &str, head: &str, body: &str) -> String {
    let banner = if frame.banner {
        cookie_banner(frame.t())
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n{head}<style>{STYLE}</style>\n</head>\n<body>\n{body}\n{banner}</body>\n</html>\n",
        lang = frame.locale.lang(),
        title = esc(title),
    )
}

fn cookie_banner(t: &Texts) -> String {
    format!(
        r#"<div id="artdeco-global-alert-container">
<section class="artdeco-global-alert" type="COOKIE_CONSENT" data-test-global-alert-type="COOKIE_CONSENT" role="dialog">
<p>{text}</p>
<button action-type="ACCEPT" type="button">{accept}</button>
<button action-type="DENY" type="button">{reject}</button>
</section>
</div>
<script>
document.querySelectorAll('#artdeco-global-alert-container button[action-type]').forEach(function (button) {{
  button.addEventListener('click', function () {{
    fetch('/cookie-consent', {{
      method: 'POST',
      credentials: 'same-origin',
      headers: {{'Content-Type': 'application/x-www-form-urlencoded'}},
      body: 'action=' + button.getAttribute('action-type')
    }}).then(function (response) {{
      if (response.ok) document.getElementById('artdeco-global-alert-container').remove();
    }});
  }});
}});
</script>
"#,
        text = esc(t.cookie_text),
        accept = esc(t.accept),
        reject = esc(t.reject),
    )
}

/// The "page not found" page, signed in or not.
pub(crate) fn not_found(frame: &Frame) -> String {
    let t = frame.t();
    document(
        frame,
        t.not_found_title,
        "",
        &format!(
            "<main><h1>{}</h1><p><a href=\"/feed/\">LinkedIn</a></p></main>",
            esc(t.not_found_text)
        ),
    )
}
