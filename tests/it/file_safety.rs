//! The database file itself: SQLite's locks kept while this process opens the file again, a file
//! deleted or replaced under an open session, and consistent copies (`debrief backup`).
//! The checklist behind these is SQLite's "How To Corrupt An SQLite Database File".

use crate::support::pty::{self, Console, Workspace, assert_integrity};
use debrief::store::files::side_file;
use debrief::store::{Store, StoreError};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

/// This process's POSIX locks on a file, as the kernel lists them in /proc/locks.
///
/// /proc/locks lists every lock on the machine and comes a page per read(2), each page a new
/// walk of a list that other processes change meanwhile (the other tests of this binary take
/// and drop locks all the time): a line can come twice or not at all. Our own locks on this
/// file do not change while we look, so the listing is read until two readings agree.
fn my_locks(path: &Path) -> Vec<String> {
    let ino = std::fs::metadata(path).unwrap().ino();
    let pid = std::process::id().to_string();
    let read = || {
        let mut locks: Vec<String> = std::fs::read_to_string("/proc/locks")
            .unwrap()
            .lines()
            .filter(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                // "1: POSIX  ADVISORY  READ 1234 fd:01:5678 128 128"
                f.len() >= 6 && f[1] == "POSIX" && f[4] == pid && f[5].ends_with(&format!(":{ino}"))
            })
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .collect();
        // One owner's locks on one range are one lock: a line seen twice is the walk's echo.
        locks.sort();
        locks.dedup();
        locks
    };
    let mut last = read();
    for _ in 0..100 {
        let now = read();
        if now == last {
            return now;
        }
        last = now;
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("/proc/locks never read the same twice for {}: {last:?}", path.display());
}

fn shm(db: &Path) -> std::path::PathBuf {
    side_file(db, "-shm")
}

/// Defect 1, race-free: opening the same database a second time in one process (the console's
/// import thread, another console of the SSH server) must not drop the locks SQLite holds for
/// the first connection. Closing any descriptor of a file drops all of a process's POSIX locks
/// on it, so a header read with `std::fs` did exactly that.
#[test]
fn a_second_open_in_one_process_keeps_the_first_connections_locks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let first = Store::open(&db, "alice").unwrap();
    first.incidents().unwrap();
    let before = (my_locks(&db), my_locks(&shm(&db)));
    assert!(
        !before.0.is_empty() && !before.1.is_empty(),
        "an open WAL connection holds locks on the database and its -shm: {before:?}"
    );

    let second = Store::open(&db, "bob").unwrap();
    second.incidents().unwrap();
    assert_eq!((my_locks(&db), my_locks(&shm(&db))), before, "after a second open");
    drop(second);
    assert_eq!((my_locks(&db), my_locks(&shm(&db))), before, "after the second closed");

    // The same through another name for the file: a symlink.
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let third = Store::open(&link, "carol").unwrap();
    drop(third);
    assert_eq!(
        (my_locks(&db), my_locks(&shm(&db))),
        before,
        "after an open by a symlink"
    );
    drop(first);
}

/// Defect 1 as a user met it: after an import from the console (which opens the database again on
/// its own thread), a shell's `debrief log`, an event added in the console and another `debrief
/// log` must all be there when the console has quit, and the file must be whole.
#[test]
fn writes_from_a_shell_and_the_console_after_a_console_import_are_all_kept() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "Europe/Berlin"]);
    std::fs::write(
        ws.dir.path().join("chat.csv"),
        "time,text\n2026-11-26 09:00,first page\n2026-11-26 09:05,second page\n",
    )
    .unwrap();

    let mut c = Console::spawn(ws.debrief("alice", &["open", "1"]));
    c.wait_for("#1 Payments outage");
    c.send("i");
    c.wait_for("Import events into #1");
    c.send("chat.csv\r");
    c.wait_for("Import preview");
    c.send("\r");
    c.wait_for("Imported 2 events from chat.csv");

    ws.run_ok("bob", &["log", "-i", "1", "--at", "yesterday 10:03", "shell X"]);
    c.wait_for("shell X");
    c.send("a");
    c.wait_for("Add event");
    c.send("yesterday 10:04 console Y\r");
    c.wait_until("console Y saved", |s| {
        s.contains("console Y") && !s.contains("Add event")
    });
    ws.run_ok("bob", &["log", "-i", "1", "--at", "yesterday 10:05", "shell Z"]);
    c.wait_for("shell Z");
    c.send("q");
    c.wait_for("Payments outage");
    c.send("q");
    let exit = c.wait_exit(Duration::from_secs(10)).expect("quits");
    assert_eq!(exit.code(), Some(0));

    assert_integrity(&ws.db);
    let store = Store::open(&ws.db, "checker").unwrap();
    let texts: Vec<String> = store.all_events(1).unwrap().into_iter().map(|e| e.text).collect();
    for want in ["first page", "second page", "shell X", "console Y", "shell Z"] {
        assert!(texts.iter().any(|t| t == want), "{want} is kept: {texts:?}");
    }
}

