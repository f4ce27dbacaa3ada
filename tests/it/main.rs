//! All integration tests link into this one binary; `common` holds the one test builder.

mod cli;
mod common;
mod credentials;
mod grid;
mod history;
mod login;
mod optout;
mod schedule;
mod security;
mod sessions;
mod simulator;
