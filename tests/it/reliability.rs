//! Reliability of the real binary on real files: processes killed with SIGKILL while they write,
//! several writers at once, first use racing, and files that debrief must refuse without touching.
//!
//! Randomness is seeded: the seed is printed (see the test's output on failure) and can be set
//! with `DEBRIEF_TEST_SEED=<number>` to replay a run.

use rusqlite::Connection;
use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn debrief(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    cmd.arg("--db")
        .arg(db)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("TZ", "UTC")
        .stdin(Stdio::null());
    cmd
}

fn run(db: &Path, args: &[&str]) -> Output {
    debrief(db).args(args).output().unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn spawn(db: &Path, args: &[&str]) -> Child {
    debrief(db)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// SplitMix64: small, seedable, good enough to pick kill moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn seed() -> u64 {
    let seed = std::env::var("DEBRIEF_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0DEB_21EF);
    println!("seed {seed} (repeat with DEBRIEF_TEST_SEED={seed})");
    seed
}

/// How long one uncontended command takes here, so that kill moments fall inside the runs on a
/// fast laptop and on a slow CI machine alike.
fn typical_duration(db: &Path, args: &[&str]) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            ok(db, args);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

/// PRAGMA integrity_check, the foreign keys, and the full-text index against its content table.
fn assert_sound(db: &Path, context: &str) -> Connection {
    let conn = Connection::open(db).unwrap();
    assert_eq!(integrity(&conn), "ok", "{context}");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 0, "{context}: foreign key violations");
    conn.execute("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')", [])
        .unwrap_or_else(|e| panic!("{context}: full-text index out of step: {e}"));
    conn
}

fn counts(conn: &Connection, incident: i64) -> (i64, i64, i64) {
    let n = |table: &str| -> i64 {
        conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE incident_id = ?"),
            [incident],
            |r| r.get(0),
        )
        .unwrap()
    };
    (n("events"), n("causes"), n("actions"))
}

enum Job {
    Log(String),
    Demo,
}

