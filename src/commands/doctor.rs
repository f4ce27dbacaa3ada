//! `doctor [--policy]`: checks, one line each with the fix when it fails, that everything a
//! run needs is in place (with `--policy`, the policy watch too). It takes the command line as typed: a broken configuration is its first check's
//! failure, not the command's.

use crate::cli::{DoctorArgs, GlobalArgs};
use crate::error::Error;
use crate::ops;
use crate::ops::doctor::{Checks, Status};
use crate::output::{Line, Output, Printed, json_of};

pub async fn exec(global: &GlobalArgs, args: &DoctorArgs) -> Result<u8, Error> {
    let checks = ops::doctor::doctor(global, args.policy).await;
    Output::for_args(global).print(&checks);
    Ok(checks.exit_code())
}

/// One object per check with `--json`; one line per check otherwise.
impl Printed for Checks {
    fn json_lines(&self) -> Vec<String> {
        self.0.iter().map(json_of).collect()
    }

    fn human(&self) -> Vec<Line> {
        self.0
            .iter()
            .map(|check| {
                let status = match check.status() {
                    Status::Ok => "ok   ",
                    Status::Warn => "warn ",
                    Status::Fail => "FAIL ",
                };
                // A detail's further lines line up under the first's text.
                let detail = check.detail().replace('\n', "\n    ");
                Line::Out(format!("{status} {}: {detail}", check.name))
            })
            .collect()
    }
}
