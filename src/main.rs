//! The binary: parse, set up logging, run, turn the result into an exit code.

use std::process::ExitCode;

use linkedin_optout::cli::Cli;

fn main() -> ExitCode {
    // Before anything is read: no core file, no debugger of the same user.
    linkedin_optout::security::harden_process();
    // The reaper of a run's browser is this binary too (see `browser::reaper`).
    if let Some(code) = linkedin_optout::browser::reaper::run_if_asked() {
        return code;
    }
    linkedin_optout::bug::install();
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => bug(),
    }
}

fn run() -> ExitCode {
    let cli = Cli::parse_args();
    linkedin_optout::logging::init(
        cli.global.verbose,
        cli.global
            .color
            .colours(std::io::IsTerminal::is_terminal(&std::io::stderr())),
    );
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
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(linkedin_optout::commands::run(cli))
    }));
    match ran {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(err)) => {
            eprintln!("error: {}", linkedin_optout::error::chain(&err));
            ExitCode::from(err.exit_code())
        }
        Err(_) => {
            // The sessions closed while unwinding; a task stuck elsewhere must not hold the
            // exit.
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
            bug()
        }
    }
}

fn bug() -> ExitCode {
    eprintln!("error: {}", linkedin_optout::bug::report());
    ExitCode::from(linkedin_optout::error::exit::OTHER)
}
