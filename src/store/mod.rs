//! The SQLite store: one file, WAL, every write in `BEGIN IMMEDIATE`, optimistic versions.

mod actions;
mod causes;
mod document;
mod events;
mod incidents;
mod people;
pub mod schema;

pub use actions::{ActionFilter, ActionRow, NewAction};
pub use events::{EventFilter, ImportOutcome, NewEvent};
pub use incidents::{IncidentSummary, NewIncident};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use schema::{APPLICATION_ID, CURRENT_VERSION, MIGRATIONS};
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: not a debrief database ({reason}); nothing was changed")]
    NotDebrief { path: String, reason: String },
    #[error(
        "{path}: written by a newer debrief (schema version {found}, this debrief knows up to {ours}); \
         upgrade debrief to open it — nothing was changed"
    )]
    TooNew { path: String, found: i32, ours: i32 },
    #[error("{path}: the database is damaged ({detail}); restore it from a backup")]
    Corrupt { path: String, detail: String },
    #[error("{path}: read-only; debrief needs to write to its database (check the file's permissions)")]
    ReadOnly { path: String },
    #[error(
        "{path}: the directory {dir} is read-only; debrief needs to write its journal files \
         beside the database (check the directory's permissions)"
    )]
    ReadOnlyDir { path: String, dir: String },
    #[error("{path}: the directory {dir} does not exist")]
    MissingDir { path: String, dir: String },
    #[error("{path}: cannot create the database here ({detail})")]
    CannotCreate { path: String, detail: String },
    #[error("unknown incident {0}")]
    UnknownIncident(i64),
    #[error("unknown {what} {id}")]
    NotFound { what: &'static str, id: i64 },
    #[error(
        "conflict: {what} {id} was changed by someone else since you read it \
         (you had version {yours}, it is now at version {theirs})"
    )]
    Conflict {
        what: &'static str,
        id: i64,
        yours: i64,
        theirs: i64,
    },
    #[error("{0}")]
    Invalid(String),
    /// Not `#[from]`: the message already holds SQLite's, so it is not repeated as a source
    /// (a `{:#}` report would print it three times over).
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(e)
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

/// The path a database in memory is shown by.
const IN_MEMORY: &str = ":memory:";

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a presence heartbeat waits: it is best effort.
const PRESENCE_WAIT: Duration = Duration::from_millis(100);

