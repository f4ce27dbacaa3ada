//! A panic is a bug of the tool: it must never reach the user as Rust's backtrace and exit
//! code 101. The hook remembers where it happened; `main` catches the unwind after every
//! browser session has closed (sessions close on panic, see `browser`) and exits 1 with
//! that location.

use std::panic::PanicHookInfo;
use std::sync::Mutex;

static FIRST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces Rust's panic message with a note of the first panic, for `report`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let described = describe(info);
        tracing::debug!("{described}");
        if let Ok(mut first) = FIRST_PANIC.lock() {
            first.get_or_insert(described);
        }
    }));
}

/// The line to print when a panic ended the run.
pub fn report() -> String {
    let what = FIRST_PANIC
        .lock()
        .ok()
        .and_then(|first| first.clone())
        .unwrap_or_else(|| "a panic".to_string());
    format!(
        "this is a bug: {what}; the browser was closed. Please report it with this line and the command you ran"
    )
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    match info.location() {
        Some(at) => format!(
            "panicked at {}:{}:{}: {message}",
            at.file(),
            at.line(),
            at.column()
        ),
        None => format!("panicked: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_reported_as_a_bug_with_its_location() {
        let previous = std::panic::take_hook();
        install();
        let caught = std::panic::catch_unwind(|| panic!("an impossible state"));
        std::panic::set_hook(previous);
        assert!(caught.is_err());
        let report = report();
        assert!(
            report.starts_with("this is a bug: panicked at src/bug.rs:"),
            "{report}"
        );
        assert!(report.contains("an impossible state"), "{report}");
    }
}
