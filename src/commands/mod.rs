//! One small module per subcommand, each with the same shape: an `exec` that takes the
//! resolved settings and its own arguments, calls the library, and returns an exit code.

pub mod credentials;
pub mod history;
pub mod schedule;

use crate::cli::{Cli, Command};
use crate::config;
use crate::error::Error;

/// Runs the parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> Result<u8, Error> {
    let settings = config::resolve(&cli.global)?;
    match cli.command {
        Command::Credentials(command) => credentials::exec(&settings, command).await,
        Command::Schedule(command) => schedule::exec(&settings, &cli.global, command).await,
        Command::History => history::exec(&settings, &cli.global).await,
        _ => Err(Error::Usage("not wired yet".into())),
    }
}
