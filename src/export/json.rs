//! An incident as a JSON document (`debrief export ID --format json`), which `debrief load` reads
//! back. Written through the escaping writer: no terminal control reaches the output raw.

use super::ExportError;
use super::audience::{self, Audience, LeftOut};
use crate::model::document::Document;
use crate::model::sanitize::to_json_pretty;
use crate::store::Store;
use std::io::Write;

/// The document, pretty-printed, with a final newline.
pub fn render(doc: &Document) -> Result<String, serde_json::Error> {
    Ok(crate::model::sanitize::to_json_pretty(doc)? + "\n")
}

/// The document of incident `id` for `audience`, written to `out` as it is read from the
/// database: its events one at a time, never all in memory (an incident of a million events).
/// The text is the one [`render`] gives of the whole document. For outsiders, also what it
/// left out.
pub fn write_streamed(
    store: &Store,
    id: i64,
    audience: Audience,
    out: &mut dyn Write,
) -> Result<Option<LeftOut>, ExportError> {
    write_streamed_as(store, id, audience, out, to_json_pretty)
}

/// [`write_streamed`], the document without its events written as `head` says (`show --json`
/// adds keys of its own); its top-level `"events": []` is where the events go.
pub fn write_streamed_as(
    store: &Store,
    id: i64,
    audience: Audience,
    out: &mut dyn Write,
    head_text: impl FnOnce(&Document) -> serde_json::Result<String>,
) -> Result<Option<LeftOut>, ExportError> {
    let (mut head, internal) = store.export_document_head(id)?;
    let mut left = (audience == Audience::External).then(|| audience::external_head(&mut head, &internal));
    let text = head_text(&head)?;
    // The one top-level `"events": []` (two spaces in; nested keys are further in, and a
    // string holds no raw line break): the events go there.
    let Some((before, after)) = text.split_once(EMPTY_EVENTS) else {
        return Err(ExportError::Json(serde::ser::Error::custom(
            "the document has no events array",
        )));
    };
    out.write_all(before.as_bytes())?;
    out.write_all(b"\n  \"events\": [")?;
    let mut first = true;
    store.for_each_doc_event(id, |mut e| -> Result<(), ExportError> {
        if let Some(left) = &mut left
            && !audience::external_event(&mut e, left)
        {
            return Ok(());
        }
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        for (i, line) in to_json_pretty(&e)?.lines().enumerate() {
            out.write_all(if i == 0 { b"    " } else { b"\n    " })?;
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    })?;
    out.write_all(if first { b"]" } else { b"\n  ]" })?;
    out.write_all(after.as_bytes())?;
    out.write_all(b"\n")?;
    Ok(left)
}

const EMPTY_EVENTS: &str = "\n  \"events\": []";
