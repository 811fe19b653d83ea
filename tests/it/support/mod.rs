//! The one support module of the integration tests.
//!
//! - [`console`]: the console in-process, drawn into a TestBackend, with the one App on a fixed
//!   clock in Berlin.
//! - [`states`]: every screen and popup with the keys that reach it (from a seeded database).
//! - [`pty`]: the real binary in a pseudo-terminal, and a temporary workspace for it.
//! - [`seed`]: databases and documents for tests.
#![allow(dead_code)]

pub mod console;
pub mod pty;
pub mod seed;
pub mod states;
