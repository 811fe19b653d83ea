//! What leaves debrief: the Markdown postmortem, the JSON document, the CSV of actions, and
//! statistics across incidents. Each exporter takes what it renders and returns a typed error.

pub mod csv;
pub mod json;
pub mod markdown;
pub mod stats;

use crate::store::{Store, StoreError};
use chrono::NaiveDate;

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Csv(#[from] ::csv::Error),
    #[error("unknown export format {0} (accepted: md, json, csv)")]
    UnknownFormat(String),
}

/// The text of `debrief export ID --format FORMAT` (`md`, `json` or `csv`).
pub fn export(store: &Store, id: i64, format: &str, today: NaiveDate) -> Result<String, ExportError> {
    Ok(match format {
        "json" => json::render(&store.export_document(id)?)?,
        "md" => postmortem(store, id, today)?,
        "csv" => {
            store.incident(id)?;
            self::csv::render(&store.actions(id)?, &store.causes(id)?)?
        }
        other => return Err(ExportError::UnknownFormat(other.to_string())),
    })
}

/// The Markdown postmortem of a stored incident.
pub fn postmortem(store: &Store, id: i64, today: NaiveDate) -> Result<String, StoreError> {
    Ok(markdown::render(&store.export_document(id)?, today))
}
