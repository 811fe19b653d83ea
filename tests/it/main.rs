//! The integration tests, one binary: each former `tests/NAME.rs` is the module `NAME` here
//! (`cargo test --test it NAME::` runs one of them), and `support` is their shared harness.

mod support;

mod cli;
mod consoles;
mod curate;
mod docs;
mod e2e;
mod facts;
mod file_safety;
mod follow;
mod forgive;
mod gaps;
mod hostile;
mod import_console;
mod level_kinds;
mod meeting;
mod meetings;
mod merge;
mod narrative;
mod properties;
mod record;
mod reliability;
mod render_props;
mod reports;
mod screens;
mod seeing;
mod serve;
mod store;
mod terminal;
mod times;
mod tui;
mod wire;
mod wrapping;
