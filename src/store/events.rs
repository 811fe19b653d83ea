//! The timeline: windowed reads (the console reads only what it draws), search, import.

use super::{Result, Store, StoreError, check_version, from_ms, to_ms};
use crate::model::{Event, EventKind, Milestone, Source, sanitize};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub text: String,
    pub milestone: Option<Milestone>,
    pub source: Source,
    /// Who wrote it, when it differs from the store's author (a name from an imported chat).
    pub author: Option<String>,
}

/// What a new event carries besides [`NewEvent`]: whether it is a key event (`debrief log
/// --key`, a loaded document) and where an imported line came from (see `Event::origin`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub key: bool,
    pub origin: Option<String>,
    /// Internal from its first write (left out for outsiders, hidden from observers).
    pub internal: bool,
}

/// An event made ready to store: its texts cleaned and its time checked. An import makes its
/// rows on the thread that reads the file, so the thread that writes only binds them (#15).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyRow {
    at: i64,
    kind: &'static str,
    text: String,
    milestone: Option<&'static str>,
    /// `None`: the import's own (`imported:<label>`).
    source: Option<String>,
    /// `None`: the store's author.
    author: Option<String>,
    key: bool,
    origin: Option<String>,
}

impl ReadyRow {
    /// A new event with its marks, cleaned and checked.
    pub fn new(new: NewEvent, marks: &Marks) -> Result<ReadyRow> {
        let source = new.source.to_db();
        let mut row = ReadyRow::imported(new.at, new.kind, new.text, new.author, marks.origin.clone())?;
        row.milestone = new.milestone.map(|m| m.key());
        row.source = Some(source);
        row.key = marks.key;
        Ok(row)
    }

    /// An imported line: its source is the import's, its origin where it came from.
    pub fn imported(
        at: DateTime<Utc>,
        kind: EventKind,
        mut text: String,
        author: Option<String>,
        origin: Option<String>,
    ) -> Result<ReadyRow> {
        text.truncate(text.trim_end().len());
        let text = sanitize::clean_owned(text);
        if text.trim().is_empty() {
            return Err(StoreError::Invalid("an event needs some text".into()));
        }
        crate::model::time::check_stored(at).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(ReadyRow {
            at: to_ms(at),
            kind: kind.key(),
            text,
            milestone: None,
            source: None,
            author: author.map(sanitize::clean_line_owned),
            key: false,
            origin: origin.map(sanitize::clean_line_owned).filter(|o| !o.trim().is_empty()),
        })
    }
}

/// The one statement every event is inserted with (prepared once per connection: an import
/// runs it a million times).
const INSERT_EVENT: &str = "INSERT OR IGNORE INTO events
    (incident_id, at, kind, text, author, source, milestone, import_key, key, origin)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// Which events the timeline shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Empty means every kind.
    pub kinds: Vec<EventKind>,
    /// Only events whose text matches these words (full-text search).
    pub text: Option<String>,
    /// Leave out internal events (an observer's console).
    pub hide_internal: bool,
    /// Only the curated timeline's events: key events, milestones, and what was not imported.
    pub curated: bool,
    /// Only the events of this source (one import's lines: `Source::Imported(file)`).
    pub source: Option<Source>,
}

/// The lines of one import (one file name), folded into one row of the curated timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFold {
    pub source: Source,
    pub first: DateTime<Utc>,
    pub lines: i64,
    /// Lines read as alerts (an error, fatal or critical level).
    pub errors: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub inserted: usize,
    /// Events already present from an earlier import of the same file.
    pub duplicates: usize,
    /// Lines that repeat an earlier one of the same import (same instant, same text): folded
    /// into that one event's count.
    pub repeats: usize,
}

pub(super) const COLUMNS: &str = "e.id, e.incident_id, e.at, e.kind, e.text, e.author, e.source, e.milestone, e.version, e.internal, e.key, e.origin, e.repeat_count";
/// How many columns [`COLUMNS`] reads (a query's own columns follow them).
pub(super) const COLUMN_COUNT: usize = 13;

