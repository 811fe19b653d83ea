//! Participants of the review and the first meeting's record.

use super::{Result, Store, StoreError, check_version, from_ms, now_ms, to_ms};
use crate::model::{AgendaStep, Meeting, Participant, Role, sanitize};
use rusqlite::{OptionalExtension, Row, params};

fn participant(r: &Row) -> rusqlite::Result<Participant> {
    let role: String = r.get(3)?;
    Ok(Participant {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        name: r.get(2)?,
        role: super::stored::<Role>(3, &role)?,
        present: r.get(4)?,
        version: r.get(5)?,
    })
}

fn meeting(r: &Row) -> rusqlite::Result<Meeting> {
    let step: String = r.get(2)?;
    let secs: String = r.get(5)?;
    Ok(Meeting {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        step: super::stored::<AgendaStep>(2, &step)?,
        started_at: r.get::<_, Option<i64>>(3)?.map(from_ms),
        ended_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
        step_seconds: serde_json::from_str(&secs)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e)))?,
        step_started_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
        agreement: r.get(7)?,
        decisions: r.get(8)?,
        version: r.get(9)?,
    })
}

impl Store {
    pub fn participants(&self, incident_id: i64) -> Result<Vec<Participant>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, incident_id, name, role, present, version FROM participants WHERE incident_id = ? ORDER BY id",
        )?;
        Ok(stmt
            .query_map([incident_id], participant)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a participant, or changes the role of one already named so.
    pub fn add_participant(&self, incident_id: i64, name: &str, role: Role) -> Result<i64> {
        let name = sanitize::clean_line(name);
        if name.is_empty() {
            return Err(StoreError::Invalid("a participant needs a name".into()));
        }
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            conn.execute(
                "INSERT INTO participants (incident_id, name, role) VALUES (?, ?, ?)
                 ON CONFLICT (incident_id, name) DO UPDATE SET role = excluded.role, version = version + 1",
                params![incident_id, name, role.key()],
            )?;
            let id: i64 = conn.query_row(
                "SELECT id FROM participants WHERE incident_id = ? AND name = ?",
                params![incident_id, name],
                |r| r.get(0),
            )?;
            self.record(
                conn,
                Some(incident_id),
                "participant",
                id,
                "add",
                &format!("{name} ({})", role.label()),
            )?;
            Ok(id)
        })
    }

    pub fn update_participant(&self, p: &Participant) -> Result<()> {
        let name = sanitize::clean_line(&p.name);
        if name.is_empty() {
            return Err(StoreError::Invalid("a participant needs a name".into()));
        }
        self.write(|conn| {
            check_version(conn, "participants", "participant", p.id, p.version)?;
            conn.execute(
                "UPDATE participants SET name = ?, role = ?, present = ? WHERE id = ?",
                params![name, p.role.key(), p.present, p.id],
            )?;
            self.record(conn, Some(p.incident_id), "participant", p.id, "update", &name)?;
            Ok(())
        })
    }

    pub fn delete_participant(&self, id: i64, version: i64) -> Result<()> {
        self.write(|conn| {
            let incident: Option<i64> = conn
                .query_row("SELECT incident_id FROM participants WHERE id = ?", [id], |r| r.get(0))
                .optional()?;
            check_version(conn, "participants", "participant", id, version)?;
            conn.execute("DELETE FROM participants WHERE id = ?", [id])?;
            self.record(conn, incident, "participant", id, "delete", "")?;
            Ok(())
        })
    }

    /// The incident's meeting record, created on first use.
    pub fn meeting(&self, incident_id: i64) -> Result<Meeting> {
        let sql = "SELECT id, incident_id, step, started_at, ended_at, step_seconds, step_started_at, agreement,
                          decisions, version FROM meetings WHERE incident_id = ?";
        if let Some(m) = self.conn.query_row(sql, [incident_id], meeting).optional()? {
            return Ok(m);
        }
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            conn.execute("INSERT OR IGNORE INTO meetings (incident_id) VALUES (?)", [incident_id])?;
            Ok(())
        })?;
        Ok(self.conn.query_row(sql, [incident_id], meeting)?)
    }

    pub fn update_meeting(&self, m: &Meeting) -> Result<Meeting> {
        self.write(|conn| {
            check_version(conn, "meetings", "meeting", m.id, m.version)?;
            conn.execute(
                "UPDATE meetings SET step = ?, started_at = ?, ended_at = ?, step_seconds = ?, step_started_at = ?,
                   agreement = ?, decisions = ? WHERE id = ?",
                params![
                    m.step.key(),
                    m.started_at.map(to_ms),
                    m.ended_at.map(to_ms),
                    serde_json::to_string(&m.step_seconds).unwrap_or_else(|_| "[0,0,0,0]".into()),
                    m.step_started_at.map(to_ms),
                    sanitize::clean(m.agreement.trim_end()),
                    sanitize::clean(m.decisions.trim_end()),
                    m.id
                ],
            )?;
            self.record(conn, Some(m.incident_id), "meeting", m.id, "update", m.step.label())?;
            Ok(())
        })?;
        self.meeting(m.incident_id)
    }

    pub fn now_ms(&self) -> i64 {
        now_ms()
    }
}
