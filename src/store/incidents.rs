//! Incidents: create, read, list with their summaries, update.

use super::{Result, Store, StoreError, check_version, from_ms, now_ms, to_ms};
use crate::model::{
    CauseCategory, Incident, IncidentStatus, Milestone, Severity, StandardCause, durations::Milestones, sanitize,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: String,
    pub severity: Severity,
    pub zone: String,
    pub started_at: Option<DateTime<Utc>>,
}

/// One row of the home screen.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentSummary {
    pub incident: Incident,
    pub started: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
    pub events: i64,
    /// Actions still to do (todo or doing).
    pub open_actions: i64,
    /// Open actions past their due date on the day asked about.
    pub overdue_actions: i64,
    /// Archived: hidden from the list and from insights unless asked for.
    pub archived: bool,
    pub confirmed: Vec<CauseCategory>,
    pub touched_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, title, severity, status, summary, impact, zone, root_cause, trigger, started_at, \
                       created_at, updated_at, version";

/// Refuses to close incident `id` while it has actions still to do, naming them.
fn refuse_open_actions(conn: &rusqlite::Connection, id: i64) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, title, owner FROM actions WHERE incident_id = ? AND status IN ('todo', 'doing') ORDER BY id",
    )?;
    let open: Vec<String> = stmt
        .query_map([id], |r| {
            let (aid, title, owner): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let owner = if owner.is_empty() {
                "no owner".to_string()
            } else {
                owner
            };
            Ok(format!("#{aid} \"{title}\" ({owner})"))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if open.is_empty() {
        Ok(())
    } else {
        Err(StoreError::OpenActions { id, open })
    }
}

fn from_row(r: &Row) -> rusqlite::Result<Incident> {
    let severity: u8 = r.get(2)?;
    let status: String = r.get(3)?;
    Ok(Incident {
        id: r.get(0)?,
        title: r.get(1)?,
        severity: Severity::from_number(severity).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Integer,
                format!("unknown severity {severity} (accepted: 1 to 4)").into(),
            )
        })?,
        status: super::stored::<IncidentStatus>(3, &status)?,
        summary: r.get(4)?,
        impact: r.get(5)?,
        zone: r.get(6)?,
        root_cause: r.get(7)?,
        trigger: r.get(8)?,
        started_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
        created_at: from_ms(r.get(10)?),
        updated_at: from_ms(r.get(11)?),
        version: r.get(12)?,
    })
}

/// Whether the milestones that end an incident are marked: its status follows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ends {
    mitigated: bool,
    resolved: bool,
}

impl Ends {
    pub(crate) fn of(conn: &Connection, incident_id: i64) -> Result<Ends> {
        let marked = |m: Milestone| -> Result<bool> {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE incident_id = ? AND milestone = ?)",
                params![incident_id, m.key()],
                |r| r.get(0),
            )?)
        };
        Ok(Ends {
            mitigated: marked(Milestone::Mitigated)?,
            resolved: marked(Milestone::Resolved)?,
        })
    }

    fn status(self) -> IncidentStatus {
        if self.resolved {
            IncidentStatus::Resolved
        } else if self.mitigated {
            IncidentStatus::Mitigated
        } else {
            IncidentStatus::Open
        }
    }
}

/// How recent a console's presence must be for a shell command to take its incident: the
/// heartbeat comes every 2 s, and rows older than this are removed.
const PRESENCE_COUNTS_MS: i64 = 60_000;

impl Store {
    /// Creates an incident with the five standard causes, all unexamined. A start time also
    /// becomes the "impact started" milestone on the timeline.
    pub fn create_incident(&self, new: &NewIncident) -> Result<i64> {
        let title = sanitize::clean_line(&new.title);
        if title.is_empty() {
            return Err(StoreError::Invalid("an incident needs a title".into()));
        }
        let zone = crate::model::time::parse_zone(&new.zone).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.write(|conn| {
            let id = self.insert_incident(conn, &title, new.severity, zone.name(), new.started_at)?;
            if let Some(at) = new.started_at {
                self.insert_event(
                    conn,
                    id,
                    &super::NewEvent {
                        at,
                        kind: crate::model::EventKind::Observation,
                        text: "Impact started".into(),
                        milestone: Some(Milestone::ImpactStarted),
                        source: crate::model::Source::Typed,
                        author: None,
                    },
                    None,
                )?;
            }
            Ok(id)
        })
    }