pub struct Store {
    conn: Connection,
    path: PathBuf,
    author: String,
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (or creates, with mode 0600) a debrief database. A file that is not one, or that a
    /// newer debrief wrote, is refused and left exactly as it was.
    pub fn open(path: &Path, author: &str) -> Result<Store> {
        let shown = path.display().to_string();
        if !path.exists() {
            create_new(path)?;
        }
        inspect_existing(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| classify(&shown, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            author: clean_author(author),
        };
        store.configure().map_err(|e| classify_store(&shown, e))?;
        store.migrate().map_err(|e| classify_store(&shown, e))?;
        Ok(store)
    }

    /// A private database in memory, for tests and benchmarks.
    pub fn open_in_memory(author: &str) -> Result<Store> {
        let store = Store {
            conn: Connection::open_in_memory()?,
            path: PathBuf::from(IN_MEMORY),
            author: clean_author(author),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        self.conn.pragma_update(None, "foreign_keys", true)?;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(StoreError::Invalid(format!(
                "cannot switch the database to WAL (it stays in {mode})"
            )));
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(())
    }

    fn migrate(&self) -> Result<()> {
        let path = self.path.display().to_string();
        // Reading the schema here finds a damaged one at open, where the error names the file.
        let _: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        let version: i32 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let app: i32 = self.conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        if version == CURRENT_VERSION && app == APPLICATION_ID {
            // Up to date: no write, so reading commands leave the file (and every other
            // process's `data_version`) alone.
            return Ok(());
        }
        self.write(|conn| {
            let version: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
            if version > CURRENT_VERSION {
                return Err(StoreError::TooNew {
                    path: path.clone(),
                    found: version,
                    ours: CURRENT_VERSION,
                });
            }
            if version == 0 {
                let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
                if tables > 0 {
                    return Err(StoreError::NotDebrief {
                        path: path.clone(),
                        reason: "it holds other tables".into(),
                    });
                }
            } else if app != APPLICATION_ID {
                return Err(StoreError::NotDebrief {
                    path: path.clone(),
                    reason: "another application's SQLite file".into(),
                });
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                conn.execute_batch(sql)?;
                if *sql == schema::CANONICAL_ZONES {
                    schema::canonicalise_zones(conn)?;
                }
                conn.pragma_update(None, "user_version", i as i32 + 1)?;
            }
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            Ok(())
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A private database in memory ([`Store::open_in_memory`]): no other connection can reach it.
    pub fn in_memory(&self) -> bool {
        self.path == Path::new(IN_MEMORY)
    }

    /// Words an error that SQLite raised about the file itself while a command ran (a damaged
    /// page, a file that turned read-only) the way the same problem is worded at open: naming
    /// the file. Other errors are returned as they are.
    pub fn explain(&self, e: StoreError) -> StoreError {
        classify_store(&self.path.display().to_string(), e)
    }

    pub fn author(&self) -> &str {
        &self.author
    }

    pub fn set_author(&mut self, author: &str) {
        self.author = clean_author(author);
    }

    /// Changes whenever another connection commits: cheap to poll for live updates.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    pub fn schema_version(&self) -> Result<i32> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Direct access for queries this module does not offer (tests, benchmarks).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a
    /// second writer waits on the busy timeout instead of failing halfway with SQLITE_BUSY.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(&self.conn) {
            Ok(v) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Records a change with its author and time, and marks the incident as recently active.
    pub(crate) fn record(
        &self,
        conn: &Connection,
        incident_id: Option<i64>,
        entity: &str,
        entity_id: i64,
        op: &str,
        detail: &str,
    ) -> Result<()> {
        let now = now_ms();
        conn.execute(
            "INSERT INTO history (at, author, incident_id, entity, entity_id, op, detail) VALUES (?,?,?,?,?,?,?)",
            params![now, self.author, incident_id, entity, entity_id, op, detail],
        )?;
        if let Some(id) = incident_id {
            conn.execute("UPDATE incidents SET touched_at = ? WHERE id = ?", params![now, id])?;
        }
        Ok(())
    }

    pub fn history(&self, incident_id: i64, entity: Option<(&str, i64)>) -> Result<Vec<crate::model::HistoryEntry>> {
        let (sql, args): (&str, Vec<rusqlite::types::Value>) = match entity {
            Some((e, id)) => (
                "SELECT id, at, author, incident_id, entity, entity_id, op, detail FROM history
                 WHERE incident_id = ? AND entity = ? AND entity_id = ? ORDER BY id",
                vec![incident_id.into(), e.to_string().into(), id.into()],
            ),
            None => (
                "SELECT id, at, author, incident_id, entity, entity_id, op, detail FROM history
                 WHERE incident_id = ? ORDER BY id",
                vec![incident_id.into()],
            ),
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok(crate::model::HistoryEntry {
                id: r.get(0)?,
                at: from_ms(r.get(1)?),
                author: r.get(2)?,
                incident_id: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                op: r.get(6)?,
                detail: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Says this session is looking at an incident; others see it for a few seconds.
    /// Whether an error is "another process holds the write lock" (after the busy timeout).
    pub fn is_busy(e: &StoreError) -> bool {
        matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }

    /// Sets how long a write waits for another process's write before it fails as busy.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(wait)?)
    }

    /// Presence is best effort: a write that would wait behind another process's long write
    /// (an import) gives up after a moment instead of freezing the console for the busy timeout.
    fn briefly<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.conn.busy_timeout(PRESENCE_WAIT)?;
        let result = f();
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        result
    }

    pub fn heartbeat(&self, session: &str, incident_id: Option<i64>) -> Result<()> {
        self.briefly(|| self.heartbeat_now(session, incident_id))
    }

    fn heartbeat_now(&self, session: &str, incident_id: Option<i64>) -> Result<()> {
        self.write(|conn| {
            conn.execute(
                "INSERT INTO presence (session, author, incident_id, seen_at) VALUES (?,?,?,?)
                 ON CONFLICT (session) DO UPDATE SET author = excluded.author,
                   incident_id = excluded.incident_id, seen_at = excluded.seen_at",
                params![session, self.author, incident_id, now_ms()],
            )?;
            conn.execute("DELETE FROM presence WHERE seen_at < ?", params![now_ms() - 60_000])?;
            Ok(())
        })
    }

    pub fn leave(&self, session: &str) -> Result<()> {
        self.briefly(|| {
            self.write(|conn| {
                conn.execute("DELETE FROM presence WHERE session = ?", params![session])?;
                Ok(())
            })
        })
    }

    /// Who else (other sessions) has had this incident open within `within`.
    pub fn present(&self, session: &str, incident_id: i64, within: Duration) -> Result<Vec<String>> {
        let since = now_ms() - within.as_millis() as i64;
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT author FROM presence WHERE incident_id = ? AND session <> ? AND seen_at >= ? ORDER BY author",
        )?;
        let rows = stmt.query_map(params![incident_id, session, since], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The parts of an SQLite file's first page that say whose it is and how long it should be.
struct Header {
    page_size: u64,
    /// The size in pages, when the header's copy of it is valid.
    pages: Option<u64>,
    user_version: i32,
    application_id: i32,
    /// The schema table on page 1 is an empty leaf: no tables, indexes, views or triggers.
    empty_schema: bool,
}

/// Reads the file header by hand (see <https://sqlite.org/fileformat.html>), so that a file can
/// be refused without SQLite opening it: even a read-only connection creates `-wal` and `-shm`
/// files beside a WAL database, and cannot remove them again.
fn read_header(path: &Path, shown: &str) -> Result<Header> {
    let mut buf = Vec::with_capacity(108);
    fs::File::open(path)
        .and_then(|f| f.take(108).read_to_end(&mut buf))
        .map_err(|e| StoreError::CannotCreate {
            path: shown.into(),
            detail: e.to_string(),
        })?;
    if buf.len() < SQLITE_HEADER.len() || &buf[..16] != SQLITE_HEADER {
        return Err(StoreError::NotDebrief {
            path: shown.into(),
            reason: "it is not an SQLite file".into(),
        });
    }
    let damaged = |detail: String| StoreError::Corrupt {
        path: shown.into(),
        detail,
    };
    if buf.len() < 108 {
        return Err(damaged(format!(
            "it is cut short inside its header, at {} bytes",
            buf.len()
        )));
    }
    let be16 = |at: usize| u16::from_be_bytes([buf[at], buf[at + 1]]);
    let be32 = |at: usize| u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]);
    let page_size = match be16(16) {
        1 => 65_536,
        n if n.is_power_of_two() && n >= 512 => u64::from(n),
        n => {
            return Err(damaged(format!("its header names an impossible page size, {n}")));
        }
    };
    let (change_counter, pages, valid_for) = (be32(24), be32(28), be32(92));
    Ok(Header {
        page_size,
        pages: (pages > 0 && change_counter == valid_for).then_some(u64::from(pages)),
        user_version: be32(60) as i32,
        application_id: be32(68) as i32,
        empty_schema: buf[100] == 0x0D && be16(103) == 0,
    })
}

fn side_file_len(path: &Path, suffix: &str) -> u64 {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    fs::metadata(PathBuf::from(name)).map(|m| m.len()).unwrap_or(0)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuses what is not a debrief database, or not one this debrief may write, before SQLite
/// touches it: opening a file read-write can already write to it (roll back a journal, checkpoint
/// a WAL), and opening it at all leaves `-wal` and `-shm` files beside it. Only the header is
/// read here; the migration check repeats the version checks under the write lock.
fn inspect_existing(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| StoreError::CannotCreate {
        path: shown.clone(),
        detail: e.to_string(),
    })?;
    if meta.is_dir() {
        return Err(StoreError::NotDebrief {
            path: shown,
            reason: "it is a directory".into(),
        });
    }
    if meta.len() == 0 {
        return Err(StoreError::NotDebrief {
            path: shown,
            reason: "the file is empty".into(),
        });
    }
    let header = read_header(path, &shown)?;
    if header.application_id != APPLICATION_ID && (header.user_version != 0 || !header.empty_schema) {
        return Err(StoreError::NotDebrief {
            path: shown,
            reason: "another application's SQLite file".into(),
        });
    }
    if header.user_version > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            path: shown,
            found: header.user_version,
            ours: CURRENT_VERSION,
        });
    }
    // Permission bits are checked by hand because root may write anyway, and a file that a
    // team marked read-only must stay as it is. SQLite writes its -wal and -shm files beside
    // the database, so a read-only directory counts too.
    if meta.permissions().readonly() {
        return Err(StoreError::ReadOnly { path: shown });
    }
    let dir = parent_dir(path);
    if fs::metadata(&dir).is_ok_and(|m| m.permissions().readonly()) {
        return Err(StoreError::ReadOnlyDir {
            path: shown,
            dir: dir.display().to_string(),
        });
    }
    // A file shorter than its header says was cut off (a copy that stopped, a full disk). With
    // a WAL or a hot journal beside it, SQLite recovers from that first, so it is left to SQLite.
    if side_file_len(path, "-wal") == 0 && side_file_len(path, "-journal") == 0 {
        let len = fs::metadata(path).map(|m| m.len()).unwrap_or(meta.len());
        let expected = header.pages.map(|p| p * header.page_size);
        if !len.is_multiple_of(header.page_size) || expected.is_some_and(|e| len < e) {
            let said = expected
                .map(|e| format!(" of the {e} its header says"))
                .unwrap_or_default();
            return Err(StoreError::Corrupt {
                path: shown,
                detail: format!("it is cut short: {len} bytes{said}"),
            });
        }
    }
    Ok(())
}

/// Creates a new database so that it appears whole or not at all: it is built and migrated
/// under a temporary name beside its final place, then linked into place. A process killed
/// halfway leaves no empty file that every later run would refuse, and of several processes
/// that create the same database at once, one wins and the others open its file.
fn create_new(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let dir = parent_dir(path);
    let missing = || StoreError::MissingDir {
        path: shown.clone(),
        dir: dir.display().to_string(),
    };
    match fs::metadata(&dir) {
        Err(_) => return Err(missing()),
        Ok(m) if !m.is_dir() => return Err(missing()),
        Ok(m) if m.permissions().readonly() => {
            return Err(StoreError::CannotCreate {
                path: shown,
                detail: format!("the directory {} is read-only", dir.display()),
            });
        }
        Ok(_) => {}
    }
    let cannot = |e: &dyn std::fmt::Display| StoreError::CannotCreate {
        path: shown.clone(),
        detail: e.to_string(),
    };
    let name = path
        .file_name()
        .ok_or_else(|| cannot(&"it names no file"))?
        .to_string_lossy();
    let prefix = format!(".{name}.new-");
    sweep_stale_temporaries(&dir, &prefix);
    let tmp = dir.join(format!("{prefix}{}", std::process::id()));
    remove_with_side_files(&tmp); // left by a killed process that had the same id
    let result = (|| {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| cannot(&e))?;
        {
            let store = Store {
                conn: Connection::open_with_flags(
                    &tmp,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?,
                path: path.to_path_buf(),
                author: String::new(),
            };
            // The journal stays in memory while the file is private; WAL is switched on last,
            // and closing the connection removes the -wal and -shm files again.
            let _: String = store
                .conn
                .pragma_update_and_check(None, "journal_mode", "MEMORY", |r| r.get(0))?;
            store.migrate()?;
            let mode: String = store
                .conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(cannot(&format!("it cannot be switched to WAL (it stays in {mode})")));
            }
        }
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| cannot(&e))?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => {}
            // Another process was first; its database is whole, so it is used.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
            // A file system without hard links: a rename does the same, except that it would
            // replace a database created in the instant since the check.
            Err(_) if !path.exists() => fs::rename(&tmp, path).map_err(|e| cannot(&e))?,
            Err(_) => return Ok(()),
        }
        // The new name itself must survive a crash.
        let _ = fs::File::open(&dir).and_then(|d| d.sync_all());
        Ok(())
    })();
    remove_with_side_files(&tmp);
    result
}

/// Removes what creators killed halfway left: temporary files of this database that nobody has
/// touched for a minute (a live creator is done within a fraction of a second).
fn sweep_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let stale = |m: &fs::Metadata| {
        m.modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60))
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix)
            && entry.metadata().is_ok_and(|m| m.is_file() && stale(&m))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn remove_with_side_files(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

fn classify(path: &str, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(NotADatabase) => StoreError::NotDebrief {
            path: path.into(),
            reason: "it is not an SQLite file".into(),
        },
        Some(DatabaseCorrupt) => StoreError::Corrupt {
            path: path.into(),
            detail: e.to_string(),
        },
        Some(ReadOnly) => StoreError::ReadOnly { path: path.into() },
        Some(CannotOpen) | Some(PermissionDenied) => StoreError::CannotCreate {
            path: path.into(),
            detail: e.to_string(),
        },
        _ => StoreError::Sqlite(e),
    }
}