/// Writers are killed with SIGKILL at seeded random moments, four at a time, in many waves per
/// round. Afterwards debrief still opens and writes the file, `integrity_check` is ok, every write
/// whose command reported success is there (by id and text), nothing is there twice, and the demo
/// load — one transaction of dozens of rows — is there whole or not at all.
#[test]
fn writers_killed_at_random_moments_lose_nothing_they_confirmed() {
    const ROUNDS: usize = 24;
    const WAVES: usize = 20;
    const WRITERS: usize = 4;
    let mut rng = Rng(seed());
    let started = Instant::now();

    // What a whole demo incident holds, and how long commands take here.
    let probe_dir = tempfile::tempdir().unwrap();
    let probe = probe_dir.path().join("probe.db");
    ok(&probe, &["new", "probe"]);
    let log_time = typical_duration(&probe, &["log", "-i", "1", "probe"]);
    let demo_time = typical_duration(&probe, &["demo"]);
    let demo_shape = counts(&Connection::open(&probe).unwrap(), 2);
    assert!(demo_shape.0 > 20, "{demo_shape:?}");
    println!("uncontended: log {log_time:?}, demo {demo_time:?}; demo shape {demo_shape:?}");

    let (mut killed, mut finished, mut killed_after_commit) = (0, 0, 0);
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("crash.db");
        ok(&db, &["new", "crash", "test"]);
        let mut confirmed_logs: Vec<(i64, String)> = Vec::new();
        let mut confirmed_demos: Vec<i64> = Vec::new();
        let mut killed_logs: Vec<String> = Vec::new();
        for wave in 0..WAVES {
            let mut children = Vec::new();
            for w in 0..WRITERS {
                let job = if rng.below(6) == 0 {
                    Job::Demo
                } else {
                    Job::Log(format!("round {round} wave {wave} writer {w}"))
                };
                let child = match &job {
                    Job::Demo => spawn(&db, &["demo"]),
                    Job::Log(text) => spawn(&db, &["log", "-i", "1", "--kind", "action", text]),
                };
                // Each writer gets its own moment, up to twice (four times, for the demo) what
                // an uncontended run takes, counted from its start.
                let limit = match job {
                    Job::Demo => demo_time * 4,
                    Job::Log(_) => log_time * 2,
                };
                let deadline = Instant::now() + Duration::from_micros(rng.below(limit.as_micros() as u64));
                children.push((job, child, deadline));
            }
            let mut outputs = Vec::new();
            for (job, mut child, deadline) in children {
                while Instant::now() < deadline {
                    if child.try_wait().unwrap().is_some() {
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
                if child.try_wait().unwrap().is_none() {
                    child.kill().unwrap(); // SIGKILL
                }
                outputs.push((job, child.wait_with_output().unwrap()));
            }
            for (job, out) in outputs {
                let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if out.status.signal() == Some(SIGKILL) {
                    killed += 1;
                    if let Job::Log(text) = job {
                        killed_logs.push(text);
                    }
                    continue;
                }
                finished += 1;
                assert!(
                    out.status.success(),
                    "round {round} wave {wave}: a writer that was not killed failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let id: i64 = stdout
                    .parse()
                    .unwrap_or_else(|_| panic!("success must print the id, got {stdout:?}"));
                match job {
                    Job::Log(text) => confirmed_logs.push((id, text)),
                    Job::Demo => confirmed_demos.push(id),
                }
            }
        }

        let context = format!("round {round}");
        // debrief itself opens what the kills left, recovers, and writes.
        ok(&db, &["log", "-i", "1", "after the kills"]);
        let conn = assert_sound(&db, &context);
        for (id, text) in &confirmed_logs {
            let stored: Option<(String, i64)> = conn
                .query_row("SELECT text, incident_id FROM events WHERE id = ?", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .ok();
            assert_eq!(stored, Some((text.clone(), 1)), "{context}: confirmed event {id} lost");
        }
        let duplicates: i64 = conn
            .query_row(
                "SELECT count(*) FROM (SELECT text FROM events GROUP BY incident_id, text HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(duplicates, 0, "{context}: an event was stored twice");
        for text in &killed_logs {
            let n: i64 = conn
                .query_row("SELECT count(*) FROM events WHERE text = ?", [text], |r| r.get(0))
                .unwrap();
            killed_after_commit += n;
        }
        let incidents: Vec<i64> = conn
            .prepare("SELECT id FROM incidents WHERE id > 1 ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for id in &confirmed_demos {
            assert!(incidents.contains(id), "{context}: confirmed demo {id} lost");
        }
        for id in incidents {
            assert_eq!(
                counts(&conn, id),
                demo_shape,
                "{context}: demo incident {id} is not whole"
            );
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{ROUNDS} rounds x {WAVES} waves x {WRITERS} writers in {elapsed:?}: {killed} killed \
         ({killed_after_commit} of them after their commit), {finished} finished"
    );
    assert!(
        killed >= ROUNDS * WAVES * WRITERS / 10,
        "too few kills to mean anything: {killed}"
    );
    assert!(finished >= ROUNDS * WAVES * WRITERS / 10, "too few finished");
}

const SIGKILL: i32 = 9;

/// A first `debrief new` on a path that does not exist yet, killed at any moment, leaves either
/// nothing or a database that the next command opens — never a file that is refused for ever.
#[test]
fn a_first_use_killed_at_any_moment_leaves_a_usable_file_or_none() {
    const ROUNDS: usize = 40;
    let mut rng = Rng(seed() ^ 0xF1F5);
    let probe_dir = tempfile::tempdir().unwrap();
    let mut times: Vec<Duration> = (0..5)
        .map(|i| {
            let start = Instant::now();
            ok(&probe_dir.path().join(format!("p{i}.db")), &["new", "x"]);
            start.elapsed()
        })
        .collect();
    let (mut killed, mut leftovers) = (0, 0);
    // The kill moment is drawn from how long a first run takes now: the other tests of this
    // binary run beside this one, so the time measured up front can be far off; every run that
    // ends by itself adds its own time. Rounds go on until enough were killed to mean something.
    let mut round = 0;
    while round < ROUNDS || (killed < ROUNDS / 4 && round < 4 * ROUNDS) {
        round += 1;
        times.sort();
        let create_time = times[times.len() / 2];
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("first.db");
        let started = Instant::now();
        let mut child = spawn(&db, &["new", "first"]);
        let deadline = Instant::now() + Duration::from_micros(rng.below(create_time.as_micros() as u64 * 3 / 2));
        while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_micros(100));
        }
        if child.try_wait().unwrap().is_some() {
            times.push(started.elapsed());
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(SIGKILL) {
            killed += 1;
        }
        let out = run(&db, &["new", "second"]);
        assert!(
            out.status.success(),
            "round {round} (first run {status}): the next run fails: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_sound(&db, &format!("round {round}"));
        assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
        // A creator killed while it built the file may leave its hidden temporary file; never
        // anything else.
        for name in listing(dir.path()) {
            if name != "first.db" {
                assert!(name.starts_with(".first.db.new-"), "round {round}: {name}");
                leftovers += 1;
            }
        }
    }
    println!("{killed} of {round} first runs killed; {leftovers} temporary files left behind");
    assert!(killed >= ROUNDS / 4, "too few kills: {killed}");
}

/// What killed creators left is swept when the database is next created, once it is a minute
/// old; a younger one may belong to a creator still at work and stays.
#[test]
fn stale_temporary_files_of_killed_creators_are_swept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for name in [".x.db.new-999999", ".x.db.new-999999-wal", ".x.db.new-999998"] {
        let f = std::fs::File::create(dir.path().join(name)).unwrap();
        f.set_modified(old).unwrap();
    }
    std::fs::write(dir.path().join(".x.db.new-999997"), b"busy").unwrap();
    std::fs::write(dir.path().join(".y.db.new-999996"), b"another database's").unwrap();
    let other = dir.path().join(".y.db.new-999995");
    std::fs::File::create(&other).unwrap().set_modified(old).unwrap();
    ok(&db, &["new", "x"]);
    assert_eq!(
        listing(dir.path()),
        BTreeSet::from(["x.db", ".x.db.new-999997", ".y.db.new-999996", ".y.db.new-999995"].map(String::from))
    );
}

/// Four processes logging 500 events each into one incident at once: exactly 2,000 events, and
/// every process exits 0 (none sees "database is locked").
#[test]
fn four_concurrent_writers_log_2000_events_without_busy_errors() {
    const WRITERS: usize = 4;
    const EACH: usize = 500;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    ok(&db, &["new", "busy"]);
    let start = Arc::new(Barrier::new(WRITERS));
    let started = Instant::now();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let db = db.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let mut ids = Vec::with_capacity(EACH);
                for i in 0..EACH {
                    let text = format!("writer {w} event {i}");
                    let out = run(&db, &["log", "-i", "1", &text]);
                    let err = String::from_utf8_lossy(&out.stderr);
                    // Nothing on stderr but where the event went.
                    assert!(
                        out.status.success() && err.lines().all(|l| l.starts_with("logged to #1 busy at ")),
                        "writer {w} event {i}: {} {err}",
                        out.status
                    );
                    let id: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
                    ids.push((id, text));
                }
                ids
            })
        })
        .collect();
    let mut confirmed = Vec::new();
    for t in threads {
        confirmed.extend(t.join().unwrap());
    }
    let elapsed = started.elapsed();
    println!("{WRITERS} x {EACH} `debrief log` processes in {elapsed:?}");
    let conn = assert_sound(&db, "after the writers");
    let stored: HashMap<i64, String> = conn
        .prepare("SELECT id, text FROM events WHERE incident_id = 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored.len(), WRITERS * EACH);
    let ids: BTreeSet<i64> = confirmed.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), WRITERS * EACH, "every process got its own id");
    for (id, text) in &confirmed {
        assert_eq!(stored.get(id), Some(text), "event {id}");
    }
}

