//! Settings & Privacy (`/mypreferences/d/…`): the category pages with their left-hand
//! navigation, the "Data for Generative AI Improvement" page with LinkedIn's toggle and
//! its save script, and plain pages for the neighbouring settings it links to.

use super::member::{Me, me_photo};
use super::{Frame, document, ember_id, esc, js};
use crate::simulator::i18n::Texts;
use crate::simulator::spec::{AiTraining, Faults};

/// Category slugs, in the order of `Texts::categories`.
pub(crate) const CATEGORIES: [&str; 6] = [
    "account",
    "sign-in-and-security",
    "visibility",
    "privacy",
    "advertising-data",
    "notifications",
];

const PRIVACY: usize = 3;

/// The settings that are linked from Data privacy besides the simulated one, with the
/// path they live at. They get a plain page: the simulator does not model them.
fn neighbours(t: &Texts) -> [(&'static str, &'static str); 6] {
    [
        ("/mypreferences/d/download-my-data", t.copy_of_data),
        (
            "/mypreferences/d/settings/policy-and-academic-research",
            t.research_title,
        ),
        (
            "/mypreferences/d/settings/invitations-to-connect",
            t.invitations,
        ),
        ("/mypreferences/d/settings/read-receipts", t.read_receipts),
        (
            "/mypreferences/d/settings/job-application-settings",
            t.job_applications,
        ),
        (
            "/mypreferences/d/settings/permitted-services",
            t.permitted_services,
        ),
    ]
}

/// The title of a neighbouring setting's page, if `path` is one.
pub(crate) fn neighbour_title(t: &Texts, path: &str) -> Option<&'static str> {
    neighbours(t)
        .into_iter()
        .find(|(href, _)| *href == path)
        .map(|(_, title)| title)
}

