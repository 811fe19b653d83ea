//! The cause checklist and its evidence links.

use super::{Result, Store, StoreError, check_version};
use crate::model::{Cause, CauseCategory, CauseState, sanitize};
use rusqlite::{OptionalExtension, Row, params};

/// The reason stored with a cause's `state`: required for "accepted risk", dropped otherwise.
pub(super) fn cause_reason(state: CauseState, reason: &str) -> Result<String> {
    super::required_reason(
        state == CauseState::AcceptedRisk,
        reason,
        "accepting a cause's risk needs a reason",
    )
}

fn from_row(r: &Row) -> rusqlite::Result<Cause> {
    let category: String = r.get(2)?;
    let state: String = r.get(3)?;
    Ok(Cause {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        category: CauseCategory::from_db(&category),
        state: super::stored::<CauseState>(3, &state)?,
        notes: r.get(4)?,
        evidence: Vec::new(),
        version: r.get(5)?,
        reason: r.get(6)?,
    })
}

const COLUMNS: &str = "id, incident_id, category, state, notes, version, reason";

impl Store {
    /// The incident's causes in checklist order, each with its evidence.
    pub fn causes(&self, incident_id: i64) -> Result<Vec<Cause>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM causes WHERE incident_id = ? ORDER BY position, id"
        ))?;
        let mut causes: Vec<Cause> = stmt
            .query_map([incident_id], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        // All the incident's evidence in one query (not one per cause: a review may have 100k).
        let mut ev = self.conn.prepare_cached(
            "SELECT x.cause_id, x.event_id FROM evidence x
             JOIN causes c ON c.id = x.cause_id JOIN events e ON e.id = x.event_id
             WHERE c.incident_id = ? ORDER BY e.at, e.id",
        )?;
        let mut evidence: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for link in ev.query_map([incident_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (cause, event) = link?;
            evidence.entry(cause).or_default().push(event);
        }
        for c in &mut causes {
            c.evidence = evidence.remove(&c.id).unwrap_or_default();
        }
        Ok(causes)
    }

    pub fn cause(&self, id: i64) -> Result<Cause> {
        let mut c = self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM causes WHERE id = ?"), [id], from_row)
            .optional()?
            .ok_or(StoreError::NotFound { what: "cause", id })?;
        c.evidence = self
            .causes(c.incident_id)?
            .into_iter()
            .find(|x| x.id == id)
            .map(|x| x.evidence)
            .unwrap_or_default();
        Ok(c)
    }

    pub fn add_custom_cause(&self, incident_id: i64, name: &str) -> Result<i64> {
        let name = sanitize::clean_line(name);
        if name.is_empty() {
            return Err(StoreError::Invalid("a cause needs a name".into()));
        }
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            let category = CauseCategory::Custom(name.clone()).to_db();
            let exists: Option<i64> = conn
                .query_row(
                    "SELECT id FROM causes WHERE incident_id = ? AND category = ?",
                    params![incident_id, category],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_some() {
                return Err(StoreError::Invalid(format!(
                    "there is already a cause named \"{name}\""
                )));
            }
            conn.execute(
                "INSERT INTO causes (incident_id, category, position)
                 VALUES (?, ?, (SELECT coalesce(max(position), 0) + 1 FROM causes WHERE incident_id = ?))",
                params![incident_id, category, incident_id],
            )?;
            let id = conn.last_insert_rowid();
            self.record(conn, Some(incident_id), "cause", id, "create", &name)?;
            Ok(id)
        })
    }

    /// Sets a cause's state. "Accepted risk" needs a reason: use [`Store::accept_cause_risk`].
    pub fn set_cause_state(&self, id: i64, version: i64, state: CauseState) -> Result<Cause> {
        self.set_cause_state_for(id, version, state, "")
    }

    /// Confirms a cause and accepts its risk, for `reason` (required): it then needs no fix or
    /// monitoring action.
    pub fn accept_cause_risk(&self, id: i64, version: i64, reason: &str) -> Result<Cause> {
        self.set_cause_state_for(id, version, CauseState::AcceptedRisk, reason)
    }

    fn set_cause_state_for(&self, id: i64, version: i64, state: CauseState, reason: &str) -> Result<Cause> {
        let c = self.cause(id)?;
        let reason = cause_reason(state, reason)?;
        self.write(|conn| {
            check_version(conn, "causes", "cause", id, version)?;
            conn.execute(
                "UPDATE causes SET state = ?, reason = ? WHERE id = ?",
                params![state.key(), reason, id],
            )?;
            let detail = match state {
                CauseState::AcceptedRisk => {
                    format!("{}: {} → accepted risk: {reason}", c.category.label(), c.state.label())
                }
                _ => format!("{}: {} → {}", c.category.label(), c.state.label(), state.label()),
            };
            self.record(conn, Some(c.incident_id), "cause", id, "state", &detail)?;
            Ok(())
        })?;
        self.cause(id)
    }

    pub fn set_cause_notes(&self, id: i64, version: i64, notes: &str) -> Result<Cause> {
        let c = self.cause(id)?;
        let notes = sanitize::clean(notes.trim_end());
        self.write(|conn| {
            check_version(conn, "causes", "cause", id, version)?;
            conn.execute("UPDATE causes SET notes = ? WHERE id = ?", params![notes, id])?;
            let detail = Store::changes(&c.category.label(), &[("notes", c.notes.clone(), notes.clone())]);
            self.record(conn, Some(c.incident_id), "cause", id, "notes", &detail)?;
            Ok(())
        })?;
        self.cause(id)
    }

    /// Removes a custom cause; the five standard ones always stay (a ruled-out cause is a result).
    /// Returns the cause as it was stored (with its evidence and the links to it), for undo.
    pub fn delete_cause(&self, id: i64, version: i64) -> Result<super::Removed> {
        let c = self.cause(id)?;
        if matches!(c.category, CauseCategory::Standard(_)) {
            return Err(StoreError::Invalid(format!(
                "{} is a standard cause: rule it out instead",
                c.category.label()
            )));
        }
        self.write(|conn| {
            check_version(conn, "causes", "cause", id, version)?;
            let removed = super::removed::capture(conn, "causes", "cause", id)?;
            conn.execute("DELETE FROM causes WHERE id = ?", [id])?;
            self.record(conn, Some(c.incident_id), "cause", id, "delete", &c.category.label())?;
            Ok(removed)
        })
    }

    /// Links an event to a cause as evidence, or unlinks it when it already is. Returns whether
    /// the link exists afterwards.
    pub fn toggle_evidence(&self, cause_id: i64, event_id: i64) -> Result<bool> {
        self.toggle_evidence_checked(cause_id, None, event_id)
    }

    /// [`Store::toggle_evidence`] for a cause as the caller last read it: a cause deleted since
    /// is `NotFound`, one changed since (its notes, its state, another link) is a `Conflict`,
    /// and nothing is linked. Checked under the write lock, so no other writer slips between
    /// the check and the link.
    pub fn toggle_evidence_at(&self, cause_id: i64, version: i64, event_id: i64) -> Result<bool> {
        self.toggle_evidence_checked(cause_id, Some(version), event_id)
    }

    fn toggle_evidence_checked(&self, cause_id: i64, version: Option<i64>, event_id: i64) -> Result<bool> {
        self.write(|conn| {
            let incident_of = |table: &str, what: &'static str, id: i64| -> Result<i64> {
                conn.query_row(&format!("SELECT incident_id FROM {table} WHERE id = ?"), [id], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or(StoreError::NotFound { what, id })
            };
            let cause_incident = incident_of("causes", "cause", cause_id)?;
            let event_incident = incident_of("events", "event", event_id)?;
            if cause_incident != event_incident {
                return Err(StoreError::Invalid("evidence must come from the same incident".into()));
            }
            match version {
                Some(v) => check_version(conn, "causes", "cause", cause_id, v)?,
                None => {
                    conn.execute("UPDATE causes SET version = version + 1 WHERE id = ?", [cause_id])?;
                }
            }
            let removed = conn.execute(
                "DELETE FROM evidence WHERE cause_id = ? AND event_id = ?",
                params![cause_id, event_id],
            )?;
            if removed == 0 {
                conn.execute(
                    "INSERT INTO evidence (cause_id, event_id) VALUES (?, ?)",
                    params![cause_id, event_id],
                )?;
            }
            let op = if removed == 0 { "link" } else { "unlink" };
            self.record(
                conn,
                Some(cause_incident),
                "cause",
                cause_id,
                op,
                &format!("event {event_id}"),
            )?;
            Ok(removed == 0)
        })
    }

    /// The causes an event is evidence for.
    pub fn causes_of_event(&self, event_id: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT cause_id FROM evidence WHERE event_id = ? ORDER BY cause_id")?;
        Ok(stmt
            .query_map([event_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }
}
