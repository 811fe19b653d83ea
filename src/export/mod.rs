//! What leaves debrief: the Markdown postmortem, the JSON document, the CSV of actions, and
//! statistics across incidents. Each exporter takes what it renders and returns a typed error.

pub mod audience;
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
    #[error(transparent)]
    Io(#[from] std::io::Error),
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

/// The text of an export for `audience`; for outsiders, also what it left out.
pub fn export_for(
    store: &Store,
    id: i64,
    format: &str,
    today: NaiveDate,
    audience: audience::Audience,
) -> Result<(String, Option<audience::LeftOut>), ExportError> {
    if audience == audience::Audience::Internal {
        return Ok((export(store, id, format, today)?, None));
    }
    let (text, left) = match format {
        "json" | "md" => {
            let mut doc = store.export_document(id)?;
            let left = audience::external(&mut doc);
            let text = if format == "json" {
                json::render(&doc)?
            } else {
                markdown::render(&doc, today)
            };
            (text, left)
        }
        "csv" => {
            store.incident(id)?;
            let mut actions = store.actions(id)?;
            let left = audience::external_actions(&mut actions);
            (self::csv::render(&actions, &store.causes(id)?)?, left)
        }
        other => return Err(ExportError::UnknownFormat(other.to_string())),
    };
    Ok((text, Some(left)))
}

/// The Markdown postmortem of a stored incident.
pub fn postmortem(store: &Store, id: i64, today: NaiveDate) -> Result<String, StoreError> {
    Ok(markdown::render(&store.export_document(id)?, today))
}