/// Several processes using a database that does not exist yet, all at once: one creates it, the
/// others use it; none fails.
#[test]
fn concurrent_first_use_creates_one_database_and_nobody_fails() {
    const ROUNDS: usize = 15;
    const PROCESSES: usize = 4;
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("fresh.db");
        let children: Vec<Child> = (0..PROCESSES)
            .map(|p| spawn(&db, &["new", &format!("incident {p}")]))
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let conn = assert_sound(&db, &format!("round {round}"));
        let n: i64 = conn
            .query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, PROCESSES as i64, "round {round}");
        assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

// ---------------------------------------------------------------------------------------------
// Files debrief must refuse: one clear line naming the file, exit 1, no panic, the file unchanged
// byte for byte, and nothing new beside it (no -wal, -shm or -journal).

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn assert_refused(db: &Path, want: &str) {
    let all: &[&[&str]] = &[&["list"], &["show", "1"], &["log", "-i", "1", "hello"], &["new", "x"]];
    assert_fails_cleanly(db, want, all, true)
}

/// `at_open`: the file is refused before any output; otherwise a command may have printed part
/// of its answer before it met the problem.
fn assert_fails_cleanly(db: &Path, want: &str, commands: &[&[&str]], at_open: bool) {
    let dir = db.parent().unwrap();
    let bytes = std::fs::read(db).ok();
    let files = listing(dir);
    for &args in commands {
        let out = run(db, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{} {args:?} must fail: {err}", db.display());
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&db.display().to_string()),
            "{args:?}: the message names the file: {err}"
        );
        assert!(err.contains(want), "{args:?}: {err:?} lacks {want:?}");
        assert!(!at_open || out.stdout.is_empty(), "{args:?}: output before refusing");
        assert_eq!(
            std::fs::read(db).ok(),
            bytes,
            "{} {args:?} changed the file",
            db.display()
        );
        assert_eq!(listing(dir), files, "{} {args:?} left files beside it", db.display());
    }
}

