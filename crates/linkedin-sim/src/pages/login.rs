//! Pages around signing in: the two generations of the sign-in page, the "Remember me"
//! prompt, the authwall, the throttle notice, and the short answers for refused requests.

use super::{Frame, document, esc, js};
use crate::spec::LoginVariant;

const PAGE_KEY: &str = r#"<meta name="pageKey" content="d_checkpoint_lg_consumer_login">
"#;

/// Which field an error message belongs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Username,
    Password,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Username => "username",
            Field::Password => "password",
        }
    }
}

/// What a sign-in page shows and posts back.
pub(crate) struct LoginForm<'a> {
    pub csrf_token: &'a str,
    pub session_redirect: &'a str,
    pub email: &'a str,
    pub error: Option<(Field, &'a str)>,
}

pub(crate) fn login(frame: &Frame, variant: LoginVariant, form: &LoginForm<'_>) -> String {
    let t = frame.t();
    let body = match variant {
        LoginVariant::Classic => classic(frame, form),
        LoginVariant::Modern => modern(frame, form),
    };
    document(frame, t.login_title, PAGE_KEY, &body)
}

fn classic(frame: &Frame, form: &LoginForm<'_>) -> String {
    let t = frame.t();
    // LinkedIn keeps both error slots in the page, hidden while empty.
    let error_slot = |field: Field| {
        let text = form
            .error
            .filter(|(f, _)| *f == field)
            .map(|(_, message)| message);
        format!(
            r#"<div id="error-for-{name}" class="form__label--error" role="alert" aria-live="assertive"{hidden}>{text}</div>"#,
            name = field.name(),
            hidden = if text.is_some() { "" } else { " hidden" },
            text = esc(text.unwrap_or_default()),
        )
    };
    format!(
        r#"<main class="app__content" role="main">
<div class="header__content">
<h1 class="header__content__heading">{heading}</h1>
<p class="header__content__subheading">{subheading}</p>
</div>
<form method="post" class="login__form" action="/checkpoint/lg/login-submit" novalidate>
<input name="csrfToken" value="{csrf}" type="hidden">
<input name="session_redirect" value="{redirect}" type="hidden">
<div class="form__input--floating">
<input id="username" name="session_key" type="email" autocomplete="username webauthn" aria-describedby="error-for-username" required value="{email}">
<label for="username" class="form__label--floating">{email_label}</label>
{username_error}
</div>
<div class="form__input--floating">
<input id="password" name="session_password" type="password" autocomplete="current-password" aria-describedby="error-for-password" required>
<label for="password" class="form__label--floating">{password_label}</label>
{password_error}
</div>
<a class="btn__tertiary--medium" href="/checkpoint/rp/request-password-reset">{forgot}</a>
<div class="login__form_action_container">
<button class="btn__primary--large from__button--floating" data-litms-control-urn="login-submit" aria-label="{sign_in}" type="submit">{sign_in}</button>
</div>
</form>
</main>"#,
        heading = esc(t.login_heading),
        subheading = esc(t.login_subheading),
        csrf = esc(form.csrf_token),
        redirect = esc(form.session_redirect),
        email = esc(form.email),
        email_label = esc(t.email_label),
        password_label = esc(t.password_label),
        username_error = error_slot(Field::Username),
        password_error = error_slot(Field::Password),
        forgot = esc(t.forgot_password),
        sign_in = esc(t.sign_in),
    )
}

