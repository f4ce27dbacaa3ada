//! Checkpoint pages at `/checkpoint/challenge/<token>`: the things a person must do
//! before LinkedIn lets a sign-in through. Their markers follow linkedin-dom.md.

use super::{Frame, document, esc, js};

/// The error shown over a checkpoint form, empty when there is none.
fn alert(error: Option<&str>) -> String {
    error
        .map(|message| {
            format!(
                r#"<div class="form__error" role="alert">{}</div>"#,
                esc(message)
            )
        })
        .unwrap_or_default()
}

pub(crate) fn email_pin(frame: &Frame, token: &str, error: Option<&str>) -> String {
    let t = frame.t();
    document(
        frame,
        t.checkpoint_title,
        "",
        &format!(
            r#"<main>
<h1>{heading}</h1>
<p>{text}</p>
<form id="email-pin-challenge" method="post" action="/checkpoint/challenge/verify">
<input type="hidden" name="challengeId" value="{token}">
{alert}
<label for="input__email_verification_pin">{label}</label>
<input id="input__email_verification_pin" name="pin" type="text" inputmode="numeric" maxlength="6" autocomplete="one-time-code" required>
<button id="email-pin-submit-button" type="submit">{submit}</button>
</form>
</main>"#,
            heading = esc(t.pin_heading),
            text = esc(t.pin_text),
            token = esc(token),
            alert = alert(error),
            label = esc(t.pin_label),
            submit = esc(t.submit),
        ),
    )
}

pub(crate) fn two_step(frame: &Frame, token: &str, error: Option<&str>) -> String {
    let t = frame.t();
    document(
        frame,
        t.checkpoint_title,
        "",
        &format!(
            r#"<main>
<h1>{heading}</h1>
<p>{text}</p>
<form id="two-step-challenge" method="post" action="/checkpoint/challenge/verify">
<input type="hidden" name="challengeId" value="{token}">
{alert}
<label for="input__phone_verification_pin">{label}</label>
<input id="input__phone_verification_pin" name="pin" type="text" inputmode="numeric" maxlength="6" autocomplete="one-time-code" required>
<input id="recognizedDevice" name="recognizedDevice" type="checkbox" checked>
<label for="recognizedDevice">{recognized}</label>
<button id="two-step-submit-button" type="submit">{submit}</button>
</form>
</main>"#,
            heading = esc(t.two_step_heading),
            text = esc(t.two_step_text),
            token = esc(token),
            alert = alert(error),
            label = esc(t.pin_label),
            recognized = esc(t.recognized_device),
            submit = esc(t.submit),
        ),
    )
}

/// Waits for a tap in the mobile app; the page polls and reloads once approved, and the
/// reload completes the sign-in.
pub(crate) fn app_approval(frame: &Frame, token: &str) -> String {
    let t = frame.t();
    document(
        frame,
        t.checkpoint_title,
        "",
        &format!(
            r#"<main>
<section data-test-id="auth-app-approval">
<h1>{heading}</h1>
<p>{text}</p>
</section>
</main>
<script>
(function () {{
  var status = '/checkpoint/challenge/' + encodeURIComponent({token}) + '/status';
  setInterval(function () {{
    fetch(status, {{credentials: 'same-origin'}})
      .then(function (response) {{ return response.json(); }})
      .then(function (answer) {{ if (answer.approved) window.location.reload(); }})
      .catch(function () {{}});
  }}, 2000);
}})();
</script>"#,
            heading = esc(t.app_heading),
            text = esc(t.app_text),
            token = js(token),
        ),
    )
}

/// A CAPTCHA the simulator never lets anyone solve.
pub(crate) fn captcha(frame: &Frame, token: &str) -> String {
    let t = frame.t();
    document(
        frame,
        t.checkpoint_title,
        "",
        &format!(
            r#"<main>
<div id="captcha-challenge">
<h1>{heading}</h1>
<p>{text}</p>
<iframe id="captcha-internal" title="Captcha" src="/checkpoint/challenge/{token}/captcha" width="400" height="300"></iframe>
</div>
</main>"#,
            heading = esc(t.captcha_heading),
            text = esc(t.captcha_text),
            token = esc(token),
        ),
    )
}

/// What the CAPTCHA iframe shows: a puzzle with nothing to solve.
pub(crate) fn captcha_frame(frame: &Frame) -> String {
    let frame = Frame {
        banner: false,
        ..*frame
    };
    document(
        &frame,
        "Captcha",
        "",
        r#"<div role="img" aria-label="puzzle" style="width:360px;height:240px;background:repeating-linear-gradient(45deg,#ccd,#ccd 10px,#eef 10px,#eef 20px)"></div>"#,
    )
}