/// A debrief database with some content over many pages, checkpointed into the main file, with
/// no -wal beside it.
fn healthy(db: &Path) {
    ok(db, &["demo"]);
    {
        let conn = Connection::open(db).unwrap();
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
             INSERT INTO events (incident_id, at, kind, text, author, source)
             SELECT 1, 1764165600000 + i * 1000, 'note',
                    'filler ' || i || ' to spread the data over many pages ' || hex(zeroblob(40)),
                    'tester', 'typed'
             FROM n",
            [],
        )
        .unwrap();
    }
    assert!(!db.with_extension("db-wal").exists());
    assert!(std::fs::metadata(db).unwrap().len() > 40 * 4096);
    assert_eq!(integrity(&Connection::open(db).unwrap()), "ok");
}

#[test]
fn a_zero_byte_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zero.db");
    std::fs::write(&db, b"").unwrap();
    assert_refused(&db, "not a debrief database (the file is empty)");
}

#[test]
fn a_text_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.txt");
    std::fs::write(&db, "14:32 rolled back the release\n14:40 all good\n").unwrap();
    assert_refused(&db, "not a debrief database (it is not an SQLite file)");
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "hi").unwrap();
    assert_refused(&short, "not a debrief database");
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("adir");
    std::fs::create_dir(&db).unwrap();
    assert_refused(&db, "it is a directory");
}

#[test]
fn truncated_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.db");
    healthy(&good);
    let bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    let pages = bytes.len() / page;
    for (name, len) in [
        ("first-page", page),
        ("two-pages", 2 * page),
        ("half", bytes.len() / 2 / page * page),
        ("one-page-short", bytes.len() - page),
        ("mid-page", bytes.len() / 2 + 100),
        ("header-only", 100),
    ] {
        let db = dir.path().join(format!("{name}.db"));
        std::fs::write(&db, &bytes[..len]).unwrap();
        assert_refused(&db, "");
        let err = String::from_utf8_lossy(&run(&db, &["list"]).stderr).into_owned();
        assert!(
            err.contains("damaged") || err.contains("not a debrief database"),
            "{name} ({len} of {} bytes, {pages} pages): {err}",
            bytes.len()
        );
    }
}

/// Damage past the schema is found only when a command reads the damaged pages (checking every
/// page at each open would cost too much): the command still fails with one line naming the file,
/// and changes nothing.
#[test]
fn damaged_pages_found_mid_command_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.db");
    healthy(&good);
    let bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    for (name, first, fill) in [("zeroed", 10, 0u8), ("scrambled", 30, 0x5A), ("ones", 2, 0xFF)] {
        let db = dir.path().join(format!("{name}.db"));
        let mut damaged = bytes.clone();
        damaged[first * page..(first + 8) * page].fill(fill);
        std::fs::write(&db, &damaged).unwrap();
        // Only commands that read every page are sure to meet the damage.
        assert_fails_cleanly(
            &db,
            "the database is damaged",
            &[&["show", "1"], &["export", "1", "--format", "json"]],
            false,
        );
    }
}

#[test]
fn a_database_from_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.db");
    ok(&db, &["new", "from", "the", "future"]);
    {
        let conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    assert!(!db.with_extension("db-wal").exists());
    assert_refused(
        &db,
        "written by a newer debrief (schema version 99, this debrief knows up to",
    );
}

