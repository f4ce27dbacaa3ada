//! All integration tests link into this one binary (see `common` for the test builder).

mod simulator;
