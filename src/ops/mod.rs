//! The library's sequences, one module each, as cargo's `ops` holds cargo's: a command module
//! parses nothing and decides nothing, it calls one function here and prints the report it
//! returns (`output`).
//!
//! - `driver`: start the driver of a browser, or join `--webdriver`; once per browser.
//! - `session`: open a browser session, build its `Page` once, keep a signed-in session.
//! - `run`: the flow over the selected accounts (sign in or restore, run, keep the
//!   session, receipts); `optout` wraps it in the run lock, the history and the notify
//!   command.
//! - `audit`: the dry run over the whole catalogue, with what each switch means.
//! - `policy`: the policy watch (LinkedIn's privacy policy, read for links the tool does not
//!   know), run by `policy check`, `doctor --policy` and the scheduled `optout`.
//! - `credentials`, `login`, `objection`, `doctor`, `history`, `receipts`, `rules`, `schedule`:
//!   those commands' sequences (`schedule::job` is the one builder of the cron line's command).

pub mod audit;
pub mod credentials;
pub mod doctor;
pub mod driver;
pub mod history;
pub mod login;
pub mod objection;
pub mod optout;
pub mod policy;
pub mod receipts;
pub mod rules;
pub mod run;
pub mod schedule;
pub mod session;
