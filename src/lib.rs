//! debrief: a terminal console for the review that follows a critical IT outage.

pub mod model;
pub mod report;
