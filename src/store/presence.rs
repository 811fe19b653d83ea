//! Who else has an incident open: each console writes a heartbeat now and then, and readers
//! count a session as present while its heartbeat is younger than [`PRESENCE_GONE`].
//!
//! Presence is not the record: its writes wait only briefly for the write lock and are not
//! synced to disk (`synchronous=NORMAL` for that one transaction: in WAL mode a commit then
//! writes the log without an fsync, and the database stays consistent; a power cut may lose
//! the last heartbeats, which nobody needs).

use super::{Result, Store, to_ms};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::time::Duration;

/// A session whose heartbeat is older than this is gone (killed, or its link dropped).
pub const PRESENCE_GONE: Duration = Duration::from_secs(30);
/// A person who has pressed no key for this long shows as idle.
pub const IDLE_AFTER: Duration = Duration::from_secs(5 * 60);
/// Rows this old are deleted by the next heartbeat.
const FORGET_AFTER: Duration = Duration::from_secs(120);

/// One person who has the incident open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    pub author: String,
    /// How many of their sessions have it open.
    pub sessions: usize,
    /// No key pressed in any of them for [`IDLE_AFTER`].
    pub idle: bool,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// A presence write: brief, and without the fsync of a real change.
    fn presence_write(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<()>) -> Result<()> {
        self.briefly(|| {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
            let result = self.write(f);
            // Every other write stays fully synced, whatever became of this one.
            let restored = self.conn.pragma_update(None, "synchronous", "FULL");
            result.and(restored.map_err(Into::into))
        })
    }

    /// Says that `session` has `incident_id` open (or none) at `at`, and that its user last
    /// pressed a key at `active_at`.
    pub fn heartbeat(
        &self,
        session: &str,
        incident_id: Option<i64>,
        at: DateTime<Utc>,
        active_at: DateTime<Utc>,
    ) -> Result<()> {
        self.presence_write(|conn| {
            conn.execute(
                "INSERT INTO presence (session, author, incident_id, seen_at, active_at) VALUES (?,?,?,?,?)
                 ON CONFLICT (session) DO UPDATE SET author = excluded.author,
                   incident_id = excluded.incident_id, seen_at = excluded.seen_at,
                   active_at = excluded.active_at",
                params![session, self.author, incident_id, to_ms(at), to_ms(active_at)],
            )?;
            conn.execute(
                "DELETE FROM presence WHERE seen_at < ?",
                params![to_ms(at) - ms(FORGET_AFTER)],
            )?;
            Ok(())
        })
    }

    /// Takes `session` out of the presence table (the console is closing).
    pub fn leave(&self, session: &str) -> Result<()> {
        self.presence_write(|conn| {
            conn.execute("DELETE FROM presence WHERE session = ?", params![session])?;
            Ok(())
        })
    }

    /// Who else (other sessions) has this incident open at `now`: one entry a person, by name.
    pub fn present(&self, session: &str, incident_id: i64, now: DateTime<Utc>) -> Result<Vec<Present>> {
        let now = to_ms(now);
        let mut stmt = self.conn.prepare_cached(
            "SELECT author, count(*), max(coalesce(active_at, seen_at)) FROM presence
             WHERE incident_id = ? AND session <> ? AND seen_at >= ? AND seen_at <= ?
             GROUP BY author ORDER BY author",
        )?;
        // A heartbeat from the future (a clock set wrong) counts as present, within reason.
        let rows = stmt.query_map(
            params![incident_id, session, now - ms(PRESENCE_GONE), now + ms(PRESENCE_GONE)],
            |r| {
                let active: i64 = r.get(2)?;
                Ok(Present {
                    author: r.get(0)?,
                    sessions: usize::try_from(r.get::<_, i64>(1)?).unwrap_or(1),
                    idle: now - active >= ms(IDLE_AFTER),
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn store() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db"), "dana").unwrap();
        let id = store
            .create_incident(&crate::store::NewIncident {
                title: "x".into(),
                severity: crate::model::Severity::Sev2,
                zone: "UTC".into(),
                started_at: None,
            })
            .unwrap();
        (dir, store, id)
    }

    #[test]
    fn a_silent_session_is_gone_after_30_seconds() {
        let (_dir, store, id) = store();
        store.heartbeat("a", Some(id), at(0), at(0)).unwrap();
        let here = store.present("me", id, at(29)).unwrap();
        assert_eq!(here.len(), 1);
        assert_eq!(here[0].author, "dana");
        assert!(!here[0].idle);
        assert!(store.present("me", id, at(31)).unwrap().is_empty());
        // Its own session is never listed; another incident's people neither.
        assert!(store.present("a", id, at(1)).unwrap().is_empty());
        assert!(store.present("me", id + 1, at(1)).unwrap().is_empty());
    }

    #[test]
    fn no_key_for_five_minutes_is_idle_and_sessions_of_one_person_are_one_entry() {
        let (_dir, store, id) = store();
        store.heartbeat("a", Some(id), at(299), at(0)).unwrap();
        assert!(!store.present("me", id, at(299)).unwrap()[0].idle);
        store.heartbeat("a", Some(id), at(300), at(0)).unwrap();
        assert!(store.present("me", id, at(300)).unwrap()[0].idle);
        // A second session of the same person, active: one entry, two sessions, not idle.
        store.heartbeat("b", Some(id), at(300), at(290)).unwrap();
        let here = store.present("me", id, at(301)).unwrap();
        assert_eq!(
            here,
            vec![Present {
                author: "dana".into(),
                sessions: 2,
                idle: false
            }]
        );
        store.leave("b").unwrap();
        assert!(store.present("me", id, at(301)).unwrap()[0].idle);
    }

    #[test]
    fn presence_writes_leave_the_connection_fully_synced() {
        let (_dir, store, id) = store();
        store.heartbeat("a", Some(id), at(0), at(0)).unwrap();
        let sync: i64 = store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
    }
}
