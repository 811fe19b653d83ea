//! Export of one incident as a lossless document, and loading one as a new incident.

use super::{NewEvent, Result, Store, StoreError, to_ms};
use crate::model::document::*;
use crate::model::narrative::Narrative;
use crate::model::{CauseCategory, sanitize};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

impl Store {
    pub fn export_document(&self, incident_id: i64) -> Result<Document> {
        let (mut doc, _) = self.export_document_head(incident_id)?;
        self.for_each_doc_event(incident_id, |e| {
            doc.events.push(e);
            Ok::<(), StoreError>(())
        })?;
        Ok(doc)
    }

    /// The incident's events as the document holds them, in its order (time, then id) and with
    /// its refs (1, 2, …), one at a time: a document of a million events is written without
    /// holding them (`export --format json`).
    pub fn for_each_doc_event<E: From<StoreError>>(
        &self,
        incident_id: i64,
        mut each: impl FnMut(DocEvent) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let sql = format!(
            "SELECT {}, e.import_key FROM events e WHERE e.incident_id = ? ORDER BY e.at, e.id",
            super::events::COLUMNS
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| E::from(e.into()))?;
        let rows = stmt
            .query_map([incident_id], |r| {
                Ok((
                    super::events::from_row(r)?,
                    r.get::<_, Option<String>>(super::events::COLUMN_COUNT)?,
                ))
            })
            .map_err(|e| E::from(e.into()))?;
        for (reference, row) in (1..).zip(rows) {
            let (e, import_key) = row.map_err(|e| E::from(e.into()))?;
            each(DocEvent {
                reference,
                at: e.at,
                kind: e.kind,
                text: e.text,
                author: e.author,
                source: e.source,
                milestone: e.milestone,
                import_key,
                internal: e.internal,
                key: e.key,
                origin: e.origin,
                count: e.count,
            })?;
        }
        Ok(())
    }