/// Opening the database as an ordinary file while a connection is open would drop the locks too:
/// an import or a load that a user points at the database is refused, and the locks stay.
#[test]
fn the_open_database_is_never_read_as_an_ordinary_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let store = Store::open(&db, "alice").unwrap();
    store.incidents().unwrap();
    let before = my_locks(&db);
    for path in [db.clone(), shm(&db)] {
        let err = debrief::store::files::refuse_if_open(&path).unwrap_err();
        assert!(err.to_string().contains("debrief never reads or writes it"), "{err}");
    }
    assert_eq!(my_locks(&db), before);
}

fn new_store_with_incident(db: &Path) -> Store {
    let store = Store::open(db, "alice").unwrap();
    store
        .create_incident(&debrief::store::NewIncident {
            title: "Payments outage".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    store
}

fn assert_gone(result: Result<i64, StoreError>, want: &str) {
    match result {
        Err(StoreError::FileGone { what, .. }) => assert!(what.contains(want), "{what}"),
        other => panic!("expected the file to be reported gone ({want}), got {other:?}"),
    }
}

fn add_incident(store: &Store) -> Result<i64, StoreError> {
    store.create_incident(&debrief::store::NewIncident {
        title: "another".into(),
        severity: debrief::model::Severity::Sev3,
        zone: "UTC".into(),
        started_at: None,
    })
}

/// Defect 2 at the store: a file deleted, replaced by `mv`, or stripped of its -wal under an open
/// connection takes no more writes, and says why; it stays readable.
#[test]
fn a_deleted_replaced_or_walless_file_takes_no_writes() {
    // Deleted.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let store = new_store_with_incident(&db);
    std::fs::remove_file(&db).unwrap();
    assert_gone(add_incident(&store), "was deleted");
    // An import is a write like any other.
    let imported = store.import_events(1, "chat.csv", |sink| {
        sink(
            debrief::store::NewEvent {
                at: chrono::Utc::now(),
                kind: debrief::model::EventKind::Note,
                text: "imported".into(),
                milestone: None,
                source: debrief::model::Source::Typed,
                author: None,
            },
            "key-1",
        )
    });
    assert_gone(imported.map(|_| 0), "was deleted");
    assert_eq!(store.incidents().unwrap().len(), 1, "still readable");
    assert!(!db.exists(), "no new file appears");

    // Replaced by another file moved over it.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let store = new_store_with_incident(&db);
    let other = dir.path().join("other.db");
    drop(new_store_with_incident(&other));
    std::fs::rename(&other, &db).unwrap();
    assert_gone(add_incident(&store), "was replaced");
    // Moving the old file back does not make the lost state go away: once lost, always lost.
    assert!(store.check_file().is_err());

    // Its write-ahead log removed.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let store = new_store_with_incident(&db);
    std::fs::remove_file(side_file(&db, "-wal")).unwrap();
    assert_gone(add_incident(&store), "-wal");

    // Another connection to the replaced path is refused, never created anew.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let store = new_store_with_incident(&db);
    std::fs::remove_file(&db).unwrap();
    assert!(store.reopen("thread").is_err());
    assert!(!db.exists(), "reopen does not create a file");
}

/// Defect 2 in the console: the database file deleted or moved away under an open console. The
/// console says so in a banner, refuses edits (nothing is reported saved that is not), keeps
/// the record on screen readable, and exits with status 1.
#[test]
fn a_console_whose_file_is_deleted_or_replaced_turns_read_only_and_exits_1() {
    for how in ["rm", "mv", "rm-wal"] {
        let ws = Workspace::new();
        ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "UTC"]);
        ws.run_ok("setup", &["log", "-i", "1", "--at", "2026-11-26 10:00", "first page"]);
        let mut c = Console::spawn(ws.debrief("alice", &["open", "1"]));
        c.wait_for("first page");
        match how {
            "rm" => std::fs::remove_file(&ws.db).unwrap(),
            "mv" => std::fs::rename(&ws.db, ws.dir.path().join("moved.db")).unwrap(),
            _ => {
                std::fs::remove_file(side_file(&ws.db, "-wal")).unwrap();
            }
        }
        let s = c.wait_for("READ-ONLY");
        assert!(s.contains("first page"), "{how}: the record stays on screen:\n{s}");
        // An edit is refused at once, with the reason.
        c.send("a");
        let s = c.wait_until("the edit refused", |s| {
            s.contains("Not saved: the database file is gone")
        });
        assert!(!s.contains("Add event"), "{how}: no form that could not be saved:\n{s}");
        c.send("q");
        c.wait_for("Payments outage");
        c.send("q");
        let exit = c.wait_exit(Duration::from_secs(10)).expect("quits");
        assert_eq!(exit.code(), Some(1), "{how}: the exit status says something was wrong");
        // The reader may still be taking in the last bytes the process wrote before it exited.
        c.wait_until("the reason is printed", |s| s.contains("can no longer save"));
        if how != "rm-wal" {
            assert!(!ws.db.exists(), "{how}: no new database appears at the path");
        }
    }
}

