//! What leaves debrief: the Markdown postmortem, the JSON document, the CSV of actions, and
//! statistics across incidents. Each exporter takes what it renders and returns a typed error.

pub mod audience;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod stats;

use crate::model::document::DocEvent;
use crate::store::{Store, StoreError};
use audience::{Audience, LeftOut};
use chrono::NaiveDate;
use std::cell::RefCell;
use std::collections::HashSet;

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

/// Incident `id` in `format` for `audience`, written to `out`: Markdown and JSON streamed from
/// the database (its events one at a time, so a million-event incident needs no more memory
/// than a small one), CSV (the actions) rendered whole. For outsiders, also what it left out.
/// The command line and the console both export through here.
pub fn write_for(
    store: &Store,
    id: i64,
    format: &str,
    today: NaiveDate,
    audience: Audience,
    out: &mut dyn std::io::Write,
) -> Result<Option<LeftOut>, ExportError> {
    match format {
        "json" => json::write_streamed(store, id, audience, out),
        "md" => write_postmortem(store, id, today, audience, out),
        _ => {
            let (text, left) = export_for(store, id, format, today, audience)?;
            out.write_all(text.as_bytes())?;
            Ok(left)
        }
    }
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

/// The Markdown postmortem of incident `id` for `audience`, written to `out` as it is made:
/// the events are read from the database once to learn what the postmortem needs of them
/// (milestones, key events, evidence, days), then again for each list, never all in memory
/// (an incident of a million events). The text is the one [`markdown::render`] gives of the
/// whole document. For outsiders, also what it left out.
pub fn write_postmortem(
    store: &Store,
    id: i64,
    today: NaiveDate,
    audience: Audience,
    out: &mut dyn std::io::Write,
) -> Result<Option<LeftOut>, ExportError> {
    let (mut head, internal) = store.export_document_head(id)?;
    let external = audience == Audience::External;
    let mut left = external.then(|| audience::external_head(&mut head, &internal));
    let tz = markdown::zone_of(&head);
    let evidence: HashSet<i64> = head.causes.iter().flat_map(|c| c.evidence.iter().copied()).collect();
    let mut overview = markdown::Overview::default();
    let mut few = Vec::new();
    store.for_each_doc_event(id, |mut e| {
        if let Some(left) = &mut left
            && !audience::external_event(&mut e, left)
        {
            return Ok(());
        }
        overview.add(&e, tz);
        if e.milestone.is_some() || e.key || evidence.contains(&e.reference) {
            few.push(e);
        }
        Ok::<(), StoreError>(())
    })?;
    head.events = few;
    let failed = RefCell::new(None::<ExportError>);
    let list = |each: &mut dyn FnMut(&DocEvent)| {
        if failed.borrow().is_some() {
            return;
        }
        let listed = store.for_each_doc_event(id, |mut e| {
            if external && !audience::external_event(&mut e, &mut LeftOut::default()) {
                return Ok(());
            }
            each(&e);
            Ok::<(), StoreError>(())
        });
        if let Err(e) = listed {
            failed.borrow_mut().get_or_insert(e.into());
        }
    };
    let out = RefCell::new(out);
    let flush = |text: &mut String| {
        if failed.borrow().is_none()
            && let Err(e) = out.borrow_mut().write_all(text.as_bytes())
        {
            *failed.borrow_mut() = Some(e.into());
        }
        text.clear();
    };
    markdown::write_streamed(&head, today, overview, &list, &flush);
    match failed.into_inner() {
        Some(e) => Err(e),
        None => Ok(left),
    }
}
