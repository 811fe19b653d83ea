//! The console: actions, key map, theme, terminal lifecycle, and the panes and popups.

pub mod action;
pub mod keymap;
pub mod terminal;
pub mod theme;
