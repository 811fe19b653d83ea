//! `debrief backup`: a consistent copy of a live database. Copying the file with `cp` while a
//! console writes can tear it, and misses what is still in the -wal ("How To Corrupt An SQLite
//! Database File", 1.2); SQLite's `VACUUM INTO` copies one read transaction, so writers go on.

use super::files;
use super::{Result, SQLITE_HEADER, Store, StoreError, parent_dir};
use rusqlite::{Connection, OpenFlags};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct Backup {
    /// The file written (a symlink's target, when the name given was a symlink).
    pub path: PathBuf,
    pub bytes: u64,
    pub incidents: i64,
}

impl Store {
    /// Writes a consistent copy of this database to `target`, checked before it takes the name:
    /// the copy is made under a new private name beside the target (created exclusively, mode
    /// 0600), checked with `PRAGMA quick_check`, synced, then renamed into place. An existing
    /// target must be a regular file holding a debrief database (or be empty); anything else is
    /// refused and left alone, and so is this database itself or one of its side files.
    pub fn backup(&self, target: &Path) -> Result<Backup> {
        if self.in_memory() {
            return Err(StoreError::Invalid(
                "a database in memory has no file to back up".into(),
            ));
        }
        let shown = super::sanitize_path(target);
        let refuse =
            |why: String| StoreError::Invalid(format!("cannot back up to {shown}: {why}; nothing was written"));
        files::refuse_if_open(target).map_err(|e| refuse(e.to_string()))?;
        let path = existing_target(target).map_err(refuse)?;
        let dir = parent_dir(&path);
        let tmp = tempfile::Builder::new()
            .prefix(".debrief-backup-")
            .tempfile_in(&dir)
            .map_err(|e| refuse(files::io_reason(&e)))?;
        let tmp_path = tmp.path().to_string_lossy().into_owned();
        self.connection()
            .execute("VACUUM INTO ?", [&tmp_path])
            .map_err(|e| refuse(e.to_string()))?;
        let incidents = check_copy(tmp.path()).map_err(refuse)?;
        tmp.as_file().sync_all().map_err(|e| refuse(e.to_string()))?;
        let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
        tmp.persist(&path).map_err(|e| refuse(files::io_reason(&e.error)))?;
        // The new name must survive a crash too.
        let _ = fs::File::open(&dir).and_then(|d| d.sync_all());
        Ok(Backup { path, bytes, incidents })
    }
}

/// The file to replace: the target, or the regular file a symlink there points to. A device, a
/// FIFO, a directory, or a file that is not a debrief database is refused.
fn existing_target(target: &Path) -> std::result::Result<PathBuf, String> {
    let Ok(meta) = fs::metadata(target) else {
        if fs::symlink_metadata(target).is_ok() {
            return Err("it is a symlink to nothing".into());
        }
        return Ok(target.to_path_buf());
    };
    if !meta.is_file() {
        return Err("it exists and is not a regular file".into());
    }
    let path = fs::canonicalize(target).map_err(|e| files::io_reason(&e))?;
    if meta.len() > 0 {
        let mut head = [0u8; 16];
        let read = fs::File::open(&path).and_then(|f| f.take(16).read(&mut head));
        if read.map_err(|e| files::io_reason(&e))? < 16 || &head != SQLITE_HEADER {
            return Err("it exists and is not a database; choose another name".into());
        }
    }
    Ok(path)
}

/// Opens the copy read-only, checks it, and counts its incidents.
fn check_copy(path: &Path) -> std::result::Result<i64, String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| e.to_string())?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("the copy failed its check ({check})"));
    }
    conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))
        .map_err(|e| e.to_string())
}
