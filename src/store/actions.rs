//! The action board, and follow-up across incidents.

use super::{Result, Store, StoreError, check_version, now_ms};
use crate::model::{Action, ActionKind, ActionStatus, Role, sanitize};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub title: String,
    pub details: String,
    pub kind: ActionKind,
    pub owner: String,
    pub owner_role: Option<Role>,
    pub due: Option<NaiveDate>,
    pub cause_id: Option<i64>,
    pub ticket: String,
    pub priority: u8,
}

impl NewAction {
    pub fn titled(title: &str, kind: ActionKind) -> NewAction {
        NewAction {
            title: title.into(),
            details: String::new(),
            kind,
            owner: String::new(),
            owner_role: None,
            due: None,
            cause_id: None,
            ticket: String::new(),
            priority: 0,
        }
    }
}

/// Which actions to list across incidents.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub owner: Option<String>,
    pub statuses: Vec<ActionStatus>,
    /// Only those past their due date (and not done) on this day.
    pub overdue_on: Option<NaiveDate>,
    pub incident_id: Option<i64>,
}

impl ActionFilter {
    /// The test [`Store::actions_across`] makes in SQL, for actions already read (the board of one
    /// incident filters what it has, with the same meaning of owner, status and overdue).
    pub fn matches(&self, a: &Action) -> bool {
        let owner = self.owner_matches(&a.owner);
        let status = self.statuses.is_empty() || self.statuses.contains(&a.status);
        let overdue = self.overdue_on.is_none_or(|day| a.is_overdue(day));
        let incident = self.incident_id.is_none_or(|id| a.incident_id == id);
        owner && status && overdue && incident
    }

    /// The owner test, in Rust on both screens: SQLite's lower() folds ASCII only, and "Élodie"
    /// must find "élodie" on the cross-incident list as on the board.
    fn owner_matches(&self, owner: &str) -> bool {
        self.owner
            .as_ref()
            .is_none_or(|o| owner.trim().to_lowercase() == o.trim().to_lowercase())
    }
}

/// When an action was created and done (time to done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionTimes {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An action with the incident it belongs to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionRow {
    #[serde(flatten)]
    pub action: Action,
    pub incident_title: String,
}

const COLUMNS: &str = "a.id, a.incident_id, a.title, a.details, a.kind, a.status, a.owner, a.owner_role, a.due, \
                       a.cause_id, a.ticket, a.priority, a.version, a.reason";

/// How many columns [`COLUMNS`] reads (a query's own columns follow them).
const COLUMN_COUNT: usize = 14;

fn from_row(r: &Row) -> rusqlite::Result<Action> {
    let kind: String = r.get(4)?;
    let status: String = r.get(5)?;
    let role: Option<String> = r.get(7)?;
    let due: Option<String> = r.get(8)?;
    Ok(Action {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        title: r.get(2)?,
        details: r.get(3)?,
        kind: super::stored::<ActionKind>(4, &kind)?,
        status: super::stored::<ActionStatus>(5, &status)?,
        owner: r.get(6)?,
        owner_role: super::stored_opt(7, role)?,
        due: due
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|e| rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e)))
            })
            .transpose()?,
        cause_id: r.get(9)?,
        ticket: r.get(10)?,
        priority: r.get(11)?,
        version: r.get(12)?,
        reason: r.get(13)?,
    })
}

/// The reason stored with `status`: required for "not doing", dropped for any other status.
pub(super) fn status_reason(status: ActionStatus, reason: &str) -> Result<String> {
    super::required_reason(
        status == ActionStatus::NotDoing,
        reason,
        "an action marked \"not doing\" needs a reason",
    )
}

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

