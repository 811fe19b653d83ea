//! One folder (or file) per screen: its state, update, forms and view.

pub mod all_actions;
pub mod home;
pub mod insights;
pub mod review;