/// Defect 13: an existing database on a read-only mount says "read-only file system", not
/// "cannot create the database here". The mount is made in a private mount namespace.
#[test]
fn a_database_on_a_read_only_mount_is_refused_as_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let script = r#"mount -t tmpfs -o size=4m tmpfs "$1" || exit 90
"$0" --db "$1/r.db" new Outage >/dev/null || exit 91
mount -o remount,ro "$1" || exit 92
"$0" --db "$1/r.db" list
echo "exit=$?"
"$0" --db "$1/new.db" list
echo "exit=$?""#;
    let out = std::process::Command::new("unshare")
        .args(["-rm", "sh", "-c", script, pty::bin()])
        .arg(&mnt)
        .env("DEBRIEF_AUTHOR", "alice")
        .output()
        .expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the namespace and mounts work: {stdout}\n{stderr}"
    );
    assert_eq!(stdout.matches("exit=1").count(), 2, "{stdout}\n{stderr}");
    assert_eq!(
        stderr.matches("on a read-only file system").count(),
        2,
        "an existing and a new database on a read-only mount say so:\n{stderr}"
    );
    assert!(!stderr.contains("cannot create the database here"), "{stderr}");
}

/// "How To Corrupt", 2.5: a database with a second name (a hard link) would get a second
/// journal; it is refused and left as it was.
#[test]
fn a_database_with_two_names_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    drop(new_store_with_incident(&db));
    let other = dir.path().join("copy.db");
    std::fs::hard_link(&db, &other).unwrap();
    let before = std::fs::read(&db).unwrap();
    for path in [&db, &other] {
        match Store::open(path, "alice") {
            Err(e @ StoreError::HardLinks { .. }) => assert!(e.to_string().contains("2 hard links"), "{e}"),
            Err(e) => panic!("refused for the wrong reason: {e}"),
            Ok(_) => panic!("a database with two names was opened"),
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "left as it was");
    std::fs::remove_file(&other).unwrap();
    Store::open(&db, "alice").expect("one name again: it opens");
}

