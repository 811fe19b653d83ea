//! The console: actions, key map, theme, terminal lifecycle, and the panes and popups.

pub mod action;
pub mod agenda_bar;
pub mod app;
pub mod board;
pub mod board_filter;
pub mod causes;
pub mod config;
pub mod cross;
pub mod export;
pub mod form;
pub mod help;
pub mod hints;
pub mod home;
pub mod import;
pub mod insights;
pub mod key;
pub mod keymap;
pub mod meeting;
pub mod participants;
pub mod popup;
pub mod review;
pub mod run;
pub mod terminal;
pub mod theme;
pub mod timeline;
pub mod too_small;
pub mod ui;
pub mod view;
pub mod wrap_up;

/// Below this the console shows only "terminal too small"; 80x24 is well above it.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
