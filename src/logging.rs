//! Diagnostics go to stderr through `tracing`; stdout carries only results.

use tracing_subscriber::EnvFilter;

/// Warnings always show, `--quiet` included: they are news (a session that could not be
/// kept, a history that could not be written). `-v` shows each step's detail, `-vv` debug;
/// `RUST_LOG` overrides both.
/// `colour`: whether to colour the levels (`--color`, `NO_COLOR`, a terminal).
pub fn init(verbose: u8, colour: bool) {
    let default = match verbose {
        0 => "warn",
        1 => "linkedin_optout=info,warn",
        2 => "linkedin_optout=debug,info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .without_time()
        .init();
}
