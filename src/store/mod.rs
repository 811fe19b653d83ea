//! The SQLite store: one file, WAL, every write in `BEGIN IMMEDIATE`, optimistic versions.

pub mod access;
mod actions;
mod backup;
mod causes;
mod document;
mod events;
pub mod files;
mod incidents;
mod narrative;
mod people;
mod presence;
mod removed;
pub mod schema;
mod span;

pub use actions::{ActionFilter, ActionRow, ActionTimes, NewAction};
pub use backup::Backup;
pub use events::{EventFilter, ImportFold, ImportOutcome, Marks, NewEvent, ReadyRow};
pub use incidents::{IncidentSummary, NewIncident};
pub use presence::{IDLE_AFTER, PRESENCE_GONE, Present};
pub use removed::Removed;

use chrono::{DateTime, Utc};
use files::FileId;
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
    #[error(
        "{path}: on a read-only file system; debrief needs to write to its database (mount it read-write, or copy it elsewhere with `debrief backup`)"
    )]
    ReadOnlyMount { path: String },
    #[error(
        "{path}: on a network file system ({fs}); SQLite's write-ahead log needs the locks and shared \
         memory of a local disk, so the file could be corrupted here: put the database on a local \
         disk (--db or DEBRIEF_DB)"
    )]
    NetworkFs { path: String, fs: &'static str },
    #[error(
        "{path}: the file has {links} hard links; SQLite keeps its journal beside each name, so two \
         names for one database can corrupt it: remove the other names (find / -samefile {path})"
    )]
    HardLinks { path: String, links: u64 },
    #[error(
        "{path}: the database is missing but {files} beside it (it was deleted while open?); a new \
         database there would take in the old file's journal: move {them} away first"
    )]
    StaleSideFiles {
        path: String,
        files: String,
        them: &'static str,
    },
    #[error("{path}: the directory {dir} does not exist")]
    MissingDir { path: String, dir: String },
    #[error("{path}: cannot create the database here ({detail})")]
    CannotCreate { path: String, detail: String },
    #[error(
        "{path} {what}: this session can no longer save (what is on screen stays readable and \
         exportable); nothing after this was saved"
    )]
    FileGone { path: String, what: String },
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
    /// A review cannot be closed while actions are still to do.
    #[error(
        "incident {id} cannot be closed: {} action{} still open ({}); finish them, or mark them \"not doing\" with a reason",
        open.len(),
        if open.len() == 1 { " is" } else { "s are" },
        open.join("; ")
    )]
    OpenActions { id: i64, open: Vec<String> },
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

/// A value in a history detail: quoted, on one line, at most 80 characters.
fn shown(value: &str) -> String {
    if value.is_empty() {
        return "none".into();
    }
    let line = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = line.chars().take(80).collect();
    if cut.len() < line.len() {
        format!("\"{cut}…\"")
    } else {
        format!("\"{line}\"")
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
    gate: WriteGate,
    /// The file the connection has open, as it was when opened, and its write-ahead log.
    file: Option<OpenFile>,
    /// Declared after `conn`, so it is dropped after the connection is closed.
    _registration: Option<files::Registration>,
}

/// What a connection to a file on disk needs to notice that the file it writes is no longer the
/// one at its path.
struct OpenFile {
    id: FileId,
    wal: Option<FileId>,
    shm: Option<FileId>,
    /// Once the file is found gone, it stays gone for this connection: writes that land in an
    /// unlinked file are lost even if a file of that name comes back.
    lost: std::sync::Mutex<Option<String>>,
}

/// How this connection's writes wait for another process's write lock, and what came of them.
struct WriteGate {
    /// The busy timeout writes use ([`Store::set_busy_timeout`]); presence restores it.
    wait: std::cell::Cell<Duration>,
    /// A write was refused because another process held the write lock: nothing of it was
    /// written (see [`Store::take_refused`]).
    refused: std::cell::Cell<bool>,
    /// Transactions committed on this connection.
    commits: std::cell::Cell<u64>,
}

impl Default for WriteGate {
    fn default() -> WriteGate {
        WriteGate {
            wait: std::cell::Cell::new(BUSY_TIMEOUT),
            refused: Default::default(),
            commits: Default::default(),
        }
    }
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Turns off SQLite's count of the memory it uses, once, before its first connection: that
/// count takes a process-wide mutex on every allocation the engine makes (an import makes
/// dozens a row; #15). Nothing here reads the count. Called before every open; after the
/// engine has started (another connection first) SQLite refuses the change and keeps counting,
/// which is only slower.
fn tune_engine() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int, as passed. sqlite3_config is not
        // thread-safe: it must run before any other thread uses SQLite. It does in debrief's
        // binary (the first Store::open, before the console's, the import's or the server's
        // threads start); once the engine has started it returns SQLITE_MISUSE and changes
        // nothing. A process that opens connections of its own on other threads first (tests
        // that use rusqlite directly) gets that harmless refusal at worst.
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
        }
    });
}