    /// The ref a document gives an event (its place in time order, from 1), and whether it is
    /// internal; `None` for an event not in the incident.
    fn doc_ref(&self, incident_id: i64, event_id: i64) -> Result<Option<(i64, bool)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT (SELECT count(*) FROM events x WHERE x.incident_id = e.incident_id
                       AND (x.at < e.at OR (x.at = e.at AND x.id <= e.id))), e.internal
             FROM events e WHERE e.id = ? AND e.incident_id = ?",
        )?;
        Ok(stmt
            .query_row(rusqlite::params![event_id, incident_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The document without its events (see [`Store::for_each_doc_event`]), and the refs of
    /// the internal events among the causes' evidence (an export for outsiders drops them).
    pub fn export_document_head(&self, incident_id: i64) -> Result<(Document, std::collections::HashSet<i64>)> {
        let inc = self.incident(incident_id)?;
        let causes = self.causes(incident_id)?;
        let cause_ref: HashMap<i64, i64> = causes.iter().enumerate().map(|(i, c)| (c.id, i as i64 + 1)).collect();
        let mut internal = std::collections::HashSet::new();
        let mut evidence = Vec::with_capacity(causes.len());
        for c in &causes {
            let mut refs = Vec::new();
            for id in &c.evidence {
                if let Some((reference, is_internal)) = self.doc_ref(incident_id, *id)? {
                    refs.push(reference);
                    if is_internal {
                        internal.insert(reference);
                    }
                }
            }
            evidence.push(refs);
        }
        let mut actions = self.actions(incident_id)?;
        actions.sort_by_key(|a| a.id);
        let meetings = self.document_meetings(incident_id)?;
        let doc = Document {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            incident: DocIncident {
                title: inc.title,
                severity: inc.severity,
                status: inc.status,
                summary: inc.summary,
                impact: inc.impact,
                zone: inc.zone,
                root_cause: inc.root_cause,
                trigger: inc.trigger,
                started_at: inc.started_at,
            },
            events: Vec::new(),
            causes: causes
                .iter()
                .zip(evidence)
                .map(|(c, evidence)| DocCause {
                    reference: cause_ref[&c.id],
                    category: c.category.to_db(),
                    state: c.state,
                    notes: c.notes.clone(),
                    evidence,
                    reason: c.reason.clone(),
                })
                .collect(),
            actions: actions
                .into_iter()
                .map(|a| DocAction {
                    title: a.title,
                    details: a.details,
                    kind: a.kind,
                    status: a.status,
                    owner: a.owner,
                    owner_role: a.owner_role,
                    due: a.due,
                    cause: a.cause_id.and_then(|id| cause_ref.get(&id).copied()),
                    ticket: a.ticket,
                    priority: a.priority,
                    reason: a.reason,
                })
                .collect(),
            participants: self
                .participants(incident_id)?
                .into_iter()
                .map(|p| DocParticipant {
                    name: p.name,
                    role: p.role,
                    present: p.present,
                })
                .collect(),
            meeting: None,
            meetings,
            narrative: self.document_narrative(incident_id, &cause_ref)?,
        };
        Ok((doc, internal))
    }

    /// The incident's narrative as the document holds it: causes named by their refs.
    fn document_narrative(&self, incident_id: i64, cause_ref: &HashMap<i64, i64>) -> Result<Narrative> {
        let mut n = self.narrative(incident_id)?;
        let to_ref = |c: Option<i64>| c.and_then(|id| cause_ref.get(&id).copied());
        n.root_cause_cause = to_ref(n.root_cause_cause);
        n.trigger_cause = to_ref(n.trigger_cause);
        for f in &mut n.factors {
            f.cause = to_ref(f.cause);
        }
        n.version = 0;
        Ok(n)
    }

    /// The incident's meetings as the document holds them (none when it never had one).
    fn document_meetings(&self, incident_id: i64) -> Result<Vec<DocMeeting>> {
        Ok(self
            .meetings(incident_id)?
            .into_iter()
            .map(|m| DocMeeting {
                number: Some(m.number),
                step: m.step,
                started_at: m.started_at,
                ended_at: m.ended_at,
                step_seconds: m.step_seconds,
                agreement: m.agreement,
                decisions: m.decisions,
                attended: m.attended,
            })
            .collect())
    }

    /// Loads a document as a new incident, all or nothing. Returns the new incident's id.
    pub fn load_document(&self, doc: &Document) -> Result<i64> {
        if doc.format != FORMAT || doc.version > FORMAT_VERSION {
            return Err(StoreError::Invalid(format!(
                "not a debrief incident document of a version this debrief reads (format \"{}\" version {}, \
                 expected \"{FORMAT}\" version {FORMAT_VERSION} or older)",
                sanitize::clean_line(&doc.format),
                doc.version
            )));
        }
        doc.validate().map_err(StoreError::Invalid)?;
        let inc = &doc.incident;
        let title = sanitize::clean_line(&inc.title);
        if title.is_empty() {
            return Err(StoreError::Invalid("incident.title is empty".into()));
        }
        let zone = crate::model::time::parse_zone(&inc.zone)
            .map_err(|e| StoreError::Invalid(format!("incident.zone: {e}")))?;
        self.write(|conn| {
            let id = self.insert_incident(conn, &title, inc.severity, zone.name(), inc.started_at)?;
            conn.execute(
                "UPDATE incidents SET status = ?, summary = ?, impact = ?, root_cause = ?, trigger = ? WHERE id = ?",
                params![
                    inc.status.key(),
                    sanitize::clean(&inc.summary),
                    sanitize::clean(&inc.impact),
                    sanitize::clean(&inc.root_cause),
                    sanitize::clean(&inc.trigger),
                    id
                ],
            )?;
            // The events' search index built once at the end, as an import's (#15).
            let bulk = super::events::BulkFts::begin(conn)?;
            let events = self.load_events(conn, id, doc)?;
            bulk.finish(conn, events.len())?;
            let causes = load_causes(conn, id, &doc.causes, &events)?;
            load_actions(conn, id, &doc.actions, &causes)?;
            load_participants_and_meeting(conn, id, doc)?;
            load_narrative(conn, id, doc, &causes)?;
            self.record(conn, Some(id), "incident", id, "load", &title)?;
            Ok(id)
        })
    }

    /// The document's events, added to incident `id` with their import keys: their new ids by
    /// the document's refs. A document of version 1 carried no keys: an imported event gets the
    /// key its import gave it, from its time and text (the first of two that share one).
    fn load_events(&self, conn: &Connection, id: i64, doc: &Document) -> Result<HashMap<i64, i64>> {
        let docs = &doc.events;
        let mut keys: Vec<Option<String>> = docs.iter().map(|e| e.import_key.clone()).collect();
        if doc.version < 2 {
            let mut seen = std::collections::HashSet::new();
            for (key, e) in keys.iter_mut().zip(docs) {
                if matches!(e.source, crate::model::Source::Imported(_)) {
                    let k = import_key(e.at, &e.text);
                    if seen.insert(k.clone()) {
                        *key = Some(k);
                    }
                }
            }
        }
        let mut events = HashMap::new();
        for (i, (e, key)) in docs.iter().zip(&keys).enumerate() {
            if events.contains_key(&e.reference) {
                return Err(StoreError::Invalid(format!(
                    "events[{i}]: ref {} is used twice",
                    e.reference
                )));
            }
            let new = NewEvent {
                at: e.at,
                kind: e.kind,
                text: e.text.clone(),
                milestone: e.milestone,
                source: e.source.clone(),
                author: Some(e.author.clone()),
            };
            let marks = super::Marks {
                key: e.key,
                origin: e.origin.clone(),
                internal: false,
            };
            let eid = self
                .insert_marked(conn, id, &new, key.as_deref(), &marks)
                .map_err(|err| StoreError::Invalid(format!("events[{i}]: {err}")))?
                .ok_or_else(|| StoreError::Invalid(format!("events[{i}]: import_key is used twice")))?;
            if e.internal {
                conn.execute("UPDATE events SET internal = 1 WHERE id = ?", [eid])?;
            }
            if e.count < 1 {
                let n = e.count;
                return Err(StoreError::Invalid(format!(
                    "events[{i}]: count {n} is not a number of times (1 or more)"
                )));
            }
            if e.count > 1 {
                conn.execute("UPDATE events SET repeat_count = ? WHERE id = ?", [e.count, eid])?;
            }
            events.insert(e.reference, eid);
        }
        Ok(events)
    }
}

/// The document's causes, added to incident `id` (the standard ones it did not list go after
/// the listed ones): their new ids by the document's refs.
fn load_causes(conn: &Connection, id: i64, docs: &[DocCause], events: &HashMap<i64, i64>) -> Result<HashMap<i64, i64>> {
    let mut causes = HashMap::new();
    for (i, c) in docs.iter().enumerate() {
        let category = CauseCategory::from_db(&sanitize::clean_line(&c.category));
        if matches!(&category, CauseCategory::Custom(n) if n.is_empty()) {
            return Err(StoreError::Invalid(format!("causes[{i}]: empty category")));
        }
        let reason = super::causes::cause_reason(c.state, &c.reason)
            .map_err(|e| StoreError::Invalid(format!("causes[{i}]: {e}")))?;
        conn.execute(
            "INSERT INTO causes (incident_id, category, position, state, notes, reason) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (incident_id, category) DO UPDATE SET state = excluded.state, notes = excluded.notes,
               position = excluded.position, reason = excluded.reason",
            params![
                id,
                category.to_db(),
                i as i64,
                c.state.key(),
                sanitize::clean(&c.notes),
                reason
            ],
        )?;
        let cid: i64 = conn.query_row(
            "SELECT id FROM causes WHERE incident_id = ? AND category = ?",
            params![id, category.to_db()],
            |r| r.get(0),
        )?;
        for ev in &c.evidence {
            let eid = events
                .get(ev)
                .ok_or_else(|| StoreError::Invalid(format!("causes[{i}].evidence: no event with ref {ev}")))?;
            conn.execute(
                "INSERT OR IGNORE INTO evidence (cause_id, event_id) VALUES (?, ?)",
                params![cid, eid],
            )?;
        }
        causes.insert(c.reference, cid);
    }
    // Standard causes the document did not list go after the listed ones.
    conn.execute(
        "UPDATE causes SET position = position + 1000 WHERE incident_id = ? AND category NOT IN
           (SELECT value FROM json_each(?))",
        params![
            id,
            serde_json::to_string(
                &docs
                    .iter()
                    .map(|c| CauseCategory::from_db(&sanitize::clean_line(&c.category)).to_db())
                    .collect::<Vec<_>>()
            )
            .unwrap_or_default()
        ],
    )?;
    Ok(causes)
}

/// The document's actions, added to incident `id`, each pointing at its cause's new id.
fn load_actions(conn: &Connection, id: i64, docs: &[DocAction], causes: &HashMap<i64, i64>) -> Result<()> {
    for (i, a) in docs.iter().enumerate() {
        let atitle = sanitize::clean_line(&a.title);
        if atitle.is_empty() {
            return Err(StoreError::Invalid(format!("actions[{i}]: empty title")));
        }
        let cause = match a.cause {
            Some(r) => Some(
                *causes
                    .get(&r)
                    .ok_or_else(|| StoreError::Invalid(format!("actions[{i}].cause: no cause with ref {r}")))?,
            ),
            None => None,
        };
        let reason = super::actions::status_reason(a.status, &a.reason)
            .map_err(|e| StoreError::Invalid(format!("actions[{i}]: {e}")))?;
        conn.execute(
            "INSERT INTO actions (incident_id, title, details, kind, status, owner, owner_role, due, cause_id,
               ticket, priority, created_at, reason, done_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, CASE WHEN ?5 = 'done' THEN ?12 END)",
            params![
                id,
                atitle,
                sanitize::clean(&a.details),
                a.kind.key(),
                a.status.key(),
                sanitize::clean_line(&a.owner),
                a.owner_role.map(|r| r.key()),
                a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                cause,
                sanitize::clean_line(&a.ticket),
                a.priority,
                super::now_ms(),
                reason
            ],
        )?;
    }
    Ok(())
}

/// The document's participants and meeting, added to incident `id`.
fn load_participants_and_meeting(conn: &Connection, id: i64, doc: &Document) -> Result<()> {
    for p in &doc.participants {
        conn.execute(
            "INSERT OR REPLACE INTO participants (incident_id, name, role, present) VALUES (?, ?, ?, ?)",
            params![id, sanitize::clean_line(&p.name), p.role.key(), p.present],
        )?;
    }
    // The one meeting of an older document that ended was attended by who is marked present
    // (as the schema's migration 8 reads it).
    let present: Vec<String> = doc
        .participants
        .iter()
        .filter(|p| p.present)
        .map(|p| p.name.clone())
        .collect();
    for (number, _, m) in doc.all_meetings() {
        let attended = match &m.attended {
            None if doc.version < 4 && m.ended_at.is_some() => Some(present.as_slice()),
            a => a.as_deref(),
        };
        conn.execute(
            "INSERT INTO meetings (incident_id, number, step, started_at, ended_at, step_seconds, agreement, decisions,
                                   attended)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                number,
                m.step.key(),
                m.started_at.map(to_ms),
                m.ended_at.map(to_ms),
                serde_json::to_string(&m.step_seconds).unwrap_or_default(),
                sanitize::clean(&m.agreement),
                "",
                super::people::attended_json(attended)
            ],
        )?;
    }
    Ok(())
}

