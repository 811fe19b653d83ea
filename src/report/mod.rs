//! Reports: the Markdown postmortem, the CSV of actions, and statistics across incidents.

pub mod csv_export;
pub mod markdown;
pub mod stats;

use crate::model::coverage;
use crate::store::{Result, Store};
use chrono::NaiveDate;

/// The text of `debrief export ID --format FORMAT` (`md`, `json` or `csv`).
pub fn export(store: &Store, id: i64, format: &str, today: NaiveDate) -> anyhow::Result<String> {
    Ok(match format {
        "json" => crate::model::sanitize::to_json_pretty(&store.export_document(id)?)? + "\n",
        "md" => postmortem(store, id, today)?,
        "csv" => {
            store.incident(id)?;
            csv_export::render(&store.actions(id)?, &store.causes(id)?)?
        }
        other => anyhow::bail!("unknown export format {other} (accepted: md, json, csv)"),
    })
}

/// The Markdown postmortem of a stored incident.
pub fn postmortem(store: &Store, id: i64, today: NaiveDate) -> Result<String> {
    let doc = store.export_document(id)?;
    let gaps = coverage::gaps(&store.causes(id)?, &store.actions(id)?);
    Ok(markdown::render(&doc, &gaps, today))
}
