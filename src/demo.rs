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

/// The demo incident, moved in time so that its last day (that of its follow-up meeting, a few
/// days after the outage) was yesterday: nothing of it lies in the future.
pub fn load_demo(store: &Store) -> Result<i64, DemoError> {
    load_demo_on(store, Local::now().date_naive())
}

/// The demo incident moved so that its last day is the day before `today` (tests give a fixed
/// day, so what they draw does not change with the date they run on).
pub fn load_demo_on(store: &Store, today: chrono::NaiveDate) -> Result<i64, DemoError> {
    let mut doc = demo_document()?;
    let meetings = doc.meetings.iter().flat_map(|m| [m.started_at, m.ended_at]).flatten();
    if let Some(last) = doc.events.iter().map(|e| e.at).chain(meetings).max() {
        let target = today - chrono::Duration::days(1);
        let days = (target - last.date_naive()).num_days();
        doc.shift(chrono::Duration::days(days));
    }
    Ok(store.load_document(&doc)?)
}

/// The demo incident before its review: no meetings and no decisions taken in one (what the
/// console's meeting mode starts from, in tests and examples).
pub fn demo_before_the_review() -> Result<Document, DemoError> {
    let mut doc = demo_document()?;
    doc.meetings.clear();
    doc.narrative.decisions.retain(|d| d.meeting.is_none());
    Ok(doc)
}
