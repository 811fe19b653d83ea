//! An incident as a JSON document (`debrief export ID --format json`), which `debrief load` reads
//! back. Written through the escaping writer: no terminal control reaches the output raw.

use crate::model::document::Document;

/// The document, pretty-printed, with a final newline.
pub fn render(doc: &Document) -> Result<String, serde_json::Error> {
    Ok(crate::model::sanitize::to_json_pretty(doc)? + "\n")
}