    pub(crate) fn insert_incident(
        &self,
        conn: &Connection,
        title: &str,
        severity: Severity,
        zone: &str,
        started_at: Option<DateTime<Utc>>,
    ) -> Result<i64> {
        let now = now_ms();
        conn.execute(
            "INSERT INTO incidents (title, severity, status, zone, started_at, created_at, updated_at, touched_at)
             VALUES (?, ?, 'open', ?, ?, ?, ?, ?)",
            params![title, severity.number(), zone, started_at.map(to_ms), now, now, now],
        )?;
        let id = conn.last_insert_rowid();
        for (pos, cause) in StandardCause::ALL.iter().enumerate() {
            conn.execute(
                "INSERT INTO causes (incident_id, category, position) VALUES (?, ?, ?)",
                params![id, CauseCategory::Standard(*cause).to_db(), pos as i64],
            )?;
        }
        self.record(conn, Some(id), "incident", id, "create", title)?;
        Ok(id)
    }

    /// One incident. One whose zone cannot be read (a name stored before zones were checked)
    /// is an error: its times would otherwise silently be read in UTC.
    pub fn incident(&self, id: i64) -> Result<Incident> {
        let incident = self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM incidents WHERE id = ?"), [id], from_row)
            .optional()?
            .ok_or(StoreError::UnknownIncident(id))?;
        incident
            .zone_tz()
            .map_err(|e| StoreError::Invalid(format!("incident {id}: {e}")))?;
        Ok(incident)
    }

    pub fn incidents(&self) -> Result<Vec<Incident>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM incidents ORDER BY id"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every incident with what the home screen shows, the most recently active first; actions
    /// are overdue when due before `today`.
    pub fn incident_summaries(&self, today: NaiveDate) -> Result<Vec<IncidentSummary>> {
        self.incident_summaries_with(today, false)
    }