impl Store {
    /// Opens (or creates, with mode 0600) a debrief database. A file that is not one, or that a
    /// newer debrief wrote, is refused and left exactly as it was.
    pub fn open(path: &Path, author: &str) -> Result<Store> {
        tune_engine();
        Store::open_as(path, author, None)
    }

    /// Opens another connection to the very file this store has open (for a thread of its own),
    /// never a file that has since taken its name, and never creating one.
    pub fn reopen(&self, author: &str) -> Result<Store> {
        self.check_file()?;
        match &self.file {
            Some(file) => Store::open_as(&self.path, author, Some(file.id)),
            None => Err(StoreError::Invalid(
                "a database in memory cannot be opened twice".into(),
            )),
        }
    }

    fn open_as(path: &Path, author: &str, same_as: Option<FileId>) -> Result<Store> {
        let shown = path.display().to_string();
        let (conn, registration) = {
            // Held until the connection is registered: no other thread of this process opens a
            // connection to the file while its header is read with `std::fs` below.
            let mut open = files::registry();
            if same_as.is_none() && !path.exists() {
                create_new(path)?;
            }
            let id = FileId::of(path);
            if let Some(expected) = same_as
                && id != Some(expected)
            {
                return Err(StoreError::FileGone {
                    path: shown,
                    what: "was deleted or replaced since it was opened".into(),
                });
            }
            match id {
                // This process has the file open already: it was inspected then, and reading its
                // header again would drop the locks SQLite holds on it.
                Some(id) if open.is_open(id) => inspect_existing(path, false)?,
                _ => inspect_existing(path, true)?,
            }
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(|e| classify(&shown, e))?;
            // The file SQLite opened: the path is looked at again in case it was swapped meanwhile.
            let id = FileId::of(path).ok_or_else(|| StoreError::FileGone {
                path: shown.clone(),
                what: "was deleted while it was being opened".into(),
            })?;
            (conn, open.register(id, path))
        };
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            author: clean_author(author),
            gate: WriteGate::default(),
            file: None,
            _registration: None,
        };
        let id = registration.id();
        store._registration = Some(registration);
        store.configure().map_err(|e| classify_store(&shown, e))?;
        store.migrate().map_err(|e| classify_store(&shown, e))?;
        // The first read has opened the write-ahead log; it lives as long as any connection.
        store.file = Some(OpenFile {
            id,
            wal: FileId::of(&files::side_file(path, "-wal")),
            shm: FileId::of(&files::side_file(path, "-shm")),
            lost: std::sync::Mutex::new(None),
        });
        store.check_file()?;
        Ok(store)
    }

    /// A private database in memory, for tests and benchmarks.
    pub fn open_in_memory(author: &str) -> Result<Store> {
        tune_engine();
        let store = Store {
            conn: Connection::open_in_memory()?,
            path: PathBuf::from(IN_MEMORY),
            author: clean_author(author),
            gate: WriteGate::default(),
            file: None,
            _registration: None,
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
        // Statement journals (an INSERT OR IGNORE that fires the full-text trigger needs one
        // per row) stay in memory: on disk they were most of an import's writes (#15).
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
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

    /// Whether the file this connection writes is still the one at its path: not deleted, not
    /// replaced by another file (`mv`, a restore), its write-ahead log not removed. Two `stat`
    /// calls, cheap enough for every poll and every write. Once lost, always lost.
    pub fn check_file(&self) -> Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let mut lost = file.lost.lock().unwrap_or_else(|p| p.into_inner());
        if lost.is_none() {
            let now = FileId::of(&self.path);
            let wal = FileId::of(&files::side_file(&self.path, "-wal"));
            *lost = if now.is_none() {
                Some("was deleted".to_string())
            } else if now != Some(file.id) {
                Some("was replaced by another file".to_string())
            } else if file.wal.is_some() && wal != file.wal {
                Some("lost its -wal file (removed or replaced)".to_string())
            } else {
                None
            };
            if now != Some(file.id) && lost.is_some() {
                // This connection's -wal and -shm still carry the old file's name: whatever
                // database is next opened at the path would take them in as its own.
                for (suffix, ours) in [("-wal", file.wal), ("-shm", file.shm)] {
                    let side = files::side_file(&self.path, suffix);
                    if ours.is_some() && FileId::of(&side) == ours {
                        let _ = fs::remove_file(side);
                    }
                }
            }
        }
        match &*lost {
            None => Ok(()),
            Some(what) => Err(StoreError::FileGone {
                path: self.path.display().to_string(),
                what: what.clone(),
            }),
        }
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
    ///
    /// A file that is no longer the one at its path (deleted, replaced, its log removed) takes
    /// no write: what went into it would be seen by no one. It is checked before the write and
    /// again after it, so a write that raced with the swap is not reported as saved either.
    ///
    /// A write that finds the lock held past the busy timeout fails before it wrote anything,
    /// and says so through [`Store::take_refused`] (the console retries it without blocking).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.check_file()?;
        if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            let e = StoreError::from(e);
            if Store::is_busy(&e) {
                self.gate.refused.set(true);
            }
            return Err(e);
        }
        match f(&self.conn) {
            Ok(v) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => {
                    self.gate.commits.set(self.gate.commits.get() + 1);
                    self.check_file().map(|()| v)
                }
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
    /// A history detail for an update: the item's name, then each field that changed with its
    /// value before and after (`Cap retries — due: none → 2026-12-10; owner: "" → "Dana"`).
    pub(crate) fn changes(name: &str, fields: &[(&str, String, String)]) -> String {
        let changed: Vec<String> = fields
            .iter()
            .filter(|(_, before, after)| before != after)
            .map(|(field, before, after)| format!("{field}: {} → {}", shown(before), shown(after)))
            .collect();
        if changed.is_empty() {
            format!("{name} — no change")
        } else {
            format!("{name} — {}", changed.join("; "))
        }
    }

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
        // Details quote what changed, file names of imports included: cleaned like all text.
        let detail = crate::model::sanitize::clean(detail);
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

    /// Whether an error is "another process holds the write lock" (after the busy timeout).
    pub fn is_busy(e: &StoreError) -> bool {
        matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }

    /// Sets how long a write waits for another process's write before it fails as busy.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.conn.busy_timeout(wait)?;
        self.gate.wait.set(wait);
        Ok(())
    }

    /// Whether a write since the last call was refused because another process held the write
    /// lock past the busy timeout. Such a write wrote nothing: it can be tried again as it was.
    pub fn take_refused(&self) -> bool {
        self.gate.refused.take()
    }

    /// How many write transactions this connection has committed.
    pub fn commits(&self) -> u64 {
        self.gate.commits.get()
    }

    /// Presence is best effort: a write that would wait behind another process's long write
    /// (an import) gives up after a moment instead of freezing the console for the busy timeout.
    fn briefly<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let (wait, refused) = (self.gate.wait.get(), self.gate.refused.get());
        self.conn.busy_timeout(PRESENCE_WAIT.min(wait))?;
        let result = f();
        self.conn.busy_timeout(wait)?;
        // Presence is best effort: a heartbeat that found the lock held is no refused write.
        self.gate.refused.set(refused);
        result
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
    fs::metadata(files::side_file(path, suffix))
        .map(|m| m.len())
        .unwrap_or(0)
}

