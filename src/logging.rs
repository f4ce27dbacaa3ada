//! Diagnostics go to stderr through `tracing`; stdout carries only results.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// `-v` shows each step's detail, `-vv` everything; `RUST_LOG` overrides both.
pub fn init(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "linkedin_optout=info,warn",
        (false, 2) => "linkedin_optout=debug,info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
}