/// The document's narrative, added to incident `id` with its cause refs turned into the new
/// causes' ids. The meeting's decisions paragraph of an older document becomes the first decision.
fn load_narrative(conn: &Connection, id: i64, doc: &Document, causes: &HashMap<i64, i64>) -> Result<()> {
    let mut n = doc.narrative.clone();
    let cause = |r: Option<i64>, what: String| -> Result<Option<i64>> {
        match r {
            None => Ok(None),
            Some(r) => causes
                .get(&r)
                .copied()
                .map(Some)
                .ok_or_else(|| StoreError::Invalid(format!("{what}: no cause with ref {r}"))),
        }
    };
    n.root_cause_cause = cause(n.root_cause_cause, "narrative.root_cause_cause".into())?;
    n.trigger_cause = cause(n.trigger_cause, "narrative.trigger_cause".into())?;
    for (i, f) in n.factors.iter_mut().enumerate() {
        f.cause = cause(f.cause, format!("narrative.factors[{i}].cause"))?;
    }
    // Cleaned first: a paragraph of nothing but control characters is no decision.
    let paragraph = doc
        .all_meetings()
        .first()
        .map(|(_, _, m)| sanitize::clean(m.decisions.trim()))
        .unwrap_or_default();
    if !paragraph.trim().is_empty() {
        n.decisions.insert(
            0,
            crate::model::narrative::Decision {
                text: paragraph.trim().to_string(),
                meeting: Some(1),
                ..Default::default()
            },
        );
    }
    if n.is_empty() {
        return Ok(());
    }
    super::narrative::write(conn, id, &n).map_err(|e| match e {
        StoreError::Invalid(m) => StoreError::Invalid(format!("narrative: {m}")),
        e => e,
    })
}
