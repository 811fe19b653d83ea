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
        let refuse = |why: String| {
            let why = why.trim_end_matches("; nothing was written");
            StoreError::Invalid(format!("cannot back up to {shown}: {why}; nothing was written"))
        };
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

/// The file to replace: the target, or the regular file a symlink there points to, as every
/// export checks it ([`files::check_target`]: devices, FIFOs, directories, the open
/// database refused); an existing file must also hold a database, since a backup is one.
fn existing_target(target: &Path) -> std::result::Result<PathBuf, String> {
    let checked = files::check_target(target).map_err(|e| e.to_string())?;
    if checked.mode.is_some() && fs::metadata(&checked.file).is_ok_and(|m| m.len() > 0) {
        let mut head = [0u8; 16];
        let read = fs::File::open(&checked.file).and_then(|f| f.take(16).read(&mut head));
        if read.map_err(|e| files::io_reason(&e))? < 16 || &head != SQLITE_HEADER {
            return Err("it exists and is not a database; choose another name".into());
        }
    }
    Ok(checked.file)
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
