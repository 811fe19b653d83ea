//! The schema, and the forward migrations that build it. `PRAGMA user_version` counts them.

/// Marks a file as ours (`PRAGMA application_id`), so a foreign SQLite file is refused.
pub const APPLICATION_ID: i32 = 0x4442_5246; // "DBRF"

/// Each entry moves the schema one version forward; never edit a shipped entry, append one.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema
    r#"
    CREATE TABLE incidents (
        id          INTEGER PRIMARY KEY,
        title       TEXT NOT NULL,
        severity    INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
        status      TEXT NOT NULL,
        summary     TEXT NOT NULL DEFAULT '',
        impact      TEXT NOT NULL DEFAULT '',
        zone        TEXT NOT NULL DEFAULT 'UTC',
        root_cause  TEXT NOT NULL DEFAULT '',
        trigger     TEXT NOT NULL DEFAULT '',
        started_at  INTEGER,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        touched_at  INTEGER NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1
    );

    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        text        TEXT NOT NULL,
        author      TEXT NOT NULL,
        source      TEXT NOT NULL,
        milestone   TEXT,
        import_key  TEXT,
        version     INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX events_by_time ON events (incident_id, at, id);
    CREATE INDEX events_by_milestone ON events (incident_id, milestone) WHERE milestone IS NOT NULL;
    CREATE UNIQUE INDEX events_by_import_key ON events (incident_id, import_key)
        WHERE import_key IS NOT NULL;

    CREATE VIRTUAL TABLE events_fts USING fts5 (text, content='events', content_rowid='id');
    CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
        INSERT INTO events_fts (rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
        INSERT INTO events_fts (events_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER events_fts_update AFTER UPDATE OF text ON events BEGIN
        INSERT INTO events_fts (events_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO events_fts (rowid, text) VALUES (new.id, new.text);
    END;

    CREATE TABLE causes (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        category    TEXT NOT NULL,
        position    INTEGER NOT NULL,
        state       TEXT NOT NULL DEFAULT 'unexamined',
        notes       TEXT NOT NULL DEFAULT '',
        version     INTEGER NOT NULL DEFAULT 1,
        UNIQUE (incident_id, category)
    );

    CREATE TABLE evidence (
        cause_id    INTEGER NOT NULL REFERENCES causes(id) ON DELETE CASCADE,
        event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        PRIMARY KEY (cause_id, event_id)
    );
    CREATE INDEX evidence_by_event ON evidence (event_id);

    CREATE TABLE actions (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        title       TEXT NOT NULL,
        details     TEXT NOT NULL DEFAULT '',
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'todo',
        owner       TEXT NOT NULL DEFAULT '',
        owner_role  TEXT,
        due         TEXT,
        cause_id    INTEGER REFERENCES causes(id) ON DELETE SET NULL,
        ticket      TEXT NOT NULL DEFAULT '',
        priority    INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX actions_by_incident ON actions (incident_id);
    CREATE INDEX actions_by_owner ON actions (owner);

    CREATE TABLE participants (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        role        TEXT NOT NULL,
        present     INTEGER NOT NULL DEFAULT 0,
        version     INTEGER NOT NULL DEFAULT 1,
        UNIQUE (incident_id, name)
    );

    CREATE TABLE meetings (
        id              INTEGER PRIMARY KEY,
        incident_id     INTEGER NOT NULL UNIQUE REFERENCES incidents(id) ON DELETE CASCADE,
        step            TEXT NOT NULL DEFAULT 'document',
        started_at      INTEGER,
        ended_at        INTEGER,
        step_seconds    TEXT NOT NULL DEFAULT '[0,0,0,0]',
        step_started_at INTEGER,
        agreement       TEXT NOT NULL DEFAULT '',
        decisions       TEXT NOT NULL DEFAULT '',
        version         INTEGER NOT NULL DEFAULT 1
    );

    CREATE TABLE history (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        author      TEXT NOT NULL,
        incident_id INTEGER,
        entity      TEXT NOT NULL,
        entity_id   INTEGER NOT NULL,
        op          TEXT NOT NULL,
        detail      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX history_by_incident ON history (incident_id, id);
    CREATE INDEX history_by_entity ON history (entity, entity_id, id);

    CREATE TABLE presence (
        session     TEXT PRIMARY KEY,
        author      TEXT NOT NULL,
        incident_id INTEGER,
        seen_at     INTEGER NOT NULL
    );
    "#,
    // 2: zone names canonical (see `CANONICAL_ZONES`)
    CANONICAL_ZONES,
    // 3: presence says when the person last pressed a key (idle after five minutes)
    "ALTER TABLE presence ADD COLUMN active_at INTEGER;",
    // 4: follow-through: why an action is not being done, when it was done (for time to done;
    // actions already done take the time of their last recorded change), and the reason a
    // review was closed or reopened is in the history; causes' accepted risk has its reason;
    // archived incidents.
    r#"
    ALTER TABLE actions ADD COLUMN reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE actions ADD COLUMN done_at INTEGER;
    UPDATE actions SET done_at = coalesce(
        (SELECT max(h.at) FROM history h WHERE h.entity = 'action' AND h.entity_id = actions.id),
        created_at)
      WHERE status = 'done';
    CREATE INDEX actions_by_due ON actions (status, due);
    ALTER TABLE causes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE incidents ADD COLUMN archived_at INTEGER;
    "#,
    // 5: who may join over SSH (`debrief access`, `debrief serve`): one public key per name
    r#"
    CREATE TABLE access (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        key         TEXT NOT NULL,
        fingerprint TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL CHECK (role IN ('facilitator', 'participant', 'observer')),
        incident_id INTEGER REFERENCES incidents(id) ON DELETE CASCADE,
        comment     TEXT NOT NULL DEFAULT '',
        created_at  INTEGER NOT NULL
    );

    CREATE TABLE invitations (
        id          INTEGER PRIMARY KEY,
        code_sha256 TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        role        TEXT NOT NULL CHECK (role IN ('facilitator', 'participant', 'observer')),
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        expires_at  INTEGER NOT NULL,
        spent_at    INTEGER,
        spent_by    TEXT,
        created_at  INTEGER NOT NULL
    );
    "#,
    // 6: the narrative (#14): what went well or wrong, where we got lucky, the cause the root
    // cause and the trigger belong to; impact per service, decisions (the meeting's one
    // paragraph becomes the first), contributing factors each linked to a cause; and internal
    // events, left out for outsiders and hidden from observers.
    r#"
    CREATE TABLE narratives (
        incident_id      INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
        went_well        TEXT NOT NULL DEFAULT '',
        went_wrong       TEXT NOT NULL DEFAULT '',
        lucky            TEXT NOT NULL DEFAULT '',
        root_cause_cause INTEGER REFERENCES causes(id) ON DELETE SET NULL,
        trigger_cause    INTEGER REFERENCES causes(id) ON DELETE SET NULL,
        version          INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE impacts (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        service     TEXT NOT NULL,
        affected    TEXT NOT NULL DEFAULT '',
        duration    TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX impacts_by_incident ON impacts (incident_id, position);
    CREATE TABLE decisions (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        text        TEXT NOT NULL,
        who         TEXT NOT NULL DEFAULT '',
        decided     TEXT NOT NULL DEFAULT '',
        internal    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX decisions_by_incident ON decisions (incident_id, position);
    CREATE TABLE factors (
        id          INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        text        TEXT NOT NULL,
        cause_id    INTEGER REFERENCES causes(id) ON DELETE SET NULL
    );
    CREATE INDEX factors_by_incident ON factors (incident_id, position);
    INSERT INTO decisions (incident_id, position, text)
        SELECT incident_id, 0, trim(decisions) FROM meetings WHERE trim(decisions) <> '';
    UPDATE meetings SET decisions = '' WHERE decisions <> '';
    ALTER TABLE events ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
    "#,
    // 7: a curated timeline: key events (`*`), and where an imported line came from (its
    // service, unit, logger or host, else the file), apart from who imported it
    r#"
    ALTER TABLE events ADD COLUMN key INTEGER NOT NULL DEFAULT 0 CHECK (key IN (0, 1));
    ALTER TABLE events ADD COLUMN origin TEXT;
    CREATE INDEX events_by_key ON events (incident_id, at) WHERE key = 1;
    "#,
    // 8: follow-up meetings (#14): a review holds meetings 1, 2, …, each with its own clock,
    // working agreement and attendance (the names present, recorded when it ends); the one
    // meeting so far becomes meeting 1 (an ended one takes who is marked present). A decision
    // names the meeting it was taken in, by number.
    r#"
    CREATE TABLE meetings_8 (
        id              INTEGER PRIMARY KEY,
        incident_id     INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        number          INTEGER NOT NULL DEFAULT 1 CHECK (number >= 1),
        step            TEXT NOT NULL DEFAULT 'document',
        started_at      INTEGER,
        ended_at        INTEGER,
        step_seconds    TEXT NOT NULL DEFAULT '[0,0,0,0]',
        step_started_at INTEGER,
        agreement       TEXT NOT NULL DEFAULT '',
        decisions       TEXT NOT NULL DEFAULT '',
        attended        TEXT,
        version         INTEGER NOT NULL DEFAULT 1,
        UNIQUE (incident_id, number)
    );
    INSERT INTO meetings_8 (id, incident_id, number, step, started_at, ended_at, step_seconds, step_started_at,
                            agreement, decisions, attended, version)
        SELECT id, incident_id, 1, step, started_at, ended_at, step_seconds, step_started_at, agreement, decisions,
               CASE WHEN ended_at IS NOT NULL THEN
                 (SELECT json_group_array(p.name ORDER BY p.id) FROM participants p
                   WHERE p.incident_id = meetings.incident_id AND p.present = 1)
               END,
               version
          FROM meetings;
    DROP TABLE meetings;
    ALTER TABLE meetings_8 RENAME TO meetings;
    ALTER TABLE decisions ADD COLUMN meeting INTEGER CHECK (meeting >= 1);
    "#,
    // 9: repeated identical lines of an import (same instant, same text) are one event with
    // the number of times they were seen; an import keeps the larger count, never the sum (#18)
    "ALTER TABLE events ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 1 CHECK (repeat_count >= 1);",
];

pub const CURRENT_VERSION: i32 = MIGRATIONS.len() as i32;

/// The migration that makes stored zone names canonical (`europe/berlin ` becomes
/// `Europe/Berlin`): SQL trims them, then [`canonicalise_zones`] runs right after it, in the
/// same transaction, for what needs the zone database. A name that is no zone is left as it
/// is; reading that incident is then an error, not UTC.
pub const CANONICAL_ZONES: &str = "UPDATE incidents SET zone = trim(zone) WHERE zone <> trim(zone);";

/// Rewrites every stored zone name that names a zone in another spelling to its canonical one.
pub fn canonicalise_zones(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let zones: Vec<(i64, String)> = conn
        .prepare("SELECT id, zone FROM incidents")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE incidents SET zone = ? WHERE id = ?")?;
    for (id, zone) in zones {
        if let Ok(tz) = crate::model::time::parse_zone(&zone)
            && tz.name() != zone
        {
            update.execute(rusqlite::params![tz.name(), id])?;
        }
    }
    Ok(())
}