/// A path as it may be shown: cleaned of terminal controls.
fn sanitize_path(path: &Path) -> String {
    crate::model::sanitize::clean_line(&path.display().to_string())
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
///
/// With `contents` false only the metadata is looked at, never the file's bytes: that is for a
/// file this process has open already, inspected then, whose locks a `std::fs` read would drop.
fn inspect_existing(path: &Path, contents: bool) -> Result<()> {
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
    let header = if contents {
        Some(read_header(path, &shown)?)
    } else {
        None
    };
    if let Some(header) = &header {
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
    check_file_system(path, &shown)?;
    check_links(path, &shown, &meta)?;
    // A file shorter than its header says was cut off (a copy that stopped, a full disk). With
    // a WAL or a hot journal beside it, SQLite recovers from that first, so it is left to SQLite.
    if let Some(header) = header
        && side_file_len(path, "-wal") == 0
        && side_file_len(path, "-journal") == 0
    {
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

/// Refuses a database on a read-only mount (with a message that says so, not "cannot create") or
/// on a network file system, where SQLite's locks and the WAL's shared memory cannot be trusted
/// ("How To Corrupt An SQLite Database File", 2.1).
fn check_file_system(path: &Path, shown: &str) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Ok(());
    };
    // SAFETY: a valid C string and zeroed out-structures of the right types.
    let (vfs, fs) = unsafe {
        let mut vfs: libc::statvfs = std::mem::zeroed();
        let mut fs: libc::statfs = std::mem::zeroed();
        (
            (libc::statvfs(c_path.as_ptr(), &mut vfs) == 0).then_some(vfs),
            (libc::statfs(c_path.as_ptr(), &mut fs) == 0).then_some(fs),
        )
    };
    if vfs.is_some_and(|v| v.f_flag & libc::ST_RDONLY != 0) {
        return Err(StoreError::ReadOnlyMount { path: shown.into() });
    }
    // f_type is an i64 here, narrower on other targets.
    #[allow(clippy::unnecessary_cast)]
    let magic = fs.map(|fs| fs.f_type as i64);
    if let Some(name) = magic.and_then(network_fs) {
        return Err(StoreError::NetworkFs {
            path: shown.into(),
            fs: name,
        });
    }
    Ok(())
}

/// The network file systems by their magic number (statfs(2)).
fn network_fs(magic: i64) -> Option<&'static str> {
    match magic {
        0x6969 => Some("nfs"),
        0x517B => Some("smb"),
        0xFF53_4D42 => Some("cifs"),
        0xFE53_4D42 => Some("smb2"),
        0x0102_1997 => Some("9p"),
        0x7366_6673 | 0x6B41_4653 => Some("afs"),
        _ => None,
    }
}

/// Refuses a database with more than one name: SQLite names its -wal after the name it was
/// opened by, so two names give two journals for one file ("How To Corrupt", 2.5). A new
/// database has two names for an instant while it is linked into place; that is waited out.
fn check_links(path: &Path, shown: &str, meta: &fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut links = meta.nlink();
    for _ in 0..20 {
        if links <= 1 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(25));
        links = fs::metadata(path).map(|m| m.nlink()).unwrap_or(1);
    }
    if links <= 1 {
        return Ok(());
    }
    // A creator killed between linking the new database into place and removing its temporary
    // name leaves that name behind: it is ours, so it goes, and the file has one name again.
    if let (Some(dir), Some(name), Some(id)) = (path.parent(), path.file_name(), FileId::of(path)) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let prefix = format!(".{}.new-", name.to_string_lossy());
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) && FileId::of(&entry.path()) == Some(id) {
                remove_with_side_files(&entry.path());
            }
        }
        links = fs::metadata(path).map(|m| m.nlink()).unwrap_or(1);
        if links <= 1 {
            return Ok(());
        }
    }
    Err(StoreError::HardLinks {
        path: shown.into(),
        links,
    })
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
        Ok(_) => check_file_system(&dir, &shown)?,
    }
    let cannot = |e: &dyn std::fmt::Display| StoreError::CannotCreate {
        path: shown.clone(),
        detail: e.to_string(),
    };
    let name = path
        .file_name()
        .ok_or_else(|| cannot(&"it names no file"))?
        .to_string_lossy();
    // SQLite takes a -wal or a hot -journal beside a database as that database's own, and would
    // replay the old file's pages into the new one.
    let stale: Vec<String> = files::SIDE_FILES
        .iter()
        .map(|suffix| files::side_file(path, suffix))
        .filter(|side| fs::symlink_metadata(side).is_ok())
        .map(|side| side.file_name().unwrap_or_default().to_string_lossy().into_owned())
        .collect();
    // Looked at after the side files: another process creating the same database links its
    // file into place before it opens it, so side files of a database being created now are
    // always seen together with the database itself, which is then used.
    if !stale.is_empty() {
        if path.exists() {
            return Ok(());
        }
        let them = if stale.len() == 1 { "it" } else { "them" };
        let files = match stale.len() {
            1 => format!("{} is still", stale[0]),
            _ => format!("{} are still", stale.join(" and ")),
        };
        return Err(StoreError::StaleSideFiles {
            path: shown,
            files,
            them,
        });
    }
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
        migrate_new_file(&tmp, path, &shown)?;
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