/// Header and left-hand navigation around a settings page's `<main>`.
fn frame_page(frame: &Frame, me: &Me<'_>, current: Option<usize>, main: &str) -> String {
    let t = frame.t();
    let categories = CATEGORIES
        .iter()
        .zip(t.categories)
        .enumerate()
        .map(|(i, (slug, text))| {
            format!(
                r#"<li><a href="/mypreferences/d/categories/{slug}"{current}>{text}</a></li>"#,
                current = if current == Some(i) {
                    r#" aria-current="page""#
                } else {
                    ""
                },
                text = esc(text),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let body = format!(
        r#"<header>
<a href="/feed/">{back}</a>
<span>{heading}</span>
{photo}
{member}
</header>
<div class="settings-layout">
<nav aria-label="{heading}">
<ul>
{categories}
</ul>
</nav>
{main}
</div>"#,
        back = esc(t.back_to_linkedin),
        heading = esc(t.settings_heading),
        photo = me_photo(me),
        member = member_card(me),
    );
    document(frame, t.settings_title, "", &body)
}

/// The member's name, headline and email beside their photo, and the same as the data blob
/// LinkedIn's pages carry for their scripts (hidden, in the HTML only).
fn member_card(me: &Me<'_>) -> String {
    let data = serde_json::json!({
        "firstName": me.name,
        "headline": me.headline.unwrap_or_default(),
        "emailAddress": me.email,
    });
    format!(
        r#"<div class="settings-header__member"><span class="settings-header__name">{name}</span> <span class="settings-header__headline">{headline}</span> <span class="settings-header__email">{email}</span></div>
<code id="bpr-guid-{blob}" hidden>{data}</code>"#,
        name = esc(me.name),
        headline = esc(me.headline.unwrap_or_default()),
        email = esc(me.email),
        blob = rand::random_range(1_000_000..10_000_000),
        data = esc(&data.to_string()),
    )
}

/// `/mypreferences/d/categories/<slug>`; `None` for an unknown category.
/// `ai_slug` is `None` when the account is not offered the setting: then Data privacy
/// does not list it at all.
pub(crate) fn category(
    frame: &Frame,
    me: &Me<'_>,
    slug: &str,
    ai_slug: Option<&str>,
) -> Option<String> {
    let t = frame.t();
    let index = CATEGORIES.iter().position(|c| *c == slug)?;
    let title = t.categories[index];
    let content = if index == PRIVACY {
        privacy_sections(t, ai_slug)
    } else {
        String::new()
    };
    let main = format!("<main>\n<h1>{}</h1>\n{content}</main>", esc(title));
    Some(frame_page(frame, me, Some(index), &main))
}

fn privacy_sections(t: &Texts, ai_slug: Option<&str>) -> String {
    let link = |(href, text): (&str, &str)| {
        format!(r#"<li><a href="{}">{}</a></li>"#, esc(href), esc(text))
    };
    let [copy, research, invitations, receipts, jobs, services] = neighbours(t);
    let ai = ai_slug
        .map(|slug| link((&format!("/mypreferences/d/settings/{slug}"), t.ai_title)))
        .unwrap_or_default();
    let sections = [
        format!("{}\n{}\n{ai}", link(copy), link(research)),
        link(invitations),
        link(receipts),
        link(jobs),
        link(services),
    ];
    t.privacy_sections
        .iter()
        .zip(sections)
        .map(|(heading, items)| {
            format!(
                "<section>\n<h2>{}</h2>\n<ul>\n{items}\n</ul>\n</section>\n",
                esc(heading)
            )
        })
        .collect()
}

fn back_link(t: &Texts) -> String {
    format!(
        r#"<a href="/mypreferences/d/categories/privacy" aria-label="{back}">← {back}</a>"#,
        back = esc(t.back)
    )
}

/// The page of "Data for Generative AI Improvement". The switch saves at once through
/// the settings API and changes its state only after the server answered. With
/// `switch_drawn_after_ms`, the page's script draws the switch that long after the rest, as
/// an app-rendered page does; with `switch_twice`, a second switch with the same label
/// follows the first.
pub(crate) fn ai_setting(frame: &Frame, me: &Me<'_>, value: AiTraining, faults: &Faults) -> String {
    let switch_drawn_after_ms = faults.switch_drawn_after_ms;
    let t = frame.t();
    let on = match value {
        AiTraining::On => true,
        AiTraining::Off => false,
        AiTraining::NotOffered => {
            let main = format!(
                "<main>\n{back}\n<h1>{title}</h1>\n<p>{notice}</p>\n</main>",
                back = back_link(t),
                title = esc(t.ai_title),
                notice = esc(t.not_offered),
            );
            return frame_page(frame, me, Some(PRIVACY), &main);
        }
    };
    let id = ember_id();
    let toggle_with = |id: &str| {
        format!(
            r#"<div class="artdeco-toggle">
<label id="allowDataForGenerativeAI" for="{id}">{label}</label>
<input id="{id}" class="artdeco-toggle__button" type="checkbox" role="switch" aria-labelledby="allowDataForGenerativeAI" aria-checked="{on}"{checked}>
<span class="artdeco-toggle__text" aria-hidden="true">{state}</span>
</div>"#,
            label = esc(t.ai_switch_label),
            checked = if on { " checked" } else { "" },
            state = esc(if on { t.on } else { t.off }),
        )
    };
    let toggle = if faults.switch_twice {
        format!("{}\n{}", toggle_with(&id), toggle_with(&format!("{id}0")))
    } else {
        toggle_with(&id)
    };
    let main = format!(
        r#"<main>
{back}
<h1>{title}</h1>
<p>{question}</p>
{toggle}
<p>{help} <a href="/help/linkedin/answer/a5538339">{learn_more}</a></p>
</main>
<div class="artdeco-toasts" aria-live="assertive"></div>
<script>
function wireToggle() {{
  var toggle = document.getElementById({id_js});
  var text = toggle.parentElement.querySelector('.artdeco-toggle__text');
  function csrfToken() {{
    var cookie = document.cookie.split('; ').find(function (c) {{ return c.indexOf('JSESSIONID=') === 0; }}) || '';
    return cookie.slice('JSESSIONID='.length).replace(/"/g, '');
  }}
  function showError() {{
    var toast = document.createElement('div');
    toast.className = 'artdeco-toast-item artdeco-toast-item--visible';
    toast.setAttribute('role', 'alert');
    toast.textContent = {failed};
    document.querySelector('.artdeco-toasts').appendChild(toast);
  }}
  toggle.addEventListener('change', function () {{
    var wanted = toggle.checked;
    toggle.setAttribute('aria-busy', 'true');
    toggle.disabled = true;
    fetch('/mysettings-api/settingsApiSettings/allowDataForGenerativeAI', {{
      method: 'POST',
      credentials: 'same-origin',
      headers: {{'Content-Type': 'application/json', 'csrf-token': csrfToken()}},
      body: JSON.stringify({{value: wanted}})
    }}).then(function (response) {{
      if (!response.ok) throw new Error('status ' + response.status);
      toggle.setAttribute('aria-checked', String(wanted));
      text.textContent = wanted ? {on_text} : {off_text};
    }}).catch(function () {{
      toggle.checked = !wanted;
      toggle.setAttribute('aria-checked', String(!wanted));
      showError();
    }}).finally(function () {{
      toggle.removeAttribute('aria-busy');
      toggle.disabled = false;
    }});
  }});
}}
{draw}
</script>"#,
        back = back_link(t),
        title = esc(t.ai_title),
        question = esc(t.ai_question),
        toggle = if switch_drawn_after_ms == 0 {
            toggle
        } else {
            format!(
                r#"<div id="deferred-toggle-slot"></div><template id="deferred-toggle">{toggle}</template>"#
            )
        },
        draw = if switch_drawn_after_ms == 0 {
            "wireToggle();".to_string()
        } else {
            format!(
                "setTimeout(function () {{ document.getElementById('deferred-toggle-slot').replaceWith(document.getElementById('deferred-toggle').content.cloneNode(true)); wireToggle(); }}, {switch_drawn_after_ms});"
            )
        },
        help = esc(t.ai_help),
        learn_more = esc(t.learn_more),
        id_js = js(&id),
        failed = js(t.save_failed),
        on_text = js(t.on),
        off_text = js(t.off),
    );
    frame_page(frame, me, Some(PRIVACY), &main)
}

/// A neighbouring setting: its title and nothing to operate.
pub(crate) fn neighbour(frame: &Frame, me: &Me<'_>, title: &str) -> String {
    let t = frame.t();
    let main = format!(
        "<main>\n{back}\n<h1>{title}</h1>\n<p>{text}</p>\n</main>",
        back = back_link(t),
        title = esc(title),
        text = esc(t.other_setting),
    );
    frame_page(frame, me, Some(PRIVACY), &main)
}
