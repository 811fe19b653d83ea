//! The console: the app and its screens, popups, widgets and key map; `host` is the local terminal.

pub mod app;
pub mod config;
pub mod effect;
pub mod host;
pub mod keymap;
pub mod popups;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod view;
pub mod widgets;

/// The local terminal's entry point (`debrief::tui::run::run`), kept where main.rs calls it.
pub use host::run;

/// Below this the console shows only "terminal too small"; 80x24 is well above it.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
