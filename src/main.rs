//! The binary: parse, set up logging, run, turn the result into an exit code.

use std::process::ExitCode;

use clap::Parser as _;
use linkedin_optout::cli::Cli;

fn main() -> ExitCode {
    // Before anything is read: no core file, no debugger of the same user.
    linkedin_optout::security::harden_process();
    let cli = Cli::parse();
    linkedin_optout::logging::init(cli.global.verbose);
    // SAFETY: no other thread exists yet; the runtime below starts the first ones.
    #[cfg(all(unix, not(target_vendor = "apple")))]
    unsafe {
        linkedin_optout::secrets::dbus_env::adopt_session_bus()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(linkedin_optout::error::exit::OTHER);
        }
    };
    match runtime.block_on(linkedin_optout::commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
