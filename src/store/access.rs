//! Who may join over SSH (`debrief serve`): one public key per name, with a role and, if given,
//! the one incident the key may see. The key text is parsed and fingerprinted by the caller
//! (the command line); here it is kept, found and removed, and every change goes into the
//! history.

use super::{Result, Store, StoreError, now_ms};
use crate::model::sanitize;
use rusqlite::{OptionalExtension, Row, params};
use std::fmt;
use std::str::FromStr;

/// What a key may do in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessRole {
    /// Everything on the incidents the key may see: running the meeting, deleting.
    Facilitator,
    /// Adds and edits; does not delete an incident or end the meeting.
    Participant,
    /// Looks only: every write is refused.
    Observer,
}

impl AccessRole {
    pub fn key(self) -> &'static str {
        match self {
            AccessRole::Facilitator => "facilitator",
            AccessRole::Participant => "participant",
            AccessRole::Observer => "observer",
        }
    }
}

impl fmt::Display for AccessRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A role name that is none of the three.
#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?}: facilitator, participant or observer")]
pub struct UnknownRole(String);

impl FromStr for AccessRole {
    type Err = UnknownRole;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownRole> {
        match s.trim().to_ascii_lowercase().as_str() {
            "facilitator" => Ok(AccessRole::Facilitator),
            "participant" => Ok(AccessRole::Participant),
            "observer" => Ok(AccessRole::Observer),
            other => Err(UnknownRole(sanitize::clean_line(other))),
        }
    }
}

/// A key allowed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub id: i64,
    /// The author of every change made with this key.
    pub name: String,
    /// The key as OpenSSH writes it, without its comment: `ssh-ed25519 AAAA…`.
    pub key: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub role: AccessRole,
    /// The only incident the key may see; None: all of them.
    pub incident_id: Option<i64>,
    pub comment: String,
}

/// What `access add` stores.
#[derive(Debug, Clone)]
pub struct NewAccess {
    pub name: String,
    pub key: String,
    pub fingerprint: String,
    pub role: AccessRole,
    pub incident_id: Option<i64>,
    pub comment: String,
}

const COLUMNS: &str = "id, name, key, fingerprint, role, incident_id, comment";

fn access(r: &Row) -> rusqlite::Result<Access> {
    let role: String = r.get(4)?;
    Ok(Access {
        id: r.get(0)?,
        name: r.get(1)?,
        key: r.get(2)?,
        fingerprint: r.get(3)?,
        role: super::stored::<AccessRole>(4, &role)?,
        incident_id: r.get(5)?,
        comment: r.get(6)?,
    })
}

/// A name for the access list: one printable line, not empty, at most 64 characters.
pub fn clean_access_name(name: &str) -> Result<String> {
    let clean = sanitize::clean_line(name).trim().to_string();
    if clean.is_empty() {
        return Err(StoreError::Invalid(
            "a key needs a name (the author of its changes)".into(),
        ));
    }
    if clean.chars().count() > 64 {
        return Err(StoreError::Invalid(format!(
            "the name {clean:?} is longer than 64 characters"
        )));
    }
    Ok(clean)
}

impl Store {
    /// Allows a key in under a name. A name or a key already on the list is refused (revoke
    /// it first): a key is never silently moved to another name or role.
    pub fn add_access(&self, new: &NewAccess) -> Result<i64> {
        let name = clean_access_name(&new.name)?;
        let comment = sanitize::clean_line(&new.comment);
        self.write(|conn| {
            if let Some(incident) = new.incident_id {
                self.require_incident(conn, incident)?;
            }
            let taken: Option<String> = conn
                .query_row(
                    "SELECT name FROM access WHERE name = ? OR fingerprint = ?",
                    params![name, new.fingerprint],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(holder) = taken {
                return Err(StoreError::Invalid(if holder == name {
                    format!("{name:?} is already on the access list; `debrief access revoke {name}` first")
                } else {
                    format!("this key is already on the access list as {holder:?}")
                }));
            }
            conn.execute(
                "INSERT INTO access (name, key, fingerprint, role, incident_id, comment, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![
                    name,
                    new.key,
                    new.fingerprint,
                    new.role.key(),
                    new.incident_id,
                    comment,
                    now_ms()
                ],
            )?;
            let id = conn.last_insert_rowid();
            let scope = new.incident_id.map(|i| format!(", incident #{i}")).unwrap_or_default();
            let detail = format!("{name} ({}{scope}) {}", new.role, new.fingerprint);
            self.record(conn, new.incident_id, "access", id, "add", &detail)?;
            Ok(id)
        })
    }

