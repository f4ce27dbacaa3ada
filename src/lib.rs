//! linkedin-optout: switch off LinkedIn's "Data for Generative AI Improvement", verify it
//! after a reload, and keep it off.
//!
//! The binary is a thin adapter over this library: `cli` is what the user typed, `config`
//! resolves it, `commands` holds one small module per subcommand, each a call into `ops`
//! (the sequences: driver, session, sign-in, flow, history) whose report `output` prints,
//! over the library layers (`browser`, `linkedin`, `secrets`, `report`). The simulator is a
//! crate of its own (`linkedin-sim`, behind the cargo feature `simulator`): the tool knows it
//! only as a base URL, and only `demo` and `simulator` start it.
//! ARCHITECTURE.md lists the layers and what each may import; `tests/architecture.rs` holds
//! the code to it.

pub mod browser;
pub mod bug;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod error;
pub mod html;
pub mod input;
pub mod linkedin;
pub mod logging;
pub mod notify;
pub mod ops;
pub mod output;
pub mod progress;
pub mod report;
pub mod run_bound;
pub mod schedule;
pub mod secrets;
pub mod security;
pub mod skeleton;
pub mod state;