pub(super) fn from_row(r: &Row) -> rusqlite::Result<Event> {
    let kind: String = r.get(3)?;
    let source: String = r.get(6)?;
    let milestone: Option<String> = r.get(7)?;
    Ok(Event {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        at: from_ms(r.get(2)?),
        kind: super::stored::<EventKind>(3, &kind)?,
        text: r.get(4)?,
        author: r.get(5)?,
        source: Source::from_db(&source),
        milestone: super::stored_opt(7, milestone)?,
        version: r.get(8)?,
        internal: r.get(9)?,
        key: r.get(10)?,
        origin: r.get(11)?,
        count: r.get(12)?,
    })
}

/// Turns typed words into a safe FTS5 query: each word quoted, the last one a prefix.
pub fn fts_query(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if terms.is_empty() {
        return None;
    }
    Some(format!("{}*", terms.join(" ")))
}

impl EventFilter {
    /// The WHERE clause (after `e.incident_id = ?`) and its arguments.
    fn clause(&self) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut args = Vec::new();
        if !self.kinds.is_empty() {
            sql.push_str(" AND e.kind IN (");
            sql.push_str(&vec!["?"; self.kinds.len()].join(","));
            sql.push(')');
            args.extend(self.kinds.iter().map(|k| Value::from(k.key().to_string())));
        }
        if self.hide_internal {
            sql.push_str(" AND e.internal = 0");
        }
        if self.curated {
            sql.push_str(" AND (e.key = 1 OR e.milestone IS NOT NULL OR e.source NOT LIKE 'imported:%')");
        }
        if let Some(source) = &self.source {
            sql.push_str(" AND e.source = ?");
            args.push(Value::from(source.to_db()));
        }
        if let Some(q) = self.text.as_deref().and_then(fts_query) {
            sql.push_str(" AND e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)");
            args.push(Value::from(q));
        }
        (sql, args)
    }
}

impl Store {
    pub fn add_event(&self, incident_id: i64, new: &NewEvent) -> Result<i64> {
        self.add_event_marked(incident_id, new, &Marks::default())
    }

    /// [`Store::add_event`], a key event or with an origin as `marks` say.
    pub fn add_event_marked(&self, incident_id: i64, new: &NewEvent, marks: &Marks) -> Result<i64> {
        self.write(|conn| {
            self.require_incident(conn, incident_id)?;
            let before = super::incidents::Ends::of(conn, incident_id)?;
            let id = self
                .insert_marked(conn, incident_id, new, None, marks)?
                .expect("a plain insert always inserts");
            if marks.internal {
                conn.execute("UPDATE events SET internal = 1 WHERE id = ?", [id])?;
            }
            self.status_follows_milestones(conn, incident_id, before)?;
            Ok(id)
        })
    }

    /// Adds an event marked internal (`debrief log --internal`), in one transaction.
    pub fn add_internal_event(&self, incident_id: i64, new: &NewEvent) -> Result<i64> {
        let marks = Marks {
            internal: true,
            ..Marks::default()
        };
        self.add_event_marked(incident_id, new, &marks)
    }

    /// Marks an event internal (left out for outsiders, hidden from observers) or not.
    pub fn set_event_internal(&self, event_id: i64, version: i64, internal: bool) -> Result<Event> {
        self.write(|conn| {
            check_version(conn, "events", "event", event_id, version)?;
            conn.execute(
                "UPDATE events SET internal = ? WHERE id = ?",
                params![internal, event_id],
            )?;
            let incident: i64 =
                conn.query_row("SELECT incident_id FROM events WHERE id = ?", [event_id], |r| r.get(0))?;
            let op = if internal { "internal" } else { "shared" };
            self.record(conn, Some(incident), "event", event_id, op, "")?;
            Ok(())
        })?;
        self.event(event_id)
    }

    /// Inserts one event; with an import key, an event already imported is skipped (`None`).
    pub(crate) fn insert_event(
        &self,
        conn: &Connection,
        incident_id: i64,
        new: &NewEvent,
        import_key: Option<&str>,
    ) -> Result<Option<i64>> {
        self.insert_marked(conn, incident_id, new, import_key, &Marks::default())
    }

    /// [`Store::insert_event`] with its [`Marks`].
    pub(crate) fn insert_marked(
        &self,
        conn: &Connection,
        incident_id: i64,
        new: &NewEvent,
        import_key: Option<&str>,
        marks: &Marks,
    ) -> Result<Option<i64>> {
        let row = ReadyRow::new(new.clone(), marks)?;
        let mut insert = conn.prepare_cached(INSERT_EVENT)?;
        let Some(id) = self.insert_ready(conn, &mut insert, incident_id, &row, None, import_key)? else {
            return Ok(None);
        };
        if import_key.is_none() {
            self.record(conn, Some(incident_id), "event", id, "create", &row.text)?;
        }
        Ok(Some(id))
    }