#[test]
fn another_applications_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.sqlite");
    {
        let conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    assert!(!db.with_extension("sqlite-wal").exists());
    assert_refused(&db, "another application's SQLite file");
}

#[test]
fn a_read_only_database_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ro.db");
    ok(&db, &["new", "x"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    assert_refused(&db, "read-only");
}

#[test]
fn a_database_in_a_read_only_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let db = locked.join("review.db");
    ok(&db, &["new", "x"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    // SQLite needs to create the -wal and -shm files beside the database.
    assert_refused(&db, "read-only");
    // And a new database is not created there either.
    let fresh = locked.join("fresh.db");
    let out = run(&fresh, &["new", "x"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("read-only") && err.contains("fresh.db"), "{err}");
    assert!(!fresh.exists());
    assert_eq!(listing(&locked), BTreeSet::from(["review.db".to_string()]));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Reading does not write: `list` and `show` leave the file's bytes alone and do not make other
/// processes' consoles think something changed (`PRAGMA data_version`).
#[test]
fn reading_commands_do_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("quiet.db");
    ok(&db, &["demo"]);
    let bytes = std::fs::read(&db).unwrap();
    let watcher = Connection::open(&db).unwrap();
    let version = |c: &Connection| -> i64 { c.query_row("PRAGMA data_version", [], |r| r.get(0)).unwrap() };
    let before = version(&watcher);
    for args in [&["list"][..], &["show", "1"], &["actions"], &["history", "1"]] {
        ok(&db, args);
        assert_eq!(version(&watcher), before, "{args:?} wrote to the database");
    }
    drop(watcher);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

/// Issue #12, defect 10: `(echo …; sleep 45; echo …) | debrief import -` took the write lock and
/// then waited for its pipe, so every other writer (a `debrief log`, a console's save) waited
/// behind it. The import now reads its pipe to the end first (into a temporary file), and takes
/// the lock only for the write itself; all or nothing stays.
#[test]
fn a_slow_pipe_into_import_does_not_hold_other_writers_up() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    ok(&db, &["new", "pipe"]);
    let mut import = debrief(&db)
        .args(["import", "-i", "1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = import.stdin.take().unwrap();
    writeln!(pipe, "2026-11-26T14:00:00Z first line").unwrap();
    pipe.flush().unwrap();
    // Time for the import to start reading (before the fix, to take the write lock).
    std::thread::sleep(Duration::from_secs(1));

    let started = Instant::now();
    let out = run(&db, &["log", "-i", "1", "logged meanwhile"]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        took < Duration::from_secs(2),
        "`debrief log` waited {took:?} behind an import that was still reading its pipe"
    );
    assert!(
        import.try_wait().unwrap().is_none(),
        "the import is still reading its pipe"
    );

    writeln!(pipe, "2026-11-26T14:05:00Z second line").unwrap();
    drop(pipe);
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("imported 2 events from stdin"), "{said}");
    let conn = assert_sound(&db, "after the import");
    let (events, _, _) = counts(&conn, 1);
    assert_eq!(events, 3);
}

/// A pipe that breaks off (the writer killed) imports nothing, as before: the spool is read only
/// once it is whole, and an error in it writes nothing.
#[test]
fn an_import_from_a_pipe_is_still_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    ok(&db, &["new", "pipe"]);
    let mut import = debrief(&db)
        .args(["import", "-i", "1", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut pipe = import.stdin.take().unwrap();
        writeln!(pipe, r#"{{"at":"2026-11-26T14:00:00Z","text":"good"}}"#).unwrap();
        writeln!(pipe, "not json").unwrap();
    }
    let out = import.wait_with_output().unwrap();
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let conn = assert_sound(&db, "after the refused import");
    assert_eq!(counts(&conn, 1).0, 0, "nothing imported");
}

/// Spooling a pipe must not fill the disk with an endless line: `/dev/zero` piped in is refused
/// after 1 MiB of one line, naming it, and nothing is imported.
#[test]
fn an_endless_line_on_a_pipe_is_refused_before_it_fills_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    ok(&db, &["new", "pipe"]);
    let started = Instant::now();
    let out = debrief(&db)
        .args(["import", "-i", "1", "--format", "log", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refused within 10 s, took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stdin, line 1: the line is longer than 1 MiB; nothing was imported"),
        "{err}"
    );
    assert_eq!(counts(&assert_sound(&db, "after the refusal"), 1).0, 0);
}
