//! The local terminal hosting one console: raw mode, alternate screen, signals, tty watchdog.

pub mod run;
pub mod terminal;
