//! Escaping text for HTML the tool writes itself (the page skeleton, the receipts export).

/// `text` with `&`, `<` and `>` escaped, and `"` too when it goes into a double-quoted
/// attribute value; anything else is kept as it is.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
