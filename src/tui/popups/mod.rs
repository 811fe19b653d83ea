//! Popups over any screen: confirm, conflict, export, the import preview and the running import.

pub mod confirm;
pub mod conflict;
pub mod export;
pub mod import_preview;
pub mod running_import;
