//! The demo incident (assets/demo.json), for `debrief demo`, the console's home screen and tests.

use crate::model::document::Document;
use crate::store::{Store, StoreError};
use chrono::Local;

/// Why the demo incident could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the embedded demo incident is broken")]
    Broken(#[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The demo incident as written in assets/ (it happened on 2026-11-24).
pub fn demo_document() -> Result<Document, DemoError> {
    serde_json::from_str(include_str!("../assets/demo.json")).map_err(DemoError::Broken)
}

/// The demo incident, moved in time so that it happened yesterday.
pub fn load_demo(store: &Store) -> Result<i64, DemoError> {
    let mut doc = demo_document()?;
    if let Some(first) = doc.events.iter().map(|e| e.at).min() {
        let target = (Local::now() - chrono::Duration::days(1)).date_naive();
        let days = (target - first.date_naive()).num_days();
        doc.shift(chrono::Duration::days(days));
    }
    Ok(store.load_document(&doc)?)
}
