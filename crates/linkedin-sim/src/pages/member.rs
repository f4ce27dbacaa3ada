//! The signed-in home: the feed and the global navigation with its "Me" menu, the
//! ordinary way from LinkedIn to Settings & Privacy.

use super::{Frame, document, ember_id, esc};

/// A grey circle, inline so that no image is fetched from anywhere.
const ME_PHOTO: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Ccircle cx='16' cy='16' r='16' fill='%238c9bab'/%3E%3C/svg%3E";

/// Who is signed in, as their own pages show them.
pub(crate) struct Me<'a> {
    pub name: &'a str,
    pub headline: Option<&'a str>,
    pub email: &'a str,
    /// What the photo shows (its title); the grey circle when `None`.
    pub photo: Option<&'a str>,
}

/// The member's photo, as the pages show it.
pub(crate) fn me_photo(me: &Me<'_>) -> String {
    let src = match me.photo {
        Some(photo) => {
            let svg = format!(
                "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><title>{}</title><circle cx='16' cy='16' r='16' fill='#0a66c2'/></svg>",
                esc(photo)
            );
            let encoded: String = url::form_urlencoded::byte_serialize(svg.as_bytes()).collect();
            format!("data:image/svg+xml,{}", encoded.replace('+', "%20"))
        }
        None => ME_PHOTO.to_string(),
    };
    format!(
        r#"<img class="global-nav__me-photo" src="{}" alt="{}" width="24" height="24">"#,
        esc(&src),
        esc(me.name)
    )
}

fn global_nav(frame: &Frame, me: &Me<'_>) -> String {
    let t = frame.t();
    let primary = [
        ("/feed/", t.nav_home),
        ("/mynetwork/", t.nav_network),
        ("/jobs/", t.nav_jobs),
        ("/messaging/", t.nav_messaging),
        ("/notifications/", t.nav_notifications),
    ]
    .iter()
    .map(|(href, text)| {
        format!(
            r#"<li class="global-nav__primary-item"><a class="global-nav__primary-link" href="{href}"><span class="global-nav__primary-link-text">{}</span></a></li>"#,
            esc(text)
        )
    })
    .collect::<Vec<_>>()
    .join("\n");
    let trigger = ember_id();
    format!(
        r#"<header id="global-nav">
<nav class="global-nav" aria-label="Primary Navigation">
<ul class="global-nav__primary-items">
{primary}
<li class="global-nav__primary-item global-nav__me artdeco-dropdown">
<button id="{trigger}" class="global-nav__primary-link global-nav__primary-link-me-menu-trigger artdeco-dropdown__trigger" type="button" aria-expanded="false">
{photo}
<span class="global-nav__primary-link-text">{me}</span>
</button>
<div class="global-nav__me-content artdeco-dropdown__content" hidden>
<ul>
<li><a class="global-nav__secondary-link" data-control-name="nav.settings" href="/mypreferences/d/categories/account">{settings}</a></li>
<li><a class="global-nav__secondary-link" href="/m/logout/">{sign_out}</a></li>
</ul>
</div>
</li>
</ul>
</nav>
</header>
<script>
(function () {{
  var trigger = document.getElementById('{trigger}');
  var content = document.querySelector('.global-nav__me-content');
  trigger.addEventListener('click', function () {{
    var open = trigger.getAttribute('aria-expanded') !== 'true';
    trigger.setAttribute('aria-expanded', String(open));
    content.hidden = !open;
  }});
}})();
</script>"#,
        photo = me_photo(me),
        me = esc(t.nav_me),
        settings = esc(t.settings_and_privacy),
        sign_out = esc(t.sign_out),
    )
}

pub(crate) fn feed(frame: &Frame, me: &Me<'_>) -> String {
    let t = frame.t();
    let body = format!(
        r#"{nav}
<main class="scaffold-layout__main" aria-label="Main Feed">
<div class="share-box-feed-entry__top-bar"><button type="button" class="artdeco-button">{post}</button></div>
<div class="feed-shared-update-v2"><p>Congratulations to everyone who shipped this week.</p></div>
<div class="feed-shared-update-v2"><p>Five lessons from ten years of building teams.</p></div>
</main>"#,
        nav = global_nav(frame, me),
        post = esc(t.feed_welcome),
    );
    document(frame, "Feed | LinkedIn", "", &body)
}
