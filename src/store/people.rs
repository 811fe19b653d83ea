//! Participants of the review and its meetings' records (meeting 1, then the follow-ups).

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

/// The columns [`meeting`] reads, in its order.
const MEETING_COLUMNS: &str = "id, incident_id, step, started_at, ended_at, step_seconds, step_started_at, agreement,
                                decisions, version, number, attended";

fn meeting(r: &Row) -> rusqlite::Result<Meeting> {
    let step: String = r.get(2)?;
    let secs: String = r.get(5)?;
    let attended: Option<String> = r.get(11)?;
    let attended = match attended {
        Some(json) => Some(
            serde_json::from_str(&json)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e)))?,
        ),
        None => None,
    };
    Ok(Meeting {
        number: r.get(10)?,
        attended,
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

    /// The incident's current meeting (the one with the highest number: the open one, or the
    /// last to end), meeting 1 created on first use.
    pub fn meeting(&self, incident_id: i64) -> Result<Meeting> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE incident_id = ? ORDER BY number DESC LIMIT 1");
        if let Some(m) = self.conn.query_row(&sql, [incident_id], meeting).optional()? {
            return Ok(m);
        }
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            conn.execute(
                "INSERT OR IGNORE INTO meetings (incident_id, number) VALUES (?, 1)",
                [incident_id],
            )?;
            Ok(())
        })?;
        Ok(self.conn.query_row(&sql, [incident_id], meeting)?)
    }

    /// Every meeting of the incident, meeting 1 first (none when it never had one).
    pub fn meetings(&self, incident_id: i64) -> Result<Vec<Meeting>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE incident_id = ? ORDER BY number");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt
            .query_map([incident_id], meeting)?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn meeting_by_id(&self, id: i64) -> Result<Meeting> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = ?");
        Ok(self.conn.query_row(&sql, [id], meeting)?)
    }

    /// Starts follow-up meeting `after + 1` at `now` once meeting `after` has ended: its clock
    /// runs from `now`, and attendance is taken afresh (every participant marked absent; who
    /// came to the earlier ones is in their records). When another session started it first,
    /// that one is returned; while meeting `after` is still open nothing is written.
    pub fn start_follow_up(&self, incident_id: i64, after: i64, now: chrono::DateTime<chrono::Utc>) -> Result<Meeting> {
        let current = self.meeting(incident_id)?;
        if current.number > after {
            return Ok(current);
        }
        if !current.has_ended() {
            return Err(StoreError::Invalid(format!(
                "{} has not ended; end it before starting a follow-up",
                current.title()
            )));
        }
        if current.number >= crate::model::narrative::MAX_MEETINGS {
            return Err(StoreError::Invalid(format!(
                "a review holds at most {} meetings",
                crate::model::narrative::MAX_MEETINGS
            )));
        }
        let number = after + 1;
        self.write(|conn| {
            let latest: i64 = conn.query_row(
                "SELECT coalesce(max(number), 0) FROM meetings WHERE incident_id = ?",
                [incident_id],
                |r| r.get(0),
            )?;
            if latest != after {
                // Someone else started it between our read and this write: join theirs.
                return Ok(());
            }
            conn.execute(
                "INSERT INTO meetings (incident_id, number, started_at, step_started_at) VALUES (?1, ?2, ?3, ?3)",
                params![incident_id, number, to_ms(now)],
            )?;
            let id = conn.last_insert_rowid();
            conn.execute(
                "UPDATE participants SET present = 0, version = version + 1 WHERE incident_id = ? AND present = 1",
                [incident_id],
            )?;
            self.record(
                conn,
                Some(incident_id),
                "meeting",
                id,
                "add",
                &crate::model::meeting::title(number),
            )?;
            Ok(())
        })?;
        self.meeting(incident_id)
    }

    pub fn update_meeting(&self, m: &Meeting) -> Result<Meeting> {
        self.write(|conn| {
            check_version(conn, "meetings", "meeting", m.id, m.version)?;
            conn.execute(
                "UPDATE meetings SET step = ?, started_at = ?, ended_at = ?, step_seconds = ?, step_started_at = ?,
                   agreement = ?, decisions = ?, attended = ? WHERE id = ?",
                params![
                    m.step.key(),
                    m.started_at.map(to_ms),
                    m.ended_at.map(to_ms),
                    serde_json::to_string(&m.step_seconds).unwrap_or_else(|_| "[0,0,0,0]".into()),
                    m.step_started_at.map(to_ms),
                    sanitize::clean(m.agreement.trim_end()),
                    sanitize::clean(m.decisions.trim_end()),
                    attended_json(m.attended.as_deref()),
                    m.id
                ],
            )?;
            self.record(conn, Some(m.incident_id), "meeting", m.id, "update", m.step.label())?;
            Ok(())
        })?;
        self.meeting_by_id(m.id)
    }

    pub fn now_ms(&self) -> i64 {
        now_ms()
    }
}

/// The names present as stored: a JSON list of cleaned names, `None` when not recorded.
pub(super) fn attended_json(names: Option<&[String]>) -> Option<String> {
    names.map(|names| {
        let clean: Vec<String> = names
            .iter()
            .map(|n| sanitize::clean_line(n))
            .filter(|n| !n.is_empty())
            .collect();
        serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into())
    })
}