/// The React-style page: generated ids, no form, a fetch instead of a form post.
fn modern(frame: &Frame, form: &LoginForm<'_>) -> String {
    let t = frame.t();
    let error_under = |field: Field| match form.error {
        Some((f, message)) if f == field => {
            format!(r#"<div role="alert">{}</div>"#, esc(message))
        }
        _ => String::new(),
    };
    format!(
        r#"<main>
<h1>{heading}</h1>
<p>{subheading}</p>
<div>
<div data-field="username">
<label for=":r1:">{email_label}</label>
<input id=":r1:" type="email" autocomplete="username" required value="{email}">
{username_error}
</div>
<div data-field="password">
<label for=":r2:">{password_label}</label>
<input id=":r2:" type="password" autocomplete="current-password" required>
<button id=":r3:" type="button" aria-label="{show}" aria-pressed="false">{show}</button>
{password_error}
</div>
<div>
<input id=":r4:" type="checkbox" checked>
<label for=":r4:">{keep}</label>
</div>
<a href="/checkpoint/rp/request-password-reset">{forgot}</a>
<button id=":r5:" type="button">{sign_in}</button>
</div>
</main>
<script>
(function () {{
  var csrfToken = {csrf};
  var sessionRedirect = {redirect};
  var email = document.getElementById(':r1:');
  var password = document.getElementById(':r2:');
  var show = document.getElementById(':r3:');
  var submit = document.getElementById(':r5:');
  show.addEventListener('click', function () {{
    var shown = password.type === 'password';
    password.type = shown ? 'text' : 'password';
    show.setAttribute('aria-pressed', String(shown));
  }});
  function showError(field, message) {{
    document.querySelectorAll('[data-field] [role=alert]').forEach(function (old) {{ old.remove(); }});
    var holder = document.querySelector('[data-field="' + field + '"]') || password.parentElement;
    var alert = document.createElement('div');
    alert.setAttribute('role', 'alert');
    alert.textContent = message;
    holder.appendChild(alert);
  }}
  function signIn() {{
    var body = new URLSearchParams();
    body.set('session_key', email.value);
    body.set('session_password', password.value);
    body.set('csrfToken', csrfToken);
    body.set('session_redirect', sessionRedirect);
    fetch('/checkpoint/lg/login-submit', {{
      method: 'POST',
      credentials: 'same-origin',
      headers: {{'Content-Type': 'application/x-www-form-urlencoded', 'X-Requested-With': 'fetch'}},
      body: body
    }}).then(function (response) {{
      var type = response.headers.get('Content-Type') || '';
      if (type.indexOf('application/json') === -1) {{
        return response.text().then(function (html) {{
          document.open(); document.write(html); document.close();
        }});
      }}
      return response.json().then(function (answer) {{
        if (answer.redirect) window.location.assign(answer.redirect);
        else showError(answer.field || 'password', answer.error);
      }});
    }}).catch(function () {{ showError('password', {failed}); }});
  }}
  submit.addEventListener('click', signIn);
  password.addEventListener('keydown', function (event) {{
    if (event.key === 'Enter') signIn();
  }});
}})();
</script>"#,
        heading = esc(t.login_heading),
        subheading = esc(t.login_subheading),
        email_label = esc(t.email_label),
        email = esc(form.email),
        username_error = error_under(Field::Username),
        password_label = esc(t.password_label),
        show = esc(t.show_password),
        password_error = error_under(Field::Password),
        keep = esc(t.keep_signed_in),
        forgot = esc(t.forgot_password),
        sign_in = esc(t.sign_in),
        csrf = js(form.csrf_token),
        redirect = js(form.session_redirect),
        failed = js(t.try_later),
    )
}

/// The optional step after a password: the session already exists.
pub(crate) fn remember_me(frame: &Frame) -> String {
    let t = frame.t();
    document(
        frame,
        "LinkedIn",
        "",
        &format!(
            r#"<main>
<h1>{heading}</h1>
<p>{text}</p>
<form method="post" action="/checkpoint/lg/remember-me-submit">
<button id="remember-me-prompt__form-primary" type="submit" name="rememberMeOptIn" value="true">{yes}</button>
<button id="remember-me-prompt__form-secondary" type="submit" name="rememberMeOptIn" value="false">{no}</button>
</form>
</main>"#,
            heading = esc(t.remember_heading),
            text = esc(t.remember_text),
            yes = esc(t.remember_yes),
            no = esc(t.remember_no),
        ),
    )
}

/// Where signed-out visits to member pages land.
pub(crate) fn authwall(frame: &Frame, login_href: &str) -> String {
    let t = frame.t();
    document(
        frame,
        "Sign Up | LinkedIn",
        "",
        &format!(
            r#"<main>
<h1>{heading}</h1>
<p><a href="{href}">{sign_in}</a></p>
<p><a href="/signup">{join}</a></p>
</main>"#,
            heading = esc(t.authwall_heading),
            href = esc(login_href),
            sign_in = esc(t.sign_in),
            join = esc(t.join_now),
        ),
    )
}

/// `/checkpoint/lg/login?errorKey=challenge_global_internal_error`: a rate limit.
pub(crate) fn throttled(frame: &Frame) -> String {
    let t = frame.t();
    document(
        frame,
        t.login_title,
        PAGE_KEY,
        &format!(
            r#"<main>
<div class="alert-content" role="alert">{later}</div>
<p><a href="/login">{sign_in}</a></p>
</main>"#,
            later = esc(t.try_later),
            sign_in = esc(t.sign_in),
        ),
    )
}

/// The answer to a sign-in post without a valid form token.
pub(crate) fn refused(frame: &Frame) -> String {
    let t = frame.t();
    document(
        frame,
        "LinkedIn",
        "",
        &format!("<main><h1>403</h1><p>{}</p></main>", esc(t.request_refused)),
    )
}

/// The tiny bodies LinkedIn sends with status 999 and 429.
pub(crate) fn denied(frame: &Frame, status: u16) -> String {
    let frame = Frame {
        banner: false,
        ..*frame
    };
    document(
        &frame,
        "LinkedIn",
        "",
        &format!("<p>Request denied ({status}).</p>"),
    )
}
