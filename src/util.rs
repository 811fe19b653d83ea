//! Small helpers shared by the command line and the console.

use std::fs::{File, Metadata};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

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
    crate::store::files::refuse_if_open(path).map_err(|e| refused(format!("{e}; nothing was written")))?;
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

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a file so that a reader never sees half of it, and nothing but the target changes:
/// the target is checked ([`check_target`]); the content goes to a new temporary file beside
/// it, created exclusively under a random name (`O_EXCL`: a link planted there is never
/// followed), given the replaced file's mode (and owner, where allowed; a new file gets the
/// mode the umask gives), synced, renamed over the target, and the directory is synced so the
/// rename survives a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = check_target(path)?;
    let dir = parent_of(&target.file);
    let mut tmp = tempfile::Builder::new()
        .prefix(".debrief-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let mode = target.mode.unwrap_or_else(|| 0o666 & !umask());
    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    if let Some((uid, gid)) = target.owner {
        // Only root may give a file away, and a user only to a group of theirs: best effort.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(uid), Some(gid));
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // A failed rename drops (and so removes) the temporary file.
    tmp.persist(&target.file).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()
}

/// The process's umask, read without changing it (`umask(2)` can only set it, which would race
/// with other threads creating files); 022 when the kernel does not say.
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// Why a file could not be read, in words (it lives with the store, which words its own file
/// errors so).
pub use crate::store::files::io_reason;

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    /// The old code wrote through `.NAME.tmp-PID`, a name anyone could guess and plant a link
    /// at: the victim file was overwritten. Now the temporary name is random and created with
    /// O_EXCL, so a link planted at any name is never followed.
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let planted = dir.path().join(format!(".out.md.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let out = dir.path().join("out.md");
        write_atomically(&out, b"report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "report");
        assert!(std::fs::symlink_metadata(&planted).unwrap().file_type().is_symlink());
        assert_eq!(
            names(dir.path()),
            [
                planted.file_name().unwrap().to_string_lossy().into_owned(),
                "out.md".into(),
                "victim".into()
            ],
            "no temporary file left behind"
        );
    }

    #[test]
    fn fifos_devices_directories_and_links_to_them_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        let err = write_atomically(&fifo, b"x").unwrap_err();
        assert!(
            err.to_string().contains("is a named pipe (FIFO), not a regular file"),
            "{err}"
        );
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

        let to_null = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &to_null).unwrap();
        let err = write_atomically(&to_null, b"x").unwrap_err();
        assert!(
            err.to_string().contains("is a symbolic link to a character device"),
            "{err}"
        );
        assert_eq!(std::fs::read_link(&to_null).unwrap(), Path::new("/dev/null"));

        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let err = write_atomically(&dangling, b"x").unwrap_err();
        assert!(err.to_string().contains("to a file that does not exist"), "{err}");
        assert!(!dir.path().join("nowhere").exists());

        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let err = write_atomically(&sub, b"x").unwrap_err();
        assert!(err.to_string().ends_with("is a directory; add a file name"), "{err}");

        assert_eq!(
            names(dir.path()),
            ["dangling", "null", "pipe", "sub"],
            "nothing else written"
        );
        assert!(std::fs::read_dir(&sub).unwrap().next().is_none());

        let err = check_target(Path::new("")).unwrap_err();
        assert_eq!(err.to_string(), "the path is empty; name a file");

        // /dev/null itself: only checked, never written, in case a regression ran as root.
        let err = check_target(Path::new("/dev/null")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("/dev/null is a character device"), "{err}");
    }

    #[test]
    fn a_link_to_a_regular_file_is_written_through_and_modes_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("real");
        std::fs::create_dir(&real_dir).unwrap();
        let real = real_dir.join("report.md");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("latest.md");
        std::os::unix::fs::symlink("real/report.md", &link).unwrap();

        write_atomically(&link, b"new").unwrap();
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("real/report.md"),
            "the link stays"
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777, 0o600);
        assert_eq!(names(dir.path()), ["latest.md", "real"]);
        assert_eq!(names(&real_dir), ["report.md"]);

        // A plain file keeps its mode too; a new one gets what the umask gives.
        let plain = dir.path().join("plain.md");
        std::fs::write(&plain, "old").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&plain, b"new").unwrap();
        assert_eq!(std::fs::metadata(&plain).unwrap().permissions().mode() & 0o7777, 0o640);
        let fresh = dir.path().join("fresh.md");
        write_atomically(&fresh, b"new").unwrap();
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o666 & !umask()
        );
    }
}