/// Builds the new database in its private temporary file `tmp`: the schema, then WAL. `path`
/// and `shown` are the database's final place, as stored and as named in errors.
fn migrate_new_file(tmp: &Path, path: &Path, shown: &str) -> Result<()> {
    let store = Store {
        conn: Connection::open_with_flags(tmp, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?,
        path: path.to_path_buf(),
        author: String::new(),
        gate: WriteGate::default(),
        file: None,
        _registration: None,
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
        return Err(StoreError::CannotCreate {
            path: shown.to_string(),
            detail: format!("it cannot be switched to WAL (it stays in {mode})"),
        });
    }
    Ok(())
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
        let _ = fs::remove_file(files::side_file(path, suffix));
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

/// A name stored in a column, read back strictly: a value this debrief does not know (written by a
/// newer debrief, or by hand) is an error that names it, never silently another value (an
/// unknown kind read as a fix, an unknown status as todo).
pub(crate) fn stored<T: std::str::FromStr>(col: usize, text: &str) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e)))
}

/// [`stored`] for a column that may be NULL.
pub(crate) fn stored_opt<T: std::str::FromStr>(col: usize, text: Option<String>) -> rusqlite::Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.map(|t| stored(col, &t)).transpose()
}

/// Bumps a row's version if it is still at the one the caller read; tells a conflict otherwise.
/// The reason stored with a state that needs one (`needed`): cleaned, and refused with
/// `missing` when empty; any other state keeps none.
pub(crate) fn required_reason(needed: bool, reason: &str, missing: &str) -> Result<String> {
    let reason = crate::model::sanitize::clean(reason.trim());
    match needed {
        true if reason.is_empty() => Err(StoreError::Invalid(missing.into())),
        true => Ok(reason),
        false => Ok(String::new()),
    }
}

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

    /// A stored name this debrief does not know (a newer debrief's, a hand edit) is an error
    /// naming it: an unknown action kind once read as a fix, an unknown status as todo.
    #[test]
    fn unknown_stored_names_are_errors_not_defaults() {
        let store = Store::open_in_memory("t").unwrap();
        let id = store
            .create_incident(&NewIncident {
                title: "t".into(),
                severity: crate::model::Severity::Sev2,
                zone: "UTC".into(),
                started_at: None,
            })
            .unwrap();
        store
            .add_action(id, &NewAction::titled("check the pool", crate::model::ActionKind::Fix))
            .unwrap();
        assert_eq!(store.actions(id).unwrap().len(), 1);
        let cases = [
            ("UPDATE actions SET kind = 'bogus'", "bogus"),
            ("UPDATE actions SET kind = 'fix', status = 'parked'", "parked"),
            (
                "UPDATE actions SET status = 'todo', due = 'soon'",
                "input contains invalid characters",
            ),
        ];
        for (sql, named) in cases {
            store.conn.execute_batch(sql).unwrap();
            let err = store.actions(id).unwrap_err().to_string();
            assert!(err.contains(named), "{sql}: {err}");
        }
        store.conn.execute_batch("UPDATE causes SET state = 'maybe'").unwrap();
        assert!(store.causes(id).unwrap_err().to_string().contains("maybe"));
        store
            .conn
            .execute_batch("UPDATE incidents SET status = 'archived'")
            .unwrap();
        assert!(store.incident(id).unwrap_err().to_string().contains("archived"));
    }
}
