//! The console: actions, key map, theme, terminal lifecycle, and the panes and popups.

pub mod action;
pub mod help;
pub mod hints;
pub mod key;
pub mod keymap;
pub mod terminal;
pub mod theme;
pub mod too_small;

/// Below this the console shows only "terminal too small"; 80x24 is well above it.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
