//! Pieces every screen draws with: forms, menus, key hints, the help overlay, "too small".

pub mod form;
pub mod help;
pub mod hints;
pub mod menu;
pub mod too_small;
