//! The narrative of an incident (see `model::narrative`): one row of texts and cause links with
//! a version, and its lists (impact per service, decisions, contributing factors) saved whole
//! with it, so that a second writer's save is a conflict, never a silent overwrite.

use super::{Result, Store, StoreError};
use crate::model::narrative::{Decision, Factor, Impact, Narrative};
use crate::model::sanitize;
use rusqlite::{Connection, OptionalExtension, params};

impl Store {
    /// The incident's narrative (empty, version 0, when none was written).
    pub fn narrative(&self, incident_id: i64) -> Result<Narrative> {
        read(&self.conn, incident_id)
    }

    /// Saves the narrative whole; `n.version` is the version it was read at (0: none was
    /// stored). A cause link must name one of the incident's causes.
    pub fn set_narrative(&self, incident_id: i64, n: &Narrative) -> Result<Narrative> {
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            let stored: i64 = conn
                .query_row(
                    "SELECT version FROM narratives WHERE incident_id = ?",
                    [incident_id],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            if stored != n.version {
                return Err(StoreError::Conflict {
                    what: "narrative",
                    id: incident_id,
                    yours: n.version,
                    theirs: stored,
                });
            }
            write(conn, incident_id, n)?;
            self.record(conn, Some(incident_id), "narrative", incident_id, "update", "")?;
            Ok(())
        })?;
        self.narrative(incident_id)
    }
}

fn read(conn: &Connection, id: i64) -> Result<Narrative> {
    let mut n = conn
        .query_row(
            "SELECT went_well, went_wrong, lucky, root_cause_cause, trigger_cause, version
               FROM narratives WHERE incident_id = ?",
            [id],
            |r| {
                Ok(Narrative {
                    went_well: r.get(0)?,
                    went_wrong: r.get(1)?,
                    lucky: r.get(2)?,
                    root_cause_cause: r.get(3)?,
                    trigger_cause: r.get(4)?,
                    version: r.get(5)?,
                    ..Narrative::default()
                })
            },
        )
        .optional()?
        .unwrap_or_default();
    n.impacts = conn
        .prepare_cached("SELECT service, affected, duration FROM impacts WHERE incident_id = ? ORDER BY position, id")?
        .query_map([id], |r| {
            Ok(Impact {
                service: r.get(0)?,
                affected: r.get(1)?,
                duration: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    n.decisions = conn
        .prepare_cached(
            "SELECT text, who, decided, internal, meeting FROM decisions WHERE incident_id = ? ORDER BY position, id",
        )?
        .query_map([id], |r| {
            Ok(Decision {
                text: r.get(0)?,
                who: r.get(1)?,
                when: r.get(2)?,
                internal: r.get(3)?,
                meeting: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    n.factors = conn
        .prepare_cached("SELECT text, cause_id FROM factors WHERE incident_id = ? ORDER BY position, id")?
        .query_map([id], |r| {
            Ok(Factor {
                text: r.get(0)?,
                cause: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(n)
}

/// Writes the narrative of incident `id` whole (inside the caller's transaction), its texts
/// cleaned; the row's version goes up by one.
pub(super) fn write(conn: &Connection, id: i64, n: &Narrative) -> Result<()> {
    let cause = |c: Option<i64>, what: &str| -> Result<Option<i64>> {
        let Some(c) = c else { return Ok(None) };
        let ours: bool = conn.query_row(
            "SELECT count(*) > 0 FROM causes WHERE id = ? AND incident_id = ?",
            params![c, id],
            |r| r.get(0),
        )?;
        if ours {
            Ok(Some(c))
        } else {
            Err(StoreError::Invalid(format!(
                "{what}: cause {c} is not on this incident's checklist"
            )))
        }
    };
    conn.execute(
        "INSERT INTO narratives (incident_id, went_well, went_wrong, lucky, root_cause_cause, trigger_cause)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (incident_id) DO UPDATE SET went_well = ?2, went_wrong = ?3, lucky = ?4,
           root_cause_cause = ?5, trigger_cause = ?6, version = version + 1",
        params![
            id,
            sanitize::clean(n.went_well.trim_end()),
            sanitize::clean(n.went_wrong.trim_end()),
            sanitize::clean(n.lucky.trim_end()),
            cause(n.root_cause_cause, "root cause")?,
            cause(n.trigger_cause, "trigger")?,
        ],
    )?;
    for table in ["impacts", "decisions", "factors"] {
        conn.execute(&format!("DELETE FROM {table} WHERE incident_id = ?"), [id])?;
    }
    for (i, m) in n.impacts.iter().enumerate() {
        let service = sanitize::clean_line(&m.service);
        if service.is_empty() {
            return Err(StoreError::Invalid(format!("impacts[{i}]: the service is empty")));
        }
        conn.execute(
            "INSERT INTO impacts (incident_id, position, service, affected, duration) VALUES (?, ?, ?, ?, ?)",
            params![
                id,
                i as i64,
                service,
                sanitize::clean_line(&m.affected),
                sanitize::clean_line(&m.duration)
            ],
        )?;
    }
    write_decisions(conn, id, &n.decisions)?;
    for (i, f) in n.factors.iter().enumerate() {
        let text = sanitize::clean(f.text.trim());
        if text.is_empty() {
            return Err(StoreError::Invalid(format!("factors[{i}]: the factor is empty")));
        }
        conn.execute(
            "INSERT INTO factors (incident_id, position, text, cause_id) VALUES (?, ?, ?, ?)",
            params![id, i as i64, text, cause(f.cause, &format!("factors[{i}]"))?],
        )?;
    }
    Ok(())
}

/// The decisions of incident `id`, in order (inside the caller's transaction); a decision's
/// meeting must be one the incident held.
fn write_decisions(conn: &Connection, id: i64, decisions: &[Decision]) -> Result<()> {
    for (i, d) in decisions.iter().enumerate() {
        let text = sanitize::clean(d.text.trim());
        if text.is_empty() {
            return Err(StoreError::Invalid(format!("decisions[{i}]: the decision is empty")));
        }
        if let Some(number) = d.meeting {
            let held: bool = conn.query_row(
                "SELECT count(*) > 0 FROM meetings WHERE incident_id = ? AND number = ?",
                params![id, number],
                |r| r.get(0),
            )?;
            if !held {
                return Err(StoreError::Invalid(format!(
                    "decisions[{i}]: meeting {number} is not one of this review's meetings"
                )));
            }
        }
        conn.execute(
            "INSERT INTO decisions (incident_id, position, text, who, decided, internal, meeting)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                i as i64,
                text,
                sanitize::clean_line(&d.who),
                sanitize::clean_line(&d.when),
                d.internal,
                d.meeting
            ],
        )?;
    }
    Ok(())
}
