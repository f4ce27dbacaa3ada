//! `completions SHELL`: the shell completion script, generated from the same clap definition
//! the binary parses with, so it never falls behind a new flag.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, exit};
use crate::output::{Document, Output};

pub fn exec(output: &Output, args: CompletionsArgs) -> Result<u8, Error> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    output.print(&Document::new(
        "completions",
        String::from_utf8_lossy(&script).into_owned(),
    ));
    Ok(exit::OFF)
}
