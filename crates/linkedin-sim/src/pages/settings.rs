//! Settings & Privacy (`/mypreferences/d/…`): the category pages with their left-hand
//! navigation, the "Data for Generative AI Improvement" page with LinkedIn's toggle and
//! its save script, and plain pages for the neighbouring settings it links to.

use super::member::{Me, me_photo};
use super::{Frame, document, ember_id, esc, js};
use crate::i18n::Texts;
use crate::spec::{
    AccountSpec, AiTraining, ConfirmDialog, SECOND_SWITCH_KEY, SecondSwitch, SwitchKind,
};

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

/// The markup of one switch of `kind`, labelled by `key` (through `aria-labelledby`, or for
/// `HiddenInput` as the id of the `<label>` that wraps it), with its On/Off text. `mixed`
/// puts `"mixed"` in its ARIA state instead of true or false.
fn switch_markup(
    t: &Texts,
    kind: SwitchKind,
    key: &str,
    label: &str,
    on: bool,
    mixed: bool,
) -> String {
    let state = esc(if on { t.on } else { t.off });
    let aria = if mixed {
        "mixed".to_string()
    } else {
        on.to_string()
    };
    let label = esc(label);
    let text = format!(r#"<span class="artdeco-toggle__text" aria-hidden="true">{state}</span>"#);
    match kind {
        SwitchKind::Input => {
            let id = ember_id();
            format!(
                r#"<div class="artdeco-toggle">
<label id="{key}" for="{id}">{label}</label>
<input id="{id}" class="artdeco-toggle__button" type="checkbox" role="switch" aria-labelledby="{key}" aria-checked="{aria}"{checked}>
{text}
</div>"#,
                checked = if on { " checked" } else { "" },
            )
        }
        SwitchKind::Button | SwitchKind::Div | SwitchKind::ToggleButton => {
            // Hashed class names, as LinkedIn ships them: nothing to anchor on.
            let control = match kind {
                SwitchKind::Button => format!(
                    r#"<button type="button" class="_5c1a9e2f" role="switch" aria-checked="{aria}" aria-labelledby="{key}"><span class="_0b7d33e1"></span></button>"#
                ),
                SwitchKind::Div => format!(
                    r#"<div class="_5c1a9e2f" role="switch" tabindex="0" aria-checked="{aria}" aria-labelledby="{key}"><span class="_0b7d33e1"></span></div>"#
                ),
                _ => format!(
                    r#"<button type="button" class="_5c1a9e2f" aria-pressed="{aria}" aria-labelledby="{key}"><span class="_0b7d33e1"></span></button>"#
                ),
            };
            format!(
                r#"<div class="_2f8e41ad">
<p id="{key}">{label}</p>
{control}
{text}
</div>"#
            )
        }
        SwitchKind::HiddenInput => format!(
            r#"<div class="_2f8e41ad">
<label id="{key}" class="_7a0c5d19"><input type="checkbox" class="_e41b7f02"{checked}><span class="_9d2e6a70" aria-hidden="true"></span> {label}</label>
{text}
</div>"#,
            checked = if on { " checked" } else { "" },
        ),
    }
}

/// A dialog button with a hashed class, known only by its text; `action` is what the page's
/// script does on a click (`cancel` or `confirm`).
fn plain_button(action: &str, text: &str) -> String {
    format!(
        r#"<button type="button" class="_3e9f0a4c" data-action="{action}">{}</button>"#,
        esc(text)
    )
}

/// The dialog that asks to confirm turning the setting off, hidden until the switch opens it.
fn confirm_dialog(t: &Texts, dialog: ConfirmDialog) -> String {
    let (cancel, confirm) = match dialog {
        ConfirmDialog::None => return String::new(),
        ConfirmDialog::Artdeco => (
            format!(
                r#"<button type="button" class="artdeco-button artdeco-button--secondary" data-test-dialog-secondary-btn data-action="cancel">{}</button>"#,
                esc(t.cancel)
            ),
            format!(
                r#"<button type="button" class="artdeco-button artdeco-button--primary" data-test-dialog-primary-btn data-action="confirm">{}</button>"#,
                esc(t.turn_off)
            ),
        ),
        // Buttons with hashed classes, known only by their text.
        ConfirmDialog::Plain => (
            plain_button("cancel", t.cancel),
            plain_button("confirm", t.turn_off),
        ),
        ConfirmDialog::Unclear => (
            plain_button("cancel", t.dialog_back),
            plain_button("confirm", t.dialog_continue),
        ),
    };
    format!(
        r#"<div id="confirm-overlay" class="artdeco-modal-overlay" hidden>
<div class="artdeco-modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-heading" aria-describedby="confirm-text">
<h2 id="confirm-heading">{heading}</h2>
<p id="confirm-text">{text}</p>
<div class="artdeco-modal__actionbar">
{cancel}
{confirm}
</div>
</div>
</div>"#,
        heading = esc(t.confirm_heading),
        text = esc(t.confirm_text),
    )
}

/// The page of "Data for Generative AI Improvement". Each switch saves at once through the
/// settings API and changes its state only after the server answered; with a confirmation
/// dialog, turning the setting off waits for it. With `switch_drawn_after_ms`, the page's
/// script draws the switches that long after the rest, as an app-rendered page does; with
/// `switch_twice`, a second switch with the setting's own label follows the first.
pub(crate) fn ai_setting(frame: &Frame, me: &Me<'_>, spec: &AccountSpec) -> String {
    let t = frame.t();
    let on = match spec.ai_training {
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
    let kind = spec.switch_kind;
    // The second AI switch comes first, so that "the first switch" is the wrong one.
    let second = match spec.second_switch {
        SecondSwitch::Absent => String::new(),
        SecondSwitch::On | SecondSwitch::Off => format!(
            "<section>\n<h2>{title}</h2>\n{switch}\n</section>\n",
            title = esc(t.second_switch_title),
            switch = switch_markup(
                t,
                kind,
                SECOND_SWITCH_KEY,
                t.second_switch_label,
                spec.second_switch == SecondSwitch::On,
                false,
            ),
        ),
    };
    let own_switch = || {
        switch_markup(
            t,
            kind,
            spec.key(),
            t.ai_switch_label,
            on,
            spec.faults.switch_state_mixed,
        )
    };
    let own_switch = if spec.faults.switch_twice {
        format!("{}\n{}", own_switch(), own_switch())
    } else {
        own_switch()
    };
    let switches = format!(
        "{second}<section>\n<p>{question}</p>\n{switch}\n</section>",
        question = esc(t.ai_question),
        switch = own_switch,
    );
    let faults = &spec.faults;
    let main = format!(
        r#"<main>
{back}
<h1>{title}</h1>
{switches}
<p>{help} <a href="/help/linkedin/answer/a5538339">{learn_more}</a></p>
</main>
{dialog}
<div class="artdeco-toasts" aria-live="assertive"></div>
<script>
var confirmOff = {confirm_off};
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
function askToConfirm(then) {{
  var overlay = document.getElementById('confirm-overlay');
  overlay.hidden = false;
  overlay.querySelectorAll('button[data-action]').forEach(function (button) {{
    button.onclick = function () {{
      overlay.hidden = true;
      if (button.getAttribute('data-action') === 'confirm') then();
    }};
  }});
}}
function wireSwitch(el, key) {{
  var text = el.parentElement.closest('div').querySelector('.artdeco-toggle__text');
  var native = el instanceof HTMLInputElement;
  var attr = el.hasAttribute('aria-pressed') ? 'aria-pressed' : 'aria-checked';
  var current = native ? el.checked : el.getAttribute(attr) === 'true';
  function show(value) {{
    if (native) el.checked = value;
    if (el.hasAttribute(attr)) el.setAttribute(attr, String(value));
    text.textContent = value ? {on_text} : {off_text};
  }}
  function busy(yes) {{
    if (yes) el.setAttribute('aria-busy', 'true'); else el.removeAttribute('aria-busy');
    el.disabled = yes;
  }}
  function save(wanted) {{
    busy(true);
    fetch('/mysettings-api/settingsApiSettings/' + key, {{
      method: 'POST',
      credentials: 'same-origin',
      headers: {{'Content-Type': 'application/json', 'csrf-token': csrfToken()}},
      body: JSON.stringify({{value: wanted}})
    }}).then(function (response) {{
      if (response.status === 401) {{
        // The session is gone: LinkedIn's front end sends the member to sign in.
        location.assign('/login?session_redirect=' + encodeURIComponent(location.pathname));
        return;
      }}
      if (!response.ok) throw new Error('status ' + response.status);
      current = wanted;
      show(wanted);
    }}).catch(function () {{
      show(current);
      showError();
    }}).finally(function () {{
      busy(false);
    }});
  }}
  el.addEventListener('click', function (event) {{
    if (el.getAttribute('aria-busy') === 'true') {{ event.preventDefault(); return; }}
    var wanted = !current;
    if (confirmOff && key === {key_js} && !wanted) {{
      // Nothing changes, and nothing is saved, until the member confirms.
      event.preventDefault();
      askToConfirm(function () {{ save(wanted); }});
      return;
    }}
    save(wanted);
  }});
}}
function wireAll() {{
  [{key_js}, {second_key_js}].forEach(function (key) {{
    var el = document.querySelector('main [aria-labelledby="' + key + '"]')
      || document.querySelector('main label[id="' + key + '"] input');
    if (el) wireSwitch(el, key);
  }});
}}
{draw}
</script>"#,
        back = back_link(t),
        title = esc(t.ai_title),
        switches = if faults.switch_drawn_after_ms == 0 {
            switches
        } else {
            format!(
                r#"<div id="deferred-toggle-slot"></div><template id="deferred-toggle">{switches}</template>"#
            )
        },
        draw = if faults.switch_drawn_after_ms == 0 {
            "wireAll();".to_string()
        } else {
            format!(
                "setTimeout(function () {{ document.getElementById('deferred-toggle-slot').replaceWith(document.getElementById('deferred-toggle').content.cloneNode(true)); wireAll(); }}, {});",
                faults.switch_drawn_after_ms
            )
        },
        dialog = confirm_dialog(t, spec.confirm_dialog),
        confirm_off = spec.confirm_dialog != ConfirmDialog::None,
        key_js = js(spec.key()),
        second_key_js = js(SECOND_SWITCH_KEY),
        help = esc(t.ai_help),
        learn_more = esc(t.learn_more),
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
