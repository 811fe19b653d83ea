//! debrief: a terminal console for the review that follows a critical IT outage.

pub mod cli;
pub mod demo;
pub mod env;
pub mod export;
pub mod import;
pub mod model;
pub mod store;
pub mod tui;
pub mod util;
