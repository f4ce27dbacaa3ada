//! Pages LinkedIn shows after sign-in instead of where the member was going: "add a phone
//! number" and "confirm your email". Each asks the member to fill something in; a form
//! posts back to the page's own path, and "Skip" is a button of the same form.

use super::{Frame, document, esc};
use crate::spec::Interstitial;

pub(crate) fn page(frame: &Frame, kind: Interstitial, path: &str, redirect: &str) -> String {
    let t = frame.t();
    let (heading, text, label, input, submit) = match kind {
        Interstitial::AddPhone | Interstitial::None => (
            t.add_phone_heading,
            t.add_phone_text,
            t.phone_label,
            r#"<input id="phone-number" name="phoneNumber" type="tel" autocomplete="tel" required>"#,
            t.add_phone_submit,
        ),
        Interstitial::ConfirmEmail => (
            t.confirm_email_heading,
            t.confirm_email_text,
            t.code_label,
            r#"<input id="phone-number" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>"#,
            t.verify,
        ),
    };
    let body = format!(
        r#"<main class="_1d0f3c8e">
<h1>{heading}</h1>
<p>{text}</p>
<form method="post" action="{path}">
<input type="hidden" name="sessionRedirect" value="{redirect}">
<label for="phone-number">{label}</label>
{input}
<button type="submit" class="artdeco-button artdeco-button--primary">{submit}</button>
<button type="submit" name="skip" value="true" formnovalidate class="artdeco-button artdeco-button--tertiary">{skip}</button>
</form>
</main>"#,
        heading = esc(heading),
        text = esc(text),
        path = esc(path),
        redirect = esc(redirect),
        label = esc(label),
        submit = esc(submit),
        skip = esc(t.skip),
    );
    document(frame, &format!("{heading} | LinkedIn"), "", &body)
}
