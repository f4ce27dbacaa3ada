//! linkedin-optout: switch off LinkedIn's "Data for Generative AI Improvement", verify it
//! after a reload, and keep it off.

pub mod simulator;
