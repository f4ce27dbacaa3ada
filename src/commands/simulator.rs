//! `simulator [--listen ADDR [--listen-any]] [--account EMAIL]... [--password-file FILE |
//! --password-stdin] [--state FILE]`: serve the built-in LinkedIn look-alike until killed.
//!
//! The look-alike is the `linkedin-sim` crate, built in with the cargo feature `simulator`
//! (on by default). This module turns what the user typed into its plain configuration.

#[cfg(feature = "simulator")]
use std::io::BufRead as _;

use crate::cli::{GlobalArgs, SimulatorArgs};
use crate::error::Error;
#[cfg(feature = "simulator")]
use crate::output::{Line, Output, Printed, json_of};
#[cfg(feature = "simulator")]
use linkedin_sim::{AccountSpec, SimConfig};

/// The error of `demo` and `simulator` in a binary built without the simulator.
#[cfg(not(feature = "simulator"))]
pub(crate) fn not_built_in(command: &str) -> Error {
    Error::Usage(format!(
        "`{command}` needs the built-in simulator, which this linkedin-optout was built without: build it with the cargo feature `simulator` (on by default)"
    ))
}

#[cfg(not(feature = "simulator"))]
pub async fn exec(_global: &GlobalArgs, _args: SimulatorArgs) -> Result<u8, Error> {
    Err(not_built_in("simulator"))
}

#[cfg(feature = "simulator")]
pub async fn exec(global: &GlobalArgs, args: SimulatorArgs) -> Result<u8, Error> {
    if !args.listen.ip().is_loopback() && !args.listen_any {
        return Err(Error::Usage(format!(
            "`--listen {}` lets other machines reach the simulator: listen on 127.0.0.1, or pass `--listen-any` if you mean it",
            args.listen
        )));
    }
    if let Some(path) = &args.state {
        check_state_file(path)?;
    }
    let password = password(&args)?;
    let accounts = global
        .accounts
        .iter()
        .map(|email| {
            if email.contains(':') {
                return Err(Error::Usage(format!(
                    "`--account {}:…`: a password on the command line shows in `ps`; pass `--account EMAIL` with `--password-file FILE` or `--password-stdin`",
                    email.split(':').next().unwrap_or_default()
                )));
            }
            let mut spec = AccountSpec::new(email.trim());
            if let Some(password) = &password {
                spec.password = password.clone();
            }
            Ok(spec)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = SimConfig {
        listen: args.listen,
        accounts,
        state_file: args.state,
    };
    let output = Output::for_args(global);
    linkedin_sim::serve_until_signal(config, |addr| {
        output.print(&Listening {
            base_url: format!("http://{addr}"),
        })
    })
    .await?;
    Ok(0)
}

/// Where the simulator listens: the one line it prints, once the port is bound, so that
/// scripts can read the address.
#[cfg(feature = "simulator")]
#[derive(serde::Serialize)]
struct Listening {
    base_url: String,
}

#[cfg(feature = "simulator")]
impl Printed for Listening {
    fn json_lines(&self) -> Vec<String> {
        vec![json_of(self)]
    }

    fn human(&self) -> Vec<Line> {
        vec![Line::Out(format!("listening on {}", self.base_url))]
    }
}

/// Refuses a `--state` file the simulator could read but never write (its directory is
/// missing) or that is a directory: said at start, not as a warning on every change.
#[cfg(feature = "simulator")]
fn check_state_file(path: &std::path::Path) -> Result<(), Error> {
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "`--state {}` is a directory: name a file (it is created when missing)",
            path.display()
        )));
    }
    if !parent.is_dir() {
        return Err(Error::Usage(format!(
            "`--state {}`: the directory {} does not exist: create it, or name a file in an existing directory",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

/// The accounts' password: the first line of `--password-file`, or of standard input.
#[cfg(feature = "simulator")]
fn password(args: &SimulatorArgs) -> Result<Option<String>, Error> {
    let line = if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path).map_err(|err| {
            Error::Usage(format!(
                "cannot read the password file {}: {err}",
                path.display()
            ))
        })?;
        text.lines().next().unwrap_or_default().to_string()
    } else if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|err| Error::Usage(format!("cannot read the password from stdin: {err}")))?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        return Ok(None);
    };
    if line.is_empty() {
        return Err(Error::Usage(
            "the simulator's password is empty: put it on the first line".to_string(),
        ));
    }
    Ok(Some(line))
}

#[cfg(all(test, feature = "simulator"))]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_that_could_never_be_written_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            dir.path().to_path_buf(),
            dir.path().join("missing/state.json"),
        ] {
            let err = check_state_file(&bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{bad:?}");
        }
        check_state_file(&dir.path().join("state.json")).unwrap();
        check_state_file(std::path::Path::new("state.json")).unwrap();
    }
}