impl Store {
    pub fn actions(&self, incident_id: i64) -> Result<Vec<Action>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM actions a WHERE a.incident_id = ?
             ORDER BY CASE a.priority WHEN 0 THEN 99 ELSE a.priority END, a.due IS NULL, a.due, a.id"
        ))?;
        Ok(stmt
            .query_map([incident_id], from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn action(&self, id: i64) -> Result<Action> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM actions a WHERE a.id = ?"),
                [id],
                from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound { what: "action", id })
    }

    fn check_cause(&self, conn: &rusqlite::Connection, incident_id: i64, cause_id: Option<i64>) -> Result<()> {
        if let Some(cid) = cause_id {
            let owner: Option<i64> = conn
                .query_row("SELECT incident_id FROM causes WHERE id = ?", [cid], |r| r.get(0))
                .optional()?;
            if owner != Some(incident_id) {
                return Err(StoreError::Invalid(format!(
                    "cause {cid} is not one of this incident's causes"
                )));
            }
        }
        Ok(())
    }

    pub fn add_action(&self, incident_id: i64, new: &NewAction) -> Result<i64> {
        let title = sanitize::clean_line(&new.title);
        if title.is_empty() {
            return Err(StoreError::Invalid("an action needs a title".into()));
        }
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            self.check_cause(conn, incident_id, new.cause_id)?;
            conn.execute(
                "INSERT INTO actions (incident_id, title, details, kind, owner, owner_role, due, cause_id, ticket, priority, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    incident_id,
                    title,
                    sanitize::clean(new.details.trim_end()),
                    new.kind.key(),
                    sanitize::clean_line(&new.owner),
                    new.owner_role.map(|r| r.key()),
                    date_text(new.due),
                    new.cause_id,
                    sanitize::clean_line(&new.ticket),
                    new.priority,
                    now_ms()
                ],
            )?;
            let id = conn.last_insert_rowid();
            self.record(conn, Some(incident_id), "action", id, "create", &title)?;
            Ok(id)
        })
    }

    /// Saves every field of an action read at `action.version`.
    pub fn update_action(&self, action: &Action) -> Result<Action> {
        let title = sanitize::clean_line(&action.title);
        if title.is_empty() {
            return Err(StoreError::Invalid("an action needs a title".into()));
        }
        let reason = status_reason(action.status, &action.reason)?;
        // The row as it was: the version check below makes sure it is the one being changed.
        let before = self.action(action.id)?;
        self.write(|conn| {
            check_version(conn, "actions", "action", action.id, action.version)?;
            self.check_cause(conn, action.incident_id, action.cause_id)?;
            let (was, was_reason): (String, String) =
                conn.query_row("SELECT status, reason FROM actions WHERE id = ?", [action.id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            conn.execute(
                "UPDATE actions SET title = ?, details = ?, kind = ?, status = ?, owner = ?, owner_role = ?, due = ?,
                   cause_id = ?, ticket = ?, priority = ?, reason = ?,
                   done_at = CASE WHEN ?12 <> 'done' THEN NULL WHEN status = 'done' THEN done_at ELSE ?13 END
                 WHERE id = ?14",
                params![
                    title,
                    sanitize::clean(action.details.trim_end()),
                    action.kind.key(),
                    action.status.key(),
                    sanitize::clean_line(&action.owner),
                    action.owner_role.map(|r| r.key()),
                    date_text(action.due),
                    action.cause_id,
                    sanitize::clean_line(&action.ticket),
                    action.priority,
                    reason,
                    action.status.key(),
                    now_ms(),
                    action.id
                ],
            )?;
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let priority = |p: u8| if p == 0 { String::new() } else { format!("P{p}") };
            let detail = Store::changes(
                &title,
                &[
                    ("title", before.title.clone(), title.clone()),
                    ("kind", before.kind.key().into(), action.kind.key().into()),
                    ("status", before.status.key().into(), action.status.key().into()),
                    ("owner", before.owner.clone(), sanitize::clean_line(&action.owner)),
                    ("due", date(before.due), date(action.due)),
                    (
                        "cause",
                        before.cause_id.map(|c| c.to_string()).unwrap_or_default(),
                        action.cause_id.map(|c| c.to_string()).unwrap_or_default(),
                    ),
                    ("ticket", before.ticket.clone(), sanitize::clean_line(&action.ticket)),
                    ("priority", priority(before.priority), priority(action.priority)),
                    ("reason", before.reason.clone(), reason.clone()),
                    (
                        "details",
                        before.details.clone(),
                        sanitize::clean(action.details.trim_end()),
                    ),
                ],
            );
            self.record(conn, Some(action.incident_id), "action", action.id, "update", &detail)?;
            if was != action.status.key() || was_reason != reason {
                let detail = match action.status {
                    ActionStatus::NotDoing => format!("{title}: not doing: {reason}"),
                    s => format!("{title}: {}", s.label()),
                };
                self.record(conn, Some(action.incident_id), "action", action.id, "status", &detail)?;
            }
            Ok(())
        })?;
        self.action(action.id)
    }

    /// Moves an action to `status`. "Not doing" needs a reason: use [`Store::set_action_not_doing`].
    pub fn set_action_status(&self, id: i64, version: i64, status: ActionStatus) -> Result<Action> {
        let mut a = self.action(id)?;
        a.version = version;
        a.status = status;
        self.update_action(&a)
    }

    /// Marks an action "not doing", for `reason` (required).
    pub fn set_action_not_doing(&self, id: i64, version: i64, reason: &str) -> Result<Action> {
        let mut a = self.action(id)?;
        a.version = version;
        a.status = ActionStatus::NotDoing;
        a.reason = reason.to_string();
        self.update_action(&a)
    }

    /// When each action of an incident was created and, for those done, when it was done.
    pub fn action_times(&self, incident_id: i64) -> Result<Vec<ActionTimes>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, created_at, done_at FROM actions WHERE incident_id = ? ORDER BY id")?;
        let rows = stmt.query_map([incident_id], |r| {
            Ok(ActionTimes {
                id: r.get(0)?,
                created_at: super::from_ms(r.get(1)?),
                done_at: r.get::<_, Option<i64>>(2)?.map(super::from_ms),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes the action read at `version`; returns it as it was stored, for undo.
    pub fn delete_action(&self, id: i64, version: i64) -> Result<super::Removed> {
        let a = self.action(id)?;
        self.write(|conn| {
            check_version(conn, "actions", "action", id, version)?;
            let removed = super::removed::capture(conn, "actions", "action", id)?;
            conn.execute("DELETE FROM actions WHERE id = ?", [id])?;
            self.record(conn, Some(a.incident_id), "action", id, "delete", &a.title)?;
            Ok(removed)
        })
    }

    /// Actions across incidents, for "what do I owe, and what is overdue".
    pub fn actions_across(&self, filter: &ActionFilter) -> Result<Vec<ActionRow>> {
        let mut sql =
            format!("SELECT {COLUMNS}, i.title FROM actions a JOIN incidents i ON i.id = a.incident_id WHERE 1=1");
        let mut args: Vec<Value> = Vec::new();
        if !filter.statuses.is_empty() {
            sql.push_str(&format!(
                " AND a.status IN ({})",
                vec!["?"; filter.statuses.len()].join(",")
            ));
            args.extend(filter.statuses.iter().map(|s| Value::from(s.key().to_string())));
        }
        if let Some(day) = filter.overdue_on {
            sql.push_str(" AND a.status IN ('todo', 'doing') AND a.due IS NOT NULL AND a.due < ?");
            args.push(day.format("%Y-%m-%d").to_string().into());
        }
        if let Some(id) = filter.incident_id {
            sql.push_str(" AND a.incident_id = ?");
            args.push(id.into());
        }
        sql.push_str(" ORDER BY a.due IS NULL, a.due, a.incident_id, a.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            Ok(ActionRow {
                action: from_row(r)?,
                incident_title: r.get(COLUMN_COUNT)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if filter.owner_matches(&row.action.owner) {
                out.push(row);
            }
        }
        Ok(out)
    }
}
