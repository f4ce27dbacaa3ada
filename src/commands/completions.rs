//! `completions SHELL`: the shell completion script, generated from the same clap definition
//! the binary parses with, so it never falls behind a new flag.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, exit};

pub fn exec(args: CompletionsArgs) -> Result<u8, Error> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
    Ok(exit::OFF)
}
