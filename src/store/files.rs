//! The database files this process has open, and the rule that keeps SQLite's locks on them.
//!
//! SQLite guards its files with POSIX advisory locks, and POSIX drops every lock a process holds
//! on a file as soon as the process closes *any* descriptor of that file ("How To Corrupt An
//! SQLite Database File", section 2.2). So while a connection is open, nothing else in this
//! process may open the database, its `-wal` or its `-shm` with `std::fs`: not a header check for a
//! second `Store::open` (the import thread, another console of the SSH server), not an import or
//! an export that a user pointed at the database by mistake. Every connection is registered here
//! by device and inode, and every raw open of a user-named file asks [`refuse_if_open`] first.

use std::fs::Metadata;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A file as the kernel knows it: the same file under any name, symlink or hard link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The file a path names now (following symlinks), if there is one.
    pub fn of(path: &Path) -> Option<FileId> {
        std::fs::metadata(path).ok().map(|m| FileId::from_meta(&m))
    }

    pub fn from_meta(m: &std::fs::Metadata) -> FileId {
        FileId {
            dev: m.dev(),
            ino: m.ino(),
        }
    }
}

struct Entry {
    id: FileId,
    /// The path the database was opened by, to find its side files.
    path: PathBuf,
    connections: usize,
}

static OPEN: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// The registry, locked. `Store::open` holds it from its header check until its connection is
/// registered, so no thread of this process opens a connection in between.
pub struct Registry(MutexGuard<'static, Vec<Entry>>);

pub fn registry() -> Registry {
    // A panic elsewhere while the lock was held leaves the list itself consistent.
    Registry(OPEN.lock().unwrap_or_else(|p| p.into_inner()))
}

impl Registry {
    /// Whether this process already has a connection to the file.
    pub fn is_open(&self, id: FileId) -> bool {
        self.0.iter().any(|e| e.id == id)
    }

    /// Counts one more connection to the file; the returned value counts it down when dropped.
    pub fn register(&mut self, id: FileId, path: &Path) -> Registration {
        match self.0.iter_mut().find(|e| e.id == id) {
            Some(e) => e.connections += 1,
            None => self.0.push(Entry {
                id,
                path: path.to_path_buf(),
                connections: 1,
            }),
        }
        Registration { id }
    }
}

/// One connection's place in the registry. It must be dropped after the connection is closed
/// (declared after it in `Store`), so the file is never unguarded while SQLite holds locks on it.
#[derive(Debug)]
pub struct Registration {
    id: FileId,
}

impl Registration {
    pub fn id(&self) -> FileId {
        self.id
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut open = registry();
        if let Some(i) = open.0.iter().position(|e| e.id == self.id) {
            open.0[i].connections -= 1;
            if open.0[i].connections == 0 {
                open.0.swap_remove(i);
            }
        }
    }
}

/// The side files SQLite keeps beside a database.
pub const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

pub fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Refuses to let a user-named file be opened with `std::fs` (read or written) when it is a
/// database this process has open, or one of its side files: closing that descriptor would drop
/// SQLite's locks (and writing it would corrupt the database). Paths that do not exist are fine.
pub fn refuse_if_open(path: &Path) -> std::io::Result<()> {
    let Some(id) = FileId::of(path) else {
        return Ok(());
    };
    let open = registry();
    for entry in open.0.iter() {
        if entry.id == id {
            return Err(in_use(path, "the database debrief has open"));
        }
        for suffix in SIDE_FILES {
            if FileId::of(&side_file(&entry.path, suffix)) == Some(id) {
                return Err(in_use(path, &format!("the open database's {suffix} file")));
            }
        }
    }
    Ok(())
}

fn in_use(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} is {what}; debrief never reads or writes it as an ordinary file",
            crate::model::sanitize::clean_line(&path.display().to_string())
        ),
    )
}

/// Why a file could not be read, in words (without the "os error" number).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Where an export may go, found by [`check_target`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The file that is replaced (or created): the path itself, or the regular file a symbolic
    /// link at the path points to (the link stays, and now points to the new content).
    pub file: PathBuf,
    /// The permission bits of the file replaced; `None` for a new file.
    pub mode: Option<u32>,
    /// The owner and group of the file replaced, kept where the system lets us.
    pub owner: Option<(u32, u32)>,
}

fn refused(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// What a file that is not a regular file is, in words.
fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Checks that a file may be written at `path`, before anything is written: its directory
/// exists, and the path is free, a regular file, or a symbolic link to a regular file (written
/// through). A directory, a device node, a FIFO, a socket or a link to one of them is refused
/// with a message naming it, and nothing is changed.
///
/// Every export (the CLI's `export -o`, the console's `x`) is checked here; a new rule about
/// what must never be replaced belongs in this function.
pub fn check_target(path: &Path) -> io::Result<Target> {
    let shown = path.display();
    if path.as_os_str().is_empty() {
        return Err(refused("the path is empty; name a file".into()));
    }
    // The database this process has open, or one of its side files: replacing it would lose the
    // record, and even opening it would drop SQLite's locks (see store::files).
    refuse_if_open(path).map_err(|e| refused(format!("{e}; nothing was written")))?;
    let dir = parent_of(path);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(refused(format!(
                "{} is not a directory; nothing was written",
                dir.display()
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(refused(format!(
                "the directory {} does not exist; nothing was written",
                dir.display()
            )));
        }
        Err(e) => return Err(e),
    }
    let link = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Target {
                file: path.to_path_buf(),
                mode: None,
                owner: None,
            });
        }
        Err(e) => return Err(e),
    };
    let (file, meta) = if link.file_type().is_symlink() {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(refused(format!(
                    "{shown} is a symbolic link to a file that does not exist; nothing was written"
                )));
            }
            Err(e) => return Err(e),
        };
        if !meta.is_file() {
            return Err(refused(format!(
                "{shown} is a symbolic link to {}, not to a regular file; nothing was written",
                kind_of(&meta)
            )));
        }
        (std::fs::canonicalize(path)?, meta)
    } else {
        (path.to_path_buf(), link)
    };
    if meta.is_dir() {
        return Err(refused(format!("{shown} is a directory; add a file name")));
    }
    if !meta.is_file() {
        return Err(refused(format!(
            "{shown} is {}, not a regular file; nothing was written",
            kind_of(&meta)
        )));
    }
    Ok(Target {
        file,
        mode: Some(meta.permissions().mode() & 0o777),
        owner: Some((meta.uid(), meta.gid())),
    })
}

pub(crate) fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_count_down_and_leave() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, b"x").unwrap();
        let id = FileId::of(&path).unwrap();
        let a = registry().register(id, &path);
        let b = registry().register(id, &path);
        assert!(registry().is_open(id));
        assert!(refuse_if_open(&path).is_err());
        drop(a);
        assert!(registry().is_open(id));
        drop(b);
        assert!(!registry().is_open(id));
        assert!(refuse_if_open(&path).is_ok());
    }

    #[test]
    fn side_files_and_links_are_refused_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        std::fs::write(&path, b"x").unwrap();
        std::fs::write(side_file(&path, "-wal"), b"w").unwrap();
        std::os::unix::fs::symlink(&path, dir.path().join("link")).unwrap();
        let _reg = registry().register(FileId::of(&path).unwrap(), &path);
        let err = refuse_if_open(&side_file(&path, "-wal")).unwrap_err();
        assert!(err.to_string().contains("-wal"), "{err}");
        assert!(refuse_if_open(&dir.path().join("link")).is_err());
        assert!(refuse_if_open(&dir.path().join("other")).is_ok());
    }
}