fn classify_store(path: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(inner) => classify(path, inner),
        other => other,
    }
}

fn clean_author(author: &str) -> String {
    let a = crate::model::sanitize::clean_line(author);
    if a.is_empty() { "unknown".into() } else { a }
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The first and the last millisecond of the years the store accepts
/// ([`STORED_YEARS`](crate::model::time::STORED_YEARS)): 0001-01-01 and 9999-12-31T23:59:59.999Z.
pub const FIRST_MS: i64 = -62_135_596_800_000;
pub const LAST_MS: i64 = 253_402_300_799_999;

/// A stored instant. A row written before times were bounded may hold one beyond the stored
/// years, or beyond chrono's calendar: it reads as the nearest instant in range (saturated), so
/// no arithmetic or zone conversion on it overflows.
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms.clamp(FIRST_MS, LAST_MS)).unwrap_or_default()
}

/// Bumps a row's version if it is still at the one the caller read; tells a conflict otherwise.
pub(crate) fn check_version(
    conn: &Connection,
    table: &'static str,
    what: &'static str,
    id: i64,
    yours: i64,
) -> Result<()> {
    let current: Option<i64> = conn
        .query_row(&format!("SELECT version FROM {table} WHERE id = ?"), [id], |r| r.get(0))
        .optional()?;
    match current {
        None => Err(StoreError::NotFound { what, id }),
        Some(v) if v != yours => Err(StoreError::Conflict {
            what,
            id,
            yours,
            theirs: v,
        }),
        Some(_) => {
            conn.execute(&format!("UPDATE {table} SET version = version + 1 WHERE id = ?"), [id])?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::STORED_YEARS;
    use chrono::{Datelike, TimeZone};

    /// Stored times beyond the stored years (rows written before they were bounded) read as the
    /// nearest instant in range: in every zone, arithmetic on them stays within the calendar.
    #[test]
    fn stored_times_read_within_the_stored_years() {
        let first = Utc.with_ymd_and_hms(*STORED_YEARS.start(), 1, 1, 0, 0, 0).unwrap();
        assert_eq!(to_ms(first), FIRST_MS);
        let last = Utc.with_ymd_and_hms(*STORED_YEARS.end(), 12, 31, 23, 59, 59).unwrap();
        assert_eq!(to_ms(last) + 999, LAST_MS);
        for ms in [i64::MIN, FIRST_MS - 1, to_ms(DateTime::<Utc>::MIN_UTC)] {
            assert_eq!(from_ms(ms), first, "{ms}");
        }
        for ms in [i64::MAX, LAST_MS + 1, to_ms(DateTime::<Utc>::MAX_UTC)] {
            let t = from_ms(ms);
            assert_eq!(to_ms(t), LAST_MS, "{ms}");
            let far_east = t.with_timezone(&chrono_tz::Pacific::Kiritimati) + chrono::Duration::days(1);
            assert_eq!(far_east.year(), 10000);
        }
        assert_eq!(from_ms(1_795_698_600_000).year(), 2026);
    }
}
