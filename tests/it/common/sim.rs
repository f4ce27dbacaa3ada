//! The simulator, in-process on a port of its own for each test, and its state as the test's
//! source of truth: outcomes are proven from what the server recorded, typed
//! (`linkedin_sim::AccountView`), not from what the tool printed. The harness is the
//! simulator crate's own (`linkedin_sim::harness`), so these tests and the crate's tests
//! start and read the simulator the same way.

pub use linkedin_sim::harness::{PASSWORD, Sim};
