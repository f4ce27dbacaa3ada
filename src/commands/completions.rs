//! `completions SHELL`: the shell completion script, generated from the same clap definition
//! the binary parses with, so it never falls behind a new flag; `--setting` completes the
//! catalogue's names (its value parser offers them).

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, exit};
use crate::output::{Document, Output};

pub fn exec(output: &Output, args: CompletionsArgs) -> Result<u8, Error> {
    output.print(&Document::new("completions", script(args.shell)));
    Ok(exit::OFF)
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name.clone(), &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    match shell {
        Shell::Bash => bash_with_nested_states(&script, &name),
        _ => script,
    }
}

/// clap_complete's bash script names the state after a subcommand two ways when the binary's
/// name has a hyphen (clap-rs/clap#6421): the loop that reads the words writes
/// `linkedin__optout__subcmd__credentials`, the `case` that completes reads
/// `linkedin__subcmd__optout__subcmd__credentials`, so below the top level no arm matches
/// and bash falls back to file names. The arms are given the loop's spelling.
fn bash_with_nested_states(script: &str, name: &str) -> String {
    let loop_spelling = format!("{}__subcmd__", name.replace('-', "__"));
    let arm_spelling = format!("{}__subcmd__", name.replace('-', "__subcmd__"));
    script.replace(&arm_spelling, &loop_spelling)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every state the bash script's loop can reach has an arm of the same name.
    #[test]
    fn every_bash_state_has_its_arm() {
        let script = script(Shell::Bash);
        let states: Vec<&str> = script
            .lines()
            .filter_map(|line| line.trim().strip_prefix("cmd=\""))
            .filter_map(|rest| rest.strip_suffix('"'))
            .filter(|state| !state.is_empty())
            .collect();
        assert!(
            states.contains(&"linkedin__optout__subcmd__credentials__subcmd__remove"),
            "{states:?}"
        );
        for state in states {
            assert!(script.contains(&format!("\n        {state})\n")), "{state}");
        }
    }

    #[test]
    fn every_shell_completes_the_setting_names() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = script(shell);
            for name in ["data-for-ai-improvement", "member-cookies", "all"] {
                assert!(script.contains(name), "{shell}: {name}");
            }
        }
    }
}
