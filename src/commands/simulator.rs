//! `simulator [--listen ADDR] [--account EMAIL:PASSWORD]... [--state FILE]`: serve the
//! built-in LinkedIn look-alike until killed.

use crate::cli::{GlobalArgs, SimulatorArgs};
use crate::error::Error;
use crate::simulator::{self, AccountSpec, SimConfig};

pub async fn exec(global: &GlobalArgs, args: SimulatorArgs) -> Result<u8, Error> {
    // Here `--account` carries a password too: EMAIL:PASSWORD.
    let accounts = global
        .accounts
        .iter()
        .map(|spec| {
            spec.parse::<AccountSpec>().map_err(|err| {
                Error::Usage(format!(
                    "`--account {spec}`: {err}; the simulator takes `--account EMAIL:PASSWORD`"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = SimConfig {
        listen: args.listen,
        accounts,
        state_file: args.state,
    };
    simulator::serve_cli(config).await?;
    Ok(0)
}