    /// Binds one ready row to the insert statement (`source` is the import's, for a row that
    /// leaves its own out) and runs it; `None` when its import key is already stored.
    fn insert_ready(
        &self,
        conn: &Connection,
        insert: &mut rusqlite::Statement<'_>,
        incident_id: i64,
        row: &ReadyRow,
        source: Option<&str>,
        import_key: Option<&str>,
    ) -> Result<Option<i64>> {
        let inserted = insert.execute(params![
            incident_id,
            row.at,
            row.kind,
            row.text,
            row.author.as_deref().unwrap_or(&self.author),
            row.source.as_deref().or(source),
            row.milestone,
            import_key,
            row.key,
            row.origin
        ])?;
        Ok((inserted > 0).then(|| conn.last_insert_rowid()))
    }

    pub fn event(&self, id: i64) -> Result<Event> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM events e WHERE e.id = ?"),
                [id],
                from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound { what: "event", id })
    }

    pub fn count_events(&self, incident_id: i64, filter: &EventFilter) -> Result<i64> {
        let (clause, mut args) = filter.clause();
        args.insert(0, incident_id.into());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT count(*) FROM events e WHERE e.incident_id = ?{clause}"
        ))?;
        Ok(stmt.query_row(params_from_iter(args), |r| r.get(0))?)
    }

    /// Events `offset .. offset + limit` in time order: what one screen of the timeline draws.
    pub fn events_window(&self, incident_id: i64, filter: &EventFilter, offset: i64, limit: i64) -> Result<Vec<Event>> {
        self.window(incident_id, filter, "e.at, e.id", offset, limit)
    }

    /// `limit` filtered events from `offset` in the given order.
    fn window(
        &self,
        incident_id: i64,
        filter: &EventFilter,
        order: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let (clause, mut args) = filter.clause();
        args.insert(0, incident_id.into());
        args.push(limit.into());
        args.push(offset.into());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events e WHERE e.incident_id = ?{clause} ORDER BY {order} LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt.query_map(params_from_iter(args), from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// [`Store::events_window`] for a timeline of `total` events: a window in the later half is
    /// read backwards from the end, so that the cost of skipping rows (`OFFSET` walks the
    /// index) is the distance to the nearer end, and the last page is as cheap as the first.
    pub fn events_window_of(
        &self,
        incident_id: i64,
        filter: &EventFilter,
        offset: i64,
        limit: i64,
        total: i64,
    ) -> Result<Vec<Event>> {
        let offset = offset.max(0);
        if offset <= total / 2 || limit <= 0 {
            return self.events_window(incident_id, filter, offset, limit);
        }
        let end = offset.saturating_add(limit).min(total);
        let count = end - offset;
        if count <= 0 {
            return Ok(Vec::new());
        }
        let mut rows = self.window(incident_id, filter, "e.at DESC, e.id DESC", total - end, count)?;
        rows.reverse();
        Ok(rows)
    }

    /// Each import's lines as one fold (by file name), in time order; a line repeated ×80
    /// counts 80 lines (and 80 errors when it is one).
    pub fn import_folds(&self, incident_id: i64) -> Result<Vec<ImportFold>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, min(at), sum(repeat_count), sum((kind = 'alert') * repeat_count) FROM events
             WHERE incident_id = ? AND source LIKE 'imported:%' GROUP BY source ORDER BY 2, 1",
        )?;
        let rows = stmt.query_map([incident_id], |r| {
            Ok(ImportFold {
                source: Source::from_db(&r.get::<_, String>(0)?),
                first: from_ms(r.get(1)?),
                lines: r.get(2)?,
                errors: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn all_events(&self, incident_id: i64) -> Result<Vec<Event>> {
        self.events_window(incident_id, &EventFilter::default(), 0, i64::MAX)
    }

    /// Every event of the incident in time order, one at a time: `each` sees each row as it is
    /// read, so that a timeline of a million events is never held in memory at once (`show`).
    pub fn for_each_event<E: From<StoreError>>(
        &self,
        incident_id: i64,
        mut each: impl FnMut(Event) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events e WHERE e.incident_id = ? ORDER BY e.at, e.id"
            ))
            .map_err(|e| E::from(e.into()))?;
        let rows = stmt.query_map([incident_id], from_row).map_err(|e| E::from(e.into()))?;
        for row in rows {
            each(row.map_err(|e| E::from(e.into()))?)?;
        }
        Ok(())
    }

    /// Where an event stands in the filtered timeline (to keep a selection on it).
    pub fn event_position(&self, incident_id: i64, filter: &EventFilter, event_id: i64) -> Result<Option<i64>> {
        let Some((at, _)) = self.event_key(event_id)? else {
            return Ok(None);
        };
        let (clause, mut args) = filter.clause();
        args.insert(0, incident_id.into());
        args.push(at.into());
        args.push(at.into());
        args.push(event_id.into());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT count(*) FROM events e WHERE e.incident_id = ?{clause} AND (e.at < ? OR (e.at = ? AND e.id < ?))"
        ))?;
        Ok(Some(stmt.query_row(params_from_iter(args), |r| r.get(0))?))
    }

    fn event_key(&self, event_id: i64) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn
            .query_row("SELECT at, id FROM events WHERE id = ?", [event_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// The next (or previous) event after `from_event` whose text matches `words`, within the filter.
    pub fn next_match(
        &self,
        incident_id: i64,
        filter: &EventFilter,
        words: &str,
        from_event: Option<i64>,
        forward: bool,
    ) -> Result<Option<Event>> {
        let Some(q) = fts_query(words) else {
            return Ok(None);
        };
        let (clause, mut args) = filter.clause();
        args.insert(0, incident_id.into());
        args.push(q.into());
        let mut sql = format!(
            "SELECT {COLUMNS} FROM events e WHERE e.incident_id = ?{clause}
             AND e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)"
        );
        if let Some((at, id)) = from_event.map(|id| self.event_key(id)).transpose()?.flatten() {
            let op = if forward { ">" } else { "<" };
            sql.push_str(&format!(" AND (e.at {op} ? OR (e.at = ? AND e.id {op} ?))"));
            args.extend([Value::from(at), Value::from(at), Value::from(id)]);
        }
        sql.push_str(if forward {
            " ORDER BY e.at, e.id LIMIT 1"
        } else {
            " ORDER BY e.at DESC, e.id DESC LIMIT 1"
        });
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row(params_from_iter(args), from_row).optional()?)
    }

    pub fn count_matches(&self, incident_id: i64, filter: &EventFilter, words: &str) -> Result<i64> {
        let mut f = filter.clone();
        f.text = Some(words.to_string());
        if fts_query(words).is_none() {
            return Ok(0);
        }
        self.count_events(incident_id, &f)
    }

    pub fn first_event_time(&self, incident_id: i64) -> Result<Option<DateTime<Utc>>> {
        let t: Option<i64> =
            self.conn
                .query_row("SELECT min(at) FROM events WHERE incident_id = ?", [incident_id], |r| {
                    r.get(0)
                })?;
        Ok(t.map(from_ms))
    }

    pub fn last_event_time(&self, incident_id: i64) -> Result<Option<DateTime<Utc>>> {
        let t: Option<i64> =
            self.conn
                .query_row("SELECT max(at) FROM events WHERE incident_id = ?", [incident_id], |r| {
                    r.get(0)
                })?;
        Ok(t.map(from_ms))
    }

    /// Saves time, kind, text and milestone of an event read at `event.version`.
    pub fn update_event(&self, event: &Event) -> Result<Event> {
        let text = sanitize::clean(event.text.trim_end());
        if text.trim().is_empty() {
            return Err(StoreError::Invalid("an event needs some text".into()));
        }
        crate::model::time::check_stored(event.at).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let was = self.event(event.id)?;
        self.write(|conn| {
            check_version(conn, "events", "event", event.id, event.version)?;
            let before = super::incidents::Ends::of(conn, event.incident_id)?;
            conn.execute(
                "UPDATE events SET at = ?, kind = ?, text = ?, milestone = ? WHERE id = ?",
                params![
                    to_ms(event.at),
                    event.kind.key(),
                    text,
                    event.milestone.map(|m| m.key()),
                    event.id
                ],
            )?;
            let milestone = |m: Option<crate::model::Milestone>| m.map(|m| m.key().to_string()).unwrap_or_default();
            let name: String = text.chars().take(60).collect();
            let detail = Store::changes(
                &name,
                &[
                    ("time", was.at.to_rfc3339(), event.at.to_rfc3339()),
                    ("kind", was.kind.key().into(), event.kind.key().into()),
                    ("text", was.text.clone(), text.clone()),
                    ("milestone", milestone(was.milestone), milestone(event.milestone)),
                ],
            );
            self.record(conn, Some(event.incident_id), "event", event.id, "update", &detail)?;
            self.status_follows_milestones(conn, event.incident_id, before)?;
            Ok(())
        })?;
        self.event(event.id)
    }

    /// Marks the event read at `version` as a key event, or unmarks it.
    pub fn set_key(&self, event_id: i64, version: i64, key: bool) -> Result<Event> {
        let e = self.event(event_id)?;
        self.write(|conn| {
            check_version(conn, "events", "event", event_id, version)?;
            conn.execute("UPDATE events SET key = ? WHERE id = ?", params![key, event_id])?;
            let op = if key { "key" } else { "unkey" };
            self.record(conn, Some(e.incident_id), "event", event_id, op, &e.text)?;
            Ok(())
        })?;
        self.event(event_id)
    }

    pub fn set_milestone(&self, event_id: i64, version: i64, milestone: Option<Milestone>) -> Result<Event> {
        let mut e = self.event(event_id)?;
        e.version = version;
        e.milestone = milestone;
        self.update_event(&e)
    }

    /// Deletes the event read at `version`; returns it as it was stored, for undo.
    pub fn delete_event(&self, event_id: i64, version: i64) -> Result<super::Removed> {
        let e = self.event(event_id)?;
        self.write(|conn| {
            check_version(conn, "events", "event", event_id, version)?;
            let removed = super::removed::capture(conn, "events", "event", event_id)?;
            let before = super::incidents::Ends::of(conn, e.incident_id)?;
            conn.execute("DELETE FROM events WHERE id = ?", [event_id])?;
            self.record(conn, Some(e.incident_id), "event", event_id, "delete", &e.text)?;
            self.status_follows_milestones(conn, e.incident_id, before)?;
            Ok(removed)
        })
    }

    /// Whether the incident already holds an event imported with this key (see
    /// `ImportedEvent::key`): an import preview counts what is new without writing.
    pub fn is_imported(&self, incident_id: i64, key: &str) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE incident_id = ? AND import_key = ?)")?;
        Ok(stmt.query_row(params![incident_id, key], |r| r.get(0))?)
    }

    /// Whether the incident holds any imported event (when not, a preview need not look up
    /// each line's key).
    pub fn has_imported(&self, incident_id: i64) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE incident_id = ? AND import_key IS NOT NULL)")?;
        Ok(stmt.query_row([incident_id], |r| r.get(0))?)
    }

    /// Runs an import in one transaction: `feed` pushes events into the sink it is given; any
    /// error from it (or from the store) rolls everything back. Events already imported (same
    /// time and text) are skipped, so importing a file twice adds nothing.
    pub fn import_events<R, E: From<StoreError>>(
        &self,
        incident_id: i64,
        label: &str,
        feed: impl FnOnce(&mut dyn FnMut(NewEvent, &str) -> Result<(), E>) -> Result<R, E>,
    ) -> Result<(R, ImportOutcome), E> {
        self.import_marked(incident_id, label, |sink| {
            feed(&mut |ev: NewEvent, key: &str| sink(ev, key, Marks::default()))
        })
    }

    /// [`Store::import_events`], each event with its [`Marks`] (an imported line's origin).
    pub fn import_marked<R, E: From<StoreError>>(
        &self,
        incident_id: i64,
        label: &str,
        feed: impl FnOnce(&mut dyn FnMut(NewEvent, &str, Marks) -> Result<(), E>) -> Result<R, E>,
    ) -> Result<(R, ImportOutcome), E> {
        let feed = |sink: &mut dyn FnMut(&ReadyRow, &str) -> Result<(), E>| {
            feed(&mut |ev: NewEvent, key: &str, marks: Marks| sink(&ReadyRow::new(ev, &marks)?, key))
        };
        self.import_rows(incident_id, label, feed, || Ok(()))
    }

    /// [`Store::import_marked`] of rows made ready (on the thread that read them): the writer
    /// only binds and inserts. A row without a source of its own takes `imported:<label>`.
    /// `last_word` is asked once more after the rows and the search index are written, just
    /// before the commit: an error there (a cancel that came during the index) rolls back.
    pub fn import_rows<R, E: From<StoreError>>(
        &self,
        incident_id: i64,
        label: &str,
        feed: impl FnOnce(&mut dyn FnMut(&ReadyRow, &str) -> Result<(), E>) -> Result<R, E>,
        last_word: impl FnOnce() -> Result<(), E>,
    ) -> Result<(R, ImportOutcome), E> {
        // As in `Store::write`: a file no longer at its path takes no import, and an import
        // that raced with the swap is not reported as saved.
        self.check_file().map_err(E::from)?;
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| E::from(e.into()))?;
        let run = || -> Result<(R, ImportOutcome), E> {
            self.require_incident(&self.conn, incident_id)?;
            let bulk = BulkFts::begin(&self.conn)?;
            // An event above the highest id before the import is one it inserted.
            let before = bulk.last;
            let mut outcome = ImportOutcome::default();
            repeats::start(&self.conn)?;
            let source = Source::Imported(label.to_string()).to_db();
            let mut insert = self.conn.prepare_cached(INSERT_EVENT).map_err(|e| E::from(e.into()))?;
            let r = {
                let mut sink = |row: &ReadyRow, key: &str| -> Result<(), E> {
                    let conn = &self.conn;
                    match self.insert_ready(conn, &mut insert, incident_id, row, Some(&source), Some(key))? {
                        Some(_) => outcome.inserted += 1,
                        None => repeats::seen_again(conn, key)?,
                    }
                    Ok(())
                };
                feed(&mut sink)?
            };
            drop(insert);
            (outcome.duplicates, outcome.repeats) = repeats::fold(&self.conn, incident_id, before)?;
            bulk.finish(&self.conn, outcome.inserted)?;
            self.record(
                &self.conn,
                Some(incident_id),
                "incident",
                incident_id,
                "import",
                &format!(
                    "{} from {}",
                    crate::model::counted(outcome.inserted, "event"),
                    sanitize::clean_line(label)
                ),
            )?;
            last_word()?;
            Ok((r, outcome))
        };
        match run() {
            Ok(v) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => self.check_file().map(|()| v).map_err(E::from),
                Err(e) => {
                    // A commit that fails (disk full, I/O error) leaves the transaction open.
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(E::from(e.into()))
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// Repeated lines of one import: an event's import key seen again (a line of this file repeated,
/// or one an earlier import holds) is counted in a temporary table, key → times (on disk, like
/// any temporary table here: memory stays bounded whatever the file), and at the end each such
/// event's count becomes the larger of its stored count and the times this import saw it.
/// An import that adds nothing new never adds to a count: the same file imported twice keeps it.
mod repeats {
    use super::Result;
    use rusqlite::{Connection, params};

    /// Empties the table of keys seen again.
    pub(super) fn start(conn: &Connection) -> Result<()> {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_repeats (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
             DELETE FROM temp.import_repeats;",
        )?;
        Ok(())
    }

    /// A line whose key the incident already holds.
    pub(super) fn seen_again(conn: &Connection, key: &str) -> Result<()> {
        conn.prepare_cached(
            "INSERT INTO temp.import_repeats (key, n) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1",
        )?
        .execute([key])?;
        Ok(())
    }

    /// Sets the counts (the larger of the stored one and this import's), and returns how many
    /// events an earlier import held and how many lines were repeats folded into a count.
    pub(super) fn fold(conn: &Connection, incident_id: i64, before: i64) -> Result<(usize, usize)> {
        conn.execute(
            "UPDATE events SET repeat_count = max(repeat_count, r.n + (events.id > ?1))
             FROM temp.import_repeats r WHERE events.incident_id = ?2 AND events.import_key = r.key",
            params![before, incident_id],
        )?;
        let (already, again): (i64, i64) = conn.query_row(
            "SELECT coalesce(sum(e.id <= ?1), 0), coalesce(sum(r.n), 0) FROM temp.import_repeats r
             JOIN events e ON e.incident_id = ?2 AND e.import_key = r.key",
            params![before, incident_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        conn.execute("DELETE FROM temp.import_repeats", [])?;
        Ok((already as usize, (again - already) as usize))
    }
}

/// The full-text index of an import's rows, built in one statement at its end instead of by
/// the insert trigger row by row (#15): a row whose insert fires the trigger needs a statement
/// journal of its own, which cost more than the row. Inside the import's transaction the
/// trigger is dropped and then created again from its stored text, so readers and a
/// rolled-back (failed, cancelled, killed) import never see the schema without it.
pub(super) struct BulkFts {
    /// The highest event id before the import.
    pub(super) last: i64,
    /// The trigger's `CREATE TRIGGER` text (none in a database without it).
    trigger: Option<String>,
}

impl BulkFts {
    const TRIGGER: &str = "events_fts_insert";
    /// FTS5's `automerge` while an import builds its index, and FTS5's default.
    const BULK_MERGE: i64 = 16;
    const DEFAULT_MERGE: i64 = 4;
    /// From this many rows, FTS5's `hashsize` while an import builds its index; its default.
    const LARGE: usize = 1 << 18;
    const LARGE_HASH: i64 = 8 << 20;
    const DEFAULT_HASH: i64 = 1 << 20;

    /// Notes the highest event id and drops the insert trigger.
    pub(super) fn begin(conn: &Connection) -> Result<BulkFts> {
        let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?",
                [Self::TRIGGER],
                |r| r.get(0),
            )
            .optional()?;
        if sql.is_some() {
            conn.execute_batch(&format!("DROP TRIGGER {}", Self::TRIGGER))?;
        }
        Ok(BulkFts { last, trigger: sql })
    }

    /// Indexes the `rows` added since [`BulkFts::begin`] and puts the trigger back.
    pub(super) fn finish(self, conn: &Connection, rows: usize) -> Result<()> {
        let (Some(sql), last) = (self.trigger, self.last) else {
            return Ok(());
        };
        // FTS5 keeps new terms in memory up to its hash size (1 MiB), writes them as a segment,
        // and merges segments as they pile up, `automerge` at a time (4): at a million lines
        // that is the same entries rewritten level after level, and it grows faster than the
        // lines do. The import builds with larger steps: sixteen segments merged at once, and
        // for a large import (from 256k rows) segments of 8 MiB, so that a million lines make
        // few enough to need no merge (peak memory stays under 40 MB). Measured at 1M lines:
        // the build took 2.5 s with FTS5's settings, 1.8 s merging sixteen, 1.6 s with both;
        // searches of the result were as fast. The table's own settings (rows of
        // events_fts_config, absent for FTS5's defaults) are put back for later writes.
        let mut settings = vec![("automerge", Self::BULK_MERGE, Self::DEFAULT_MERGE)];
        if rows >= Self::LARGE {
            settings.push(("hashsize", Self::LARGE_HASH, Self::DEFAULT_HASH));
        }
        let set = |key: &str, value: Value| {
            conn.execute(
                "INSERT INTO events_fts (events_fts, rank) VALUES (?, ?)",
                params![key, value],
            )
        };
        let mut before = Vec::with_capacity(settings.len());
        for (key, bulk, _) in &settings {
            // As stored (a value set by hand may be text): put back as it was.
            let had: Option<Value> = conn
                .query_row("SELECT v FROM events_fts_config WHERE k = ?", [key], |r| r.get(0))
                .optional()?;
            before.push(had);
            set(key, Value::Integer(*bulk))?;
        }
        conn.execute(
            "INSERT INTO events_fts (rowid, text) SELECT id, text FROM events WHERE id > ?",
            [last],
        )?;
        for ((key, _, default), had) in settings.iter().zip(before) {
            match had {
                Some(Value::Integer(n)) => {
                    set(key, Value::Integer(n))?;
                }
                // FTS5's default in its own copy (it reads a value it cannot use as its
                // default too), then the row as it was: none, or what was written by hand.
                other => {
                    set(key, Value::Integer(*default))?;
                    match other {
                        None => conn.execute("DELETE FROM events_fts_config WHERE k = ?", [key])?,
                        Some(v) => conn.execute("UPDATE events_fts_config SET v = ? WHERE k = ?", params![v, key])?,
                    };
                }
            }
        }
        conn.execute_batch(&sql)?;
        Ok(())
    }
}
