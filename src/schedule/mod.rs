//! Keeping the setting off on a schedule: this tool's one line in the user's crontab.
//!
//! The crontab is the user's file, so we touch only our own line, found by a trailing marker
//! comment that names the config file (`# linkedin-optout:<config key>`): different configs
//! keep separate lines, and every other line is written back byte for byte. The times carry
//! a small random offset so that not every user of the tool signs in to LinkedIn at the same
//! minute. `next_run` evaluates the cron forms this module writes (and the usual numeric
//! ones), so `schedule show` can say when the line fires next in the machine's time zone.
//!
//! Two rooms: `times` computes the times (`--every`, `--at`, the next run), `crontab` edits
//! the crontab (the line, its quoting, our line among the user's).

mod crontab;
mod times;

pub use crontab::{
    Job, cron_cut, find_line, job_path, marker, read_crontab, with_line, write_crontab,
};
pub use times::{CronTimes, Every, TimeOfDay};
