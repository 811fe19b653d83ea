//! Pieces every screen draws with: forms, menus, key hints, the help overlay, "too small", and
//! the cursor every list of rows moves with.

pub mod form;
pub mod help;
pub mod hints;
pub mod list_cursor;
pub mod menu;
pub mod too_small;
