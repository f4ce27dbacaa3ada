//! One small module per subcommand, each with the same shape: an `exec` that takes the
//! resolved settings and its own arguments, calls one sequence in `ops`, prints the report
//! it returns through `output::Output` (how that report reads as text is the module's
//! `Printed` impl), and returns an exit code.

pub mod audit;
pub mod completions;
pub mod credentials;
pub mod demo;
pub mod doctor;
pub mod history;
pub mod login;
pub mod man;
pub mod objection;
pub mod optout;
pub mod policy;
pub mod receipts;
pub mod rules;
pub mod schedule;
pub mod simulator;
pub mod skeleton;
pub mod status;

use crate::cli::{Cli, Command};
use crate::config;
use crate::error::Error;
use crate::output::Output;

/// Runs the parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> Result<u8, Error> {
    let settings = || config::resolve(&cli.global);
    // The commands that print a document need no configuration, only the output format.
    let document_output = Output::for_args(&cli.global);
    match cli.command {
        Command::Optout(args) => optout::exec(&settings()?, &args).await,
        Command::Status(args) => status::exec(&settings()?, args).await,
        Command::Audit => audit::exec(&settings()?).await,
        Command::Demo => demo::exec(&settings()?).await,
        Command::Login => login::exec(&settings()?).await,
        Command::Objection(args) => objection::exec(&settings()?, &args).await,
        Command::Credentials(command) => credentials::exec(&settings()?, command).await,
        Command::Schedule(command) => schedule::exec(&settings()?, &cli.global, command).await,
        Command::History(args) => history::exec(&settings()?, &cli.global, &args).await,
        Command::Receipts(args) => receipts::exec(&settings()?, &cli.global, args).await,
        Command::Rules(command) => rules::exec(&settings()?, command),
        Command::Policy(command) => policy::exec(&settings()?, command).await,
        // Redacting a file needs no configuration.
        Command::Skeleton(args) => skeleton::exec(&document_output, &args),
        // Doctor reports a broken configuration instead of failing on it.
        Command::Doctor(args) => doctor::exec(&cli.global, &args).await,
        // Printing documentation needs no configuration either.
        Command::Completions(args) => completions::exec(&document_output, args),
        Command::Man => man::exec(&document_output),
        // The simulator is not the tool: it needs no configuration.
        Command::Simulator(args) => simulator::exec(&cli.global, args).await,
    }
}
