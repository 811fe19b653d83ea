//! Small helpers shared by the command line and the console.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes a file so that a reader never sees half of it, and nothing but the target changes:
/// the target is checked ([`check_target`]); the content goes to a new temporary file beside
/// it, created exclusively under a random name (`O_EXCL`: a link planted there is never
/// followed), given the replaced file's mode (and owner, where allowed; a new file gets the
/// mode the umask gives), synced, renamed over the target, and the directory is synced so the
/// rename survives a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// [`write_atomically`], the content written by `write` as it is made (through a buffer): a
/// large export is never held in memory whole. When `write` fails, the target is left as it was.
pub fn write_atomically_with<T, E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, E> {
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
    let made = {
        let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut tmp);
        let made = write(&mut buffered)?;
        buffered.flush()?;
        made
    };
    tmp.as_file().sync_all()?;
    // A failed rename drops (and so removes) the temporary file.
    tmp.persist(&target.file).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()?;
    Ok(made)
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

use crate::store::files::parent_of;
/// Why a file could not be read, in words (it lives with the store, which words its own file
/// errors so).
pub use crate::store::files::{Target, check_target, io_reason};

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::FileTypeExt;

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