    /// [`Store::incident_summaries`], archived incidents included when `archived`.
    pub fn incident_summaries_with(&self, today: NaiveDate, archived: bool) -> Result<Vec<IncidentSummary>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS}, touched_at,
               (SELECT count(*) FROM events e WHERE e.incident_id = i.id),
               (SELECT count(*) FROM actions a WHERE a.incident_id = i.id AND a.status IN ('todo', 'doing')),
               (SELECT count(*) FROM actions a WHERE a.incident_id = i.id AND a.status IN ('todo', 'doing')
                  AND a.due IS NOT NULL AND a.due < ?1),
               archived_at IS NOT NULL
             FROM incidents i WHERE ?2 OR archived_at IS NULL ORDER BY touched_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map(params![today.format("%Y-%m-%d").to_string(), archived], |r| {
            Ok((
                from_row(r)?,
                from_ms(r.get(13)?),
                r.get::<_, i64>(14)?,
                (r.get::<_, i64>(15)?, r.get::<_, i64>(16)?, r.get::<_, bool>(17)?),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (incident, touched_at, events, (open_actions, overdue_actions, archived)) = row?;
            let milestones = self.milestones(incident.id)?;
            let confirmed = self
                .causes(incident.id)?
                .into_iter()
                .filter(|c| c.state.is_confirmed())
                .map(|c| c.category)
                .collect();
            let started = milestones
                .get(Milestone::ImpactStarted)
                .or(incident.started_at)
                .or(self.first_event_time(incident.id)?);
            out.push(IncidentSummary {
                started,
                resolved: milestones.get(Milestone::Resolved),
                events,
                open_actions,
                overdue_actions,
                archived,
                confirmed,
                touched_at,
                incident,
            });
        }
        Ok(out)
    }

    /// The incident a shell command means when it names none: the one open in a console (a
    /// presence heard from within the last minute; when consoles show different incidents, the
    /// most recently changed of those), else the most recently changed one that is not closed.
    pub fn most_recent_open_incident(&self) -> Result<Option<i64>> {
        let in_console: Option<i64> = self
            .conn
            .query_row(
                "SELECT i.id FROM incidents i WHERE i.id IN
                   (SELECT incident_id FROM presence WHERE incident_id IS NOT NULL AND seen_at >= ?)
                 ORDER BY i.touched_at DESC, i.id DESC LIMIT 1",
                [now_ms() - PRESENCE_COUNTS_MS],
                |r| r.get(0),
            )
            .optional()?;
        if in_console.is_some() {
            return Ok(in_console);
        }
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM incidents WHERE status <> 'closed' AND archived_at IS NULL
                 ORDER BY touched_at DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Saves the editable fields of an incident read at `incident.version`.
    pub fn update_incident(&self, incident: &Incident) -> Result<Incident> {
        let title = sanitize::clean_line(&incident.title);
        if title.is_empty() {
            return Err(StoreError::Invalid("an incident needs a title".into()));
        }
        let zone = crate::model::time::parse_zone(&incident.zone).map_err(|e| StoreError::Invalid(e.to_string()))?;
        // As it was: the version check makes sure it is the row being changed.
        let before = self.incident(incident.id)?;
        self.write(|conn| {
            check_version(conn, "incidents", "incident", incident.id, incident.version)?;
            let was: String =
                conn.query_row("SELECT status FROM incidents WHERE id = ?", [incident.id], |r| r.get(0))?;
            if incident.status == IncidentStatus::Closed && was != IncidentStatus::Closed.key() {
                refuse_open_actions(conn, incident.id)?;
            }
            if was == IncidentStatus::Closed.key() && incident.status != IncidentStatus::Closed {
                return Err(StoreError::Invalid(format!(
                    "incident {} is closed: reopening it needs a reason (debrief reopen {} --reason TEXT)",
                    incident.id, incident.id
                )));
            }
            conn.execute(
                "UPDATE incidents SET title = ?, severity = ?, status = ?, summary = ?, impact = ?, zone = ?,
                   root_cause = ?, trigger = ?, started_at = ?, updated_at = ? WHERE id = ?",
                params![
                    title,
                    incident.severity.number(),
                    incident.status.key(),
                    sanitize::clean(&incident.summary),
                    sanitize::clean(&incident.impact),
                    zone.name(),
                    sanitize::clean(&incident.root_cause),
                    sanitize::clean(&incident.trigger),
                    incident.started_at.map(to_ms),
                    now_ms(),
                    incident.id
                ],
            )?;
            let started = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
            let detail = Store::changes(
                &title,
                &[
                    ("title", before.title.clone(), title.clone()),
                    (
                        "severity",
                        before.severity.number().to_string(),
                        incident.severity.number().to_string(),
                    ),
                    ("status", before.status.key().into(), incident.status.key().into()),
                    ("summary", before.summary.clone(), sanitize::clean(&incident.summary)),
                    ("impact", before.impact.clone(), sanitize::clean(&incident.impact)),
                    ("zone", before.zone.clone(), zone.name().to_string()),
                    (
                        "root cause",
                        before.root_cause.clone(),
                        sanitize::clean(&incident.root_cause),
                    ),
                    ("trigger", before.trigger.clone(), sanitize::clean(&incident.trigger)),
                    ("started", started(before.started_at), started(incident.started_at)),
                ],
            );
            self.record(conn, Some(incident.id), "incident", incident.id, "update", &detail)?;
            if was != incident.status.key() {
                let detail = format!("status: {}", incident.status.label());
                self.record(conn, Some(incident.id), "incident", incident.id, "status", &detail)?;
            }
            Ok(())
        })?;
        self.incident(incident.id)
    }

    /// Closes a review: refused, naming them, while any action is todo or doing.
    pub fn close_incident(&self, id: i64) -> Result<Incident> {
        let mut incident = self.incident(id)?;
        if incident.status == IncidentStatus::Closed {
            return Err(StoreError::Invalid(format!("incident {id} is already closed")));
        }
        incident.status = IncidentStatus::Closed;
        self.update_incident(&incident)
    }

    /// Reopens a closed review (back to "in review"), for `reason`, which the history keeps.
    pub fn reopen_incident(&self, id: i64, reason: &str) -> Result<Incident> {
        let reason = sanitize::clean(reason.trim());
        if reason.is_empty() {
            return Err(StoreError::Invalid("reopening a review needs a reason".into()));
        }
        let incident = self.incident(id)?;
        if incident.status != IncidentStatus::Closed {
            return Err(StoreError::Invalid(format!(
                "incident {id} is not closed (it is {})",
                incident.status.label()
            )));
        }
        self.write(|conn| {
            check_version(conn, "incidents", "incident", id, incident.version)?;
            conn.execute(
                "UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?",
                params![IncidentStatus::InReview.key(), now_ms(), id],
            )?;
            self.record(conn, Some(id), "incident", id, "reopen", &reason)?;
            Ok(())
        })?;
        self.incident(id)
    }

    /// Archives an incident (hidden from the list and insights unless asked), or brings it back.
    pub fn set_archived(&self, id: i64, archived: bool) -> Result<Incident> {
        let incident = self.incident(id)?;
        if self.is_archived(id)? == archived {
            let what = if archived { "already archived" } else { "not archived" };
            return Err(StoreError::Invalid(format!("incident {id} is {what}")));
        }
        self.write(|conn| {
            check_version(conn, "incidents", "incident", id, incident.version)?;
            conn.execute(
                "UPDATE incidents SET archived_at = ? WHERE id = ?",
                params![archived.then(now_ms), id],
            )?;
            let op = if archived { "archive" } else { "unarchive" };
            self.record(conn, Some(id), "incident", id, op, &incident.title)?;
            Ok(())
        })?;
        self.incident(id)
    }

    pub fn is_archived(&self, id: i64) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT archived_at IS NOT NULL FROM incidents WHERE id = ?",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::UnknownIncident(id))
    }

    /// What deleting incident `id` takes with it: "35 events, 5 causes, 7 actions, 6 participants".
    pub fn incident_contents(&self, id: i64) -> Result<String> {
        self.incident(id)?;
        let count = |table: &str| -> Result<i64> {
            Ok(self.conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE incident_id = ?"),
                [id],
                |r| r.get(0),
            )?)
        };
        let parts = [
            ("event", count("events")?),
            ("cause", count("causes")?),
            ("action", count("actions")?),
            ("participant", count("participants")?),
        ];
        Ok(parts
            .iter()
            .map(|(what, n)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", "))
    }

    pub fn delete_incident(&self, id: i64, version: i64) -> Result<()> {
        let gone = format!("{}: {}", self.incident(id)?.title, self.incident_contents(id)?);
        self.write(|conn| {
            check_version(conn, "incidents", "incident", id, version)?;
            conn.execute("DELETE FROM incidents WHERE id = ?", [id])?;
            self.record(conn, None, "incident", id, "delete", &gone)?;
            Ok(())
        })
    }

    pub fn milestones(&self, incident_id: i64) -> Result<Milestones> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT milestone, min(at) FROM events WHERE incident_id = ? AND milestone IS NOT NULL GROUP BY milestone",
        )?;
        let rows = stmt.query_map([incident_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut pairs = Vec::new();
        for row in rows {
            let (m, at) = row?;
            if let Ok(m) = m.parse::<Milestone>() {
                pairs.push((m, from_ms(at)));
            }
        }
        Ok(Milestones::from_pairs(pairs))
    }

    /// What the incident's review still lacks: the one list every report shows
    /// ([`coverage::gaps`](crate::model::coverage::gaps)).
    pub fn gaps(&self, incident_id: i64) -> Result<Vec<crate::model::coverage::Gap>> {
        let incident = self.incident(incident_id)?;
        let causes = self.causes(incident_id)?;
        let actions = self.actions(incident_id)?;
        let milestones = self.milestones(incident_id)?;
        Ok(crate::model::coverage::gaps(&crate::model::coverage::Review {
            causes: &causes,
            actions: &actions,
            milestones: &milestones,
            root_cause: &incident.root_cause,
        }))
    }

    /// The status follows the milestones that end the incident: marking the resolved milestone
    /// resolves an open or mitigated incident, marking mitigated mitigates an open one; removing
    /// the milestone that gave the status takes it back (to mitigated if that is marked, else
    /// open). Each change is recorded in the history. An incident in review or closed keeps its
    /// status: people set those.
    pub(crate) fn status_follows_milestones(&self, conn: &Connection, incident_id: i64, before: Ends) -> Result<()> {
        let after = Ends::of(conn, incident_id)?;
        if after == before {
            return Ok(());
        }
        let status: String =
            conn.query_row("SELECT status FROM incidents WHERE id = ?", [incident_id], |r| r.get(0))?;
        let follows = [
            IncidentStatus::Open,
            IncidentStatus::Mitigated,
            IncidentStatus::Resolved,
        ];
        let Some(current) = follows.into_iter().find(|s| s.key() == status) else {
            return Ok(());
        };
        let wanted = after.status();
        // Forward when a milestone is marked; back only when the milestone that gave the
        // current status is removed (a status set by hand without one stays).
        let rank = |s: IncidentStatus| follows.iter().position(|f| *f == s);
        if wanted == current || (rank(wanted) < rank(current) && before.status() != current) {
            return Ok(());
        }
        conn.execute(
            "UPDATE incidents SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            params![wanted.key(), now_ms(), incident_id],
        )?;
        let why = match wanted {
            IncidentStatus::Resolved => "the resolved milestone is marked",
            IncidentStatus::Mitigated => "the mitigated milestone is marked, resolved is not",
            _ => "neither the mitigated nor the resolved milestone is marked",
        };
        self.record(
            conn,
            Some(incident_id),
            "incident",
            incident_id,
            "status",
            &format!("{} → {}: {why}", current.label(), wanted.label()),
        )
    }

    pub(crate) fn require_incident(&self, conn: &Connection, id: i64) -> Result<()> {
        let found: Option<i64> = conn
            .query_row("SELECT id FROM incidents WHERE id = ?", [id], |r| r.get(0))
            .optional()?;
        found.map(|_| ()).ok_or(StoreError::UnknownIncident(id))
    }
}