    /// The access list, by name.
    pub fn access_list(&self) -> Result<Vec<Access>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM access ORDER BY name"))?;
        Ok(stmt.query_map([], access)?.collect::<rusqlite::Result<_>>()?)
    }

    /// The entry of a key, by its fingerprint.
    pub fn access_by_fingerprint(&self, fingerprint: &str) -> Result<Option<Access>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM access WHERE fingerprint = ?"))?;
        Ok(stmt.query_row([fingerprint], access).optional()?)
    }

    /// Removes the key named so, or with this fingerprint; returns what was removed.
    pub fn revoke_access(&self, name_or_fingerprint: &str) -> Result<Access> {
        let wanted = name_or_fingerprint.trim();
        self.write(|conn| {
            let found = conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM access WHERE name = ?1 OR fingerprint = ?1"),
                    [wanted],
                    access,
                )
                .optional()?;
            let Some(found) = found else {
                return Err(StoreError::Invalid(format!(
                    "no key named or with fingerprint {:?} on the access list (see `debrief access list`)",
                    sanitize::clean_line(wanted)
                )));
            };
            conn.execute("DELETE FROM access WHERE id = ?", [found.id])?;
            let detail = format!("{} ({}) {}", found.name, found.role, found.fingerprint);
            self.record(conn, found.incident_id, "access", found.id, "revoke", &detail)?;
            Ok(found)
        })
    }

    /// Writes a line into the history of the server's sessions: joins, leaves, refusals.
    pub fn record_session(&self, incident_id: Option<i64>, op: &str, detail: &str) -> Result<()> {
        self.write(|conn| self.record(conn, incident_id, "session", 0, op, detail))
    }
}

/// What `debrief invite` stores: the code itself is never kept, only its SHA-256.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub code_sha256: String,
    pub name: String,
    pub role: AccessRole,
    pub incident_id: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Why an invitation could not be spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spend {
    /// The key is on the access list now, under the invitation's name.
    Joined(Access),
    /// No such code, or spent, or expired.
    Unusable,
}

impl Store {
    /// Records an invitation for NAME on one incident.
    pub fn add_invitation(&self, new: &NewInvitation) -> Result<i64> {
        let name = clean_access_name(&new.name)?;
        self.write(|conn| {
            self.require_incident(conn, new.incident_id)?;
            let taken: Option<i64> = conn
                .query_row("SELECT id FROM access WHERE name = ?", [&name], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Invalid(format!(
                    "{name:?} is already on the access list; `debrief access revoke {name}` first"
                )));
            }
            conn.execute(
                "INSERT INTO invitations (code_sha256, name, role, incident_id, expires_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?)",
                params![
                    new.code_sha256,
                    name,
                    new.role.key(),
                    new.incident_id,
                    new.expires_at.timestamp_millis(),
                    now_ms()
                ],
            )?;
            let id = conn.last_insert_rowid();
            let until = new.expires_at.format("%Y-%m-%d %H:%M UTC");
            let detail = format!("{name} ({}) until {until}", new.role);
            self.record(conn, Some(new.incident_id), "invitation", id, "add", &detail)?;
            Ok(id)
        })
    }

    /// Whether a code may still be spent (neither spent nor expired).
    pub fn invitation_usable(&self, code_sha256: &str) -> Result<bool> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM invitations WHERE code_sha256 = ? AND spent_at IS NULL AND expires_at > ?",
                params![code_sha256, now_ms()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Spends a code for a key, in one transaction: the code is marked spent and the key put on
    /// the access list under the invitation's name, role and incident — or nothing happens (a
    /// code spent or expired, a key or name already on the list). Of two clients presenting one
    /// code at once, exactly one gets in.
    pub fn spend_invitation(&self, code_sha256: &str, key: &str, fingerprint: &str, comment: &str) -> Result<Spend> {
        self.write(|conn| {
            let found = conn
                .query_row(
                    "SELECT id, name, role, incident_id FROM invitations
                     WHERE code_sha256 = ? AND spent_at IS NULL AND expires_at > ?",
                    params![code_sha256, now_ms()],
                    |r| {
                        let role: String = r.get(2)?;
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, role, r.get::<_, i64>(3)?))
                    },
                )
                .optional()?;
            let Some((id, name, role, incident)) = found else {
                return Ok(Spend::Unusable);
            };
            let role: AccessRole = role
                .parse()
                .map_err(|e: UnknownRole| StoreError::Invalid(e.to_string()))?;
            let taken: Option<String> = conn
                .query_row(
                    "SELECT name FROM access WHERE name = ? OR fingerprint = ?",
                    params![name, fingerprint],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(holder) = taken {
                return Err(StoreError::Invalid(format!(
                    "the invitation for {name:?} cannot be used: {holder:?} is on the access list with this key or name"
                )));
            }
            conn.execute(
                "UPDATE invitations SET spent_at = ?, spent_by = ? WHERE id = ?",
                params![now_ms(), fingerprint, id],
            )?;
            let comment = sanitize::clean_line(comment);
            conn.execute(
                "INSERT INTO access (name, key, fingerprint, role, incident_id, comment, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![name, key, fingerprint, role.key(), incident, comment, now_ms()],
            )?;
            let access_id = conn.last_insert_rowid();
            let detail = format!("{name} ({role}, incident #{incident}) {fingerprint} by invitation");
            self.record(conn, Some(incident), "access", access_id, "add", &detail)?;
            Ok(Spend::Joined(Access {
                id: access_id,
                name,
                key: key.to_string(),
                fingerprint: fingerprint.to_string(),
                role,
                incident_id: Some(incident),
                comment,
            }))
        })
    }
}

/// The SHA-256 of an invitation code, in hex: what the database keeps.
pub fn code_sha256(code: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
