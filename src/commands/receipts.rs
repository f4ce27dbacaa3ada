//! `receipts [--account A] [--json]`: every receipt kept, newest first; `receipts export
//! [--account A] DIR`: the same as one self-contained page with the files beside it.
//!
//! As with `history`, `--account` filters only when given on the command line.

use crate::cli::{GlobalArgs, ReceiptsArgs, ReceiptsCommand};
use crate::config::Settings;
use crate::error::{Error, exit};
use crate::state::receipts::{self, Stored};

pub async fn exec(
    settings: &Settings,
    global: &GlobalArgs,
    args: ReceiptsArgs,
) -> Result<u8, Error> {
    let mut stored = receipts::list(&settings.state_dir, None)?;
    stored.retain(|s| global.accounts.is_empty() || global.accounts.contains(&s.receipt.account));
    if let Some(ReceiptsCommand::Export(export)) = args.command {
        let index = receipts::export::export(&stored, &export.dir).map_err(|err| {
            Error::Other(anyhow::anyhow!(
                "cannot export the receipts to {} ({err:#}): choose a directory you can write",
                export.dir.display()
            ))
        })?;
        println!(
            "wrote {} ({} receipt{}, files beside it)",
            index.display(),
            stored.len(),
            if stored.len() == 1 { "" } else { "s" }
        );
        return Ok(exit::OFF);
    }
    if stored.is_empty() {
        eprintln!(
            "no receipts yet: a run that reads the setting keeps one (receipts: {})",
            receipts::root(&settings.state_dir).display()
        );
        return Ok(exit::OFF);
    }
    if settings.json {
        for s in &stored {
            let line = serde_json::json!({
                "time": crate::clock::format_time(s.receipt.time),
                "account": s.receipt.account,
                "setting": s.receipt.setting,
                "state": s.receipt.state,
                "png": s.png,
                "json": s.json,
            });
            println!("{line}");
        }
    } else {
        print!("{}", table(&stored));
    }
    Ok(exit::OFF)
}

/// One row per receipt: time, account, setting, state, and its two files.
fn table(stored: &[Stored]) -> String {
    let rows: Vec<[String; 6]> = stored
        .iter()
        .map(|s| {
            let r = &s.receipt;
            [
                r.time.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
                r.account.clone(),
                r.setting.clone(),
                r.state.to_string(),
                s.png.display().to_string(),
                s.json.display().to_string(),
            ]
        })
        .collect();
    crate::report::table(
        ["TIME (UTC)", "ACCOUNT", "SETTING", "STATE", "PNG", "JSON"],
        &rows,
    )
}
