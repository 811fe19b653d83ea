//! An incident's actions as CSV, for a ticket system's import: `debrief export ID --format csv`.

use crate::model::{Action, Cause};

pub const HEADER: [&str; 11] = [
    "id", "kind", "title", "details", "status", "owner", "role", "due", "cause", "ticket", "priority",
];

/// A cell of people's text for a spreadsheet: one that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be read as a formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`), so it
/// gets a leading `'`, as OWASP's guidance on CSV injection says. Only text cells go through
/// here, never numbers, dates or keys.
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One row per action, in the order given, under [`HEADER`]. Kinds, statuses and roles are
/// their stable keys (`monitoring`, `todo`, `external_provider`); `cause` is the label of the
/// cause the action addresses; an unset due date or priority (0) is an empty field. Text cells
/// are made safe for spreadsheets with [`cell`].
pub fn render(actions: &[Action], causes: &[Cause]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let causes: std::collections::HashMap<i64, &Cause> = causes.iter().rev().map(|c| (c.id, c)).collect();
    for a in actions {
        let cause = a
            .cause_id
            .and_then(|id| causes.get(&id))
            .map(|c| c.category.label())
            .unwrap_or_default();
        w.write_record([
            a.id.to_string(),
            a.kind.key().to_string(),
            cell(&a.title),
            cell(&a.details),
            a.status.key().to_string(),
            cell(&a.owner),
            a.owner_role.map(|r| r.key().to_string()).unwrap_or_default(),
            a.due.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            cell(&cause),
            cell(&a.ticket),
            if a.priority == 0 {
                String::new()
            } else {
                a.priority.to_string()
            },
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}