/// Defect 14: `debrief backup FILE` copies a live database consistently while another session
/// keeps writing, replaces an older backup (through a symlink too), and refuses a target that
/// is the database itself, one of its side files, not a regular file, or not a database.
#[test]
fn backup_copies_a_live_database_and_refuses_what_it_must_not_replace() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "UTC"]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (ws.db.clone(), stop.clone());
        std::thread::spawn(move || {
            let store = Store::open(&db, "writer").unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                store
                    .add_event(
                        1,
                        &debrief::store::NewEvent {
                            at: chrono::Utc::now(),
                            kind: debrief::model::EventKind::Note,
                            text: format!("event {n}"),
                            milestone: None,
                            source: debrief::model::Source::Typed,
                            author: None,
                        },
                    )
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    let copy = ws.dir.path().join("copy.db");
    let mut seen = 0;
    for _ in 0..5 {
        let out = ws.run_ok("alice", &["backup", copy.to_str().unwrap()]);
        assert!(out.contains("1 incidents") && out.contains("checked"), "{out}");
        assert_integrity(&copy);
        let events = Store::open(&copy, "checker").unwrap().all_events(1).unwrap().len();
        assert!(events >= seen, "each backup holds at least what the one before did");
        seen = events;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(
        written > 0 && seen > 0,
        "the writer went on during the backups ({written} events)"
    );

    // Through a symlink: the file it points to is replaced, the symlink stays.
    let link = ws.dir.path().join("latest.db");
    std::os::unix::fs::symlink(&copy, &link).unwrap();
    ws.run_ok("alice", &["backup", link.to_str().unwrap()]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let events = Store::open(&copy, "checker").unwrap().all_events(1).unwrap().len();
    assert_eq!(events, written, "the latest backup holds every event");

    // Refused, and nothing changed.
    let notes = ws.dir.path().join("notes.txt");
    std::fs::write(&notes, "keep me").unwrap();
    let fifo = ws.dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let before = std::fs::read(&ws.db).unwrap();
    let wal = side_file(&ws.db, "-wal");
    for (target, why) in [
        (ws.db.clone(), "the database debrief has open"),
        (wal, "-wal"),
        (fifo.clone(), "not a regular file"),
        (notes.clone(), "not a database"),
    ] {
        let out = std::process::Command::new(pty::bin())
            .arg("--db")
            .arg(&ws.db)
            .arg("backup")
            .arg(&target)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{target:?}: {err}");
        assert!(
            err.contains(why) && err.contains("nothing was written"),
            "{target:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me");
    assert_eq!(std::fs::read(&ws.db).unwrap(), before);
    let strays: Vec<_> = std::fs::read_dir(ws.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".debrief-backup-"))
        .collect();
    assert!(strays.is_empty(), "no temporary copies are left behind: {strays:?}");
}

/// Attacking defect 2's fix: a database deleted while a connection had it open leaves that
/// connection's -wal and -shm under the old name, and SQLite would replay that log into the next
/// database created at the path (seen: a new, empty database listing the old file's incident).
/// Creating a database there is refused while they are there; a session that notices its file
/// gone removes its own side files (by inode, never another file's).
#[test]
fn a_new_database_never_takes_in_a_deleted_ones_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let old = new_store_with_incident(&db);
    std::fs::remove_file(&db).unwrap();
    match Store::open(&db, "bob") {
        Err(e @ StoreError::StaleSideFiles { .. }) => {
            let e = e.to_string();
            assert!(e.contains("review.db-wal and review.db-shm are still beside it"), "{e}");
        }
        Err(e) => panic!("refused for the wrong reason: {e}"),
        Ok(_) => panic!("a new database was created beside the old one's log"),
    }
    assert!(!db.exists(), "nothing was created");
    // The old session notices and takes its side files away; then a new database starts empty.
    assert!(old.check_file().is_err());
    let new = Store::open(&db, "bob").unwrap();
    assert!(
        new.incidents().unwrap().is_empty(),
        "the new database holds nothing of the old one"
    );
    assert_eq!(new.integrity_check().unwrap(), "ok");
    drop(new);
    // The old session's side files are gone, the new one's are untouched by the old session.
    assert!(old.check_file().is_err());
    assert!(Store::open(&db, "carol").unwrap().incidents().unwrap().is_empty());
}

/// An export pointed at the database it reads (or its -wal) is refused and changes nothing:
/// renaming over it would replace the record, and even opening it would drop SQLite's locks.
#[test]
fn an_export_onto_the_open_database_is_refused() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "UTC"]);
    let before = std::fs::read(&ws.db).unwrap();
    let wal = side_file(&ws.db, "-wal");
    let link = ws.dir.path().join("link.md");
    std::os::unix::fs::symlink(&ws.db, &link).unwrap();
    for target in [ws.db.clone(), wal, link] {
        let out = std::process::Command::new(pty::bin())
            .arg("--db")
            .arg(&ws.db)
            .args(["export", "1", "-o"])
            .arg(&target)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{target:?}: {err}");
        assert!(
            err.contains("never reads or writes it") && err.contains("nothing was written"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&ws.db).unwrap(), before, "the database is as it was");
    assert_integrity(&ws.db);
}
