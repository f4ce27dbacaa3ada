//! All integration tests link into this one binary; `common` holds the one test builder.

mod catalogue;
mod cli;
mod common;
mod credentials;
mod emails;
mod errors;
mod faults;
mod grid;
mod history;
mod inputs;
mod login;
mod objection;
mod optout;
mod outcomes;
mod output;
mod page_scripts;
mod page_variants;
mod policy;
mod promises;
mod readme;
mod receipts;
mod rules;
mod schedule;
mod security;
mod sessions;
mod shell;
mod skeleton;
#[cfg(not(feature = "simulator"))]
mod without_simulator;
