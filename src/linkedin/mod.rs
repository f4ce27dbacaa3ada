//! LinkedIn's pages and the flow through them. What to find on a page is data in `rules`;
//! `page` looks and acts; `signin`, `setting` and `flow` decide.

pub mod artifacts;
pub mod catalogue;
pub mod evidence;
pub mod flow;
pub mod objection;
pub mod outcome;
pub mod page;
pub mod policy;
pub mod rules;
pub mod session;
pub mod setting;
pub mod signin;
