//! The real binary on a temporary database: round trips and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        Env { _dir: dir, db }
    }
    fn run(&self, args: &[&str]) -> Output {
        run_with(&self.db, args, None)
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
    fn fails(&self, args: &[&str], message: &str) {
        let before = std::fs::read(&self.db).ok();
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: stderr {err:?} lacks {message:?}");
        assert_eq!(err.trim().lines().count(), 1, "one clear line, no backtrace: {err}");
        assert!(!err.contains("panicked"), "{err}");
        if let Some(before) = before {
            checkpoint(&self.db);
            assert_eq!(
                dump(&self.db),
                dump_bytes(&before, &self.db),
                "{args:?} changed the database"
            );
        }
    }
}

fn run_with(db: &Path, args: &[&str], author: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("TZ", "Europe/Berlin");
    match author {
        Some(a) => cmd.env("DEBRIEF_AUTHOR", a),
        None => cmd.env("DEBRIEF_AUTHOR", "tester"),
    };
    cmd.output().unwrap()
}

/// The logical content of a database (schema-independent of WAL state).
fn dump(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for table in ["incidents", "events", "causes", "actions", "participants", "history"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        for r in rows {
            out.push_str(&format!("{table}: {}\n", r.unwrap()));
        }
    }
    out
}

fn checkpoint(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
}

fn dump_bytes(bytes: &[u8], like: &Path) -> String {
    let copy = like.with_extension("before");
    std::fs::write(&copy, bytes).unwrap();
    let d = dump(&copy);
    std::fs::remove_file(&copy).unwrap();
    d
}

#[test]
fn new_log_list_show_round_trip() {
    let env = Env::new();
    let id = env.ok(&[
        "new",
        "API",
        "outage",
        "--severity",
        "1",
        "--zone",
        "Europe/Berlin",
        "--started",
        "2026-11-26 14:00",
    ]);
    assert_eq!(id.trim(), "1", "new prints the id alone");
    env.ok(&[
        "log",
        "-i",
        "1",
        "--kind",
        "alert",
        "--milestone",
        "detected",
        "--at",
        "2026-11-26 14:12",
        "pager",
        "fired",
    ]);
    env.ok(&["log", "2026-11-26T13:30Z", "mitigated", "by", "rollback"]);
    let list = env.ok(&["list"]);
    assert!(
        list.contains("API outage") && list.contains("SEV1") && list.contains("2026-11-26 14:00"),
        "{list}"
    );
    let show = env.ok(&["show", "1"]);
    assert!(
        show.contains("2026-11-26 14:12:00  alert         [DETECTED] pager fired (tester)"),
        "{show}"
    );
    assert!(
        show.contains("2026-11-26 14:30:00  note"),
        "UTC input shown in Berlin time: {show}"
    );
    assert!(show.contains("TTD  time to detect       12m"), "{show}");
    for m in ["Acknowledged", "Mitigated", "Resolved"] {
        assert!(
            show.contains(&format!("  - {m} is not marked on the timeline\n")),
            "{show}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", "1", "--json"])).unwrap();
    assert_eq!(json["events"].as_array().unwrap().len(), 3);
    assert_eq!(json["events"][1]["milestone"], "detected");
    assert_eq!(json["events"][2]["source"]["type"], "logged");
    let listed: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    assert_eq!(listed[0]["events"], 3);
}

/// An import that fails after its last line was read (a full disk while the search index is
/// built, the commit; here the history refuses the import's entry) names the file and says
/// that nothing was imported, and nothing is.
#[test]
fn an_import_that_fails_after_its_last_line_names_the_file_and_writes_nothing() {
    let env = Env::new();
    env.ok(&["new", "Outage", "--zone", "UTC"]);
    let log = env.db.with_file_name("api.log");
    std::fs::write(&log, "2026-11-26T10:00:00Z api up\n2026-11-26T10:00:01Z api down\n").unwrap();
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER no_import BEFORE INSERT ON history WHEN new.op = 'import'
         BEGIN SELECT RAISE(ABORT, 'history refused'); END",
    )
    .unwrap();
    drop(conn);
    let file = log.to_str().unwrap();
    let said = format!("cannot import {file}: ");
    env.fails(&["import", "-i", "1", file], &said);
    env.fails(&["import", "-i", "1", file], "history refused; nothing was imported");
}

/// `show --json` streams its events as `export --format json` does (a million-event incident
/// needs no more memory than a small one): it is that document, plus the durations and the
/// gaps `check` lists.
#[test]
fn show_json_is_the_exported_document_with_durations_and_gaps() {
    let env = Env::new();
    env.ok(&["demo"]);
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["show", "1", "--json"])).unwrap();
    let exported: serde_json::Value = serde_json::from_str(&env.ok(&["export", "1", "--format", "json"])).unwrap();
    let mut without = shown.clone();
    let extra = without.as_object_mut().unwrap();
    let durations = extra.remove("durations").expect("durations");
    let missing = extra.remove("missing").expect("missing");
    assert_eq!(without, exported);
    assert!(exported["events"].as_array().unwrap().len() > 10);
    assert_eq!(durations.as_array().unwrap().len(), 4);
    assert_eq!(durations[0]["short"], "TTD");
    assert!(durations[0]["seconds"].as_i64().unwrap() > 0, "{durations}");
    let gaps: Vec<&str> = missing
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["text"].as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 3, "the demo leaves three gaps: {missing}");
    let check = env.run(&["check", "1"]);
    let said = String::from_utf8_lossy(&check.stdout);
    for gap in &gaps {
        assert!(said.contains(gap), "check lists {gap:?}: {said}");
    }
}

/// `list --json` is read by scripts: its fields stay in the order they have always had (by name,
/// as `json!` wrote them before the list became a `Serialize` struct); `overdue_actions` came
/// with follow-through and `archived` with archiving, each in its place by name.
#[test]
fn list_json_keeps_its_fields_and_their_order() {
    let env = Env::new();
    env.ok(&["new", "--zone", "UTC", "--started", "2026-11-20 10:00", "one"]);
    let text = env.ok(&["list", "--json"]);
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('"')?.split_once("\":").map(|(k, _)| k))
        .collect();
    assert_eq!(
        keys,
        [
            "archived",
            "confirmed_causes",
            "events",
            "id",
            "open_actions",
            "overdue_actions",
            "resolved",
            "severity",
            "started",
            "status",
            "title",
            "zone"
        ],
        "{text}"
    );
    assert!(text.contains("\"started\": \"2026-11-20T10:00:00Z\""), "{text}");
}

#[test]
fn log_without_an_incident_uses_the_most_recently_active_open_one() {
    let env = Env::new();
    env.ok(&["new", "first"]);
    env.ok(&["new", "second"]);
    env.ok(&["log", "-i", "1", "touch first"]);
    env.ok(&["log", "-5m", "goes", "to", "first"]);
    let show = env.ok(&["show", "1"]);
    assert!(show.contains("goes to first"), "{show}");
    assert!(!env.ok(&["show", "2"]).contains("goes to first"));
}

/// `log` without `-i` writes to the incident open in a console (of two consoles on different
/// incidents, the more recently changed one), not to the most recently changed incident, and
/// says on stderr where and when it wrote.
#[test]
fn log_without_an_incident_goes_to_the_one_open_in_a_console_and_says_so() {
    let env = Env::new();
    env.ok(&["new", "Payments down", "--zone", "UTC"]);
    env.ok(&["new", "Search slow", "--zone", "UTC"]);
    env.ok(&["new", "Newest", "--zone", "UTC"]);
    let log = |args: &[&str]| {
        let out = env.run(args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap()
    };
    let consoles = debrief::store::Store::open(&env.db, "console").unwrap();
    let now = chrono::Utc::now();
    consoles.heartbeat("console-a", Some(2), now, now).unwrap();
    consoles.heartbeat("console-b", Some(1), now, now).unwrap();
    env.ok(&["log", "-i", "2", "--at", "2026-11-24 10:00", "touch search"]);
    // #3 is the most recently changed incident, but #1 and #2 are open in consoles: #2 was
    // changed more recently.
    let said = log(&["log", "--at", "now", "first", "note"]);
    let today = chrono::Utc::now().format("%H:%M").to_string();
    assert!(
        said.starts_with("logged to #2 Search slow at ") && said.trim_end().ends_with(" UTC"),
        "{said:?} (now is about {today})"
    );
    assert!(env.ok(&["show", "2"]).contains("first note"));
    let said = log(&["log", "--at", "2026-11-24 09:00", "a day before"]);
    assert_eq!(said, "logged to #2 Search slow at Tue 24 Nov 09:00 UTC\n");
    // Both consoles leave: the most recently changed incident again.
    env.ok(&["log", "-i", "3", "--at", "2026-11-24 09:10", "touch newest"]);
    consoles.leave("console-a").unwrap();
    consoles.leave("console-b").unwrap();
    let said = log(&["log", "--at", "2026-11-24 09:30", "back to the newest"]);
    assert_eq!(said, "logged to #3 Newest at Tue 24 Nov 09:30 UTC\n");
    // One console on #1: it wins over #3.
    consoles
        .heartbeat("console-a", Some(1), chrono::Utc::now(), chrono::Utc::now())
        .unwrap();
    let said = log(&["log", "--at", "2026-11-24 09:45", "to payments"]);
    assert_eq!(said, "logged to #1 Payments down at Tue 24 Nov 09:45 UTC\n");
    assert!(env.ok(&["show", "1"]).contains("to payments"));
    // `import` without -i takes the same incident.
    let file = env._dir.path().join("api.log");
    std::fs::write(&file, "2026-11-24T09:50:00Z ERROR imported here\n").unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    assert!(env.ok(&["show", "1"]).contains("imported here"));
}

#[test]
fn demo_loads_a_complete_review() {
    let env = Env::new();
    let id = env.ok(&["demo"]);
    let show = env.ok(&["show", id.trim()]);
    for want in [
        "PayFast",
        "Third-party system     confirmed",
        "Overload               confirmed",
        "Rare edge case         ruled out",
        "TTM  time to mitigate     59m",
        "Marco Rossi",
    ] {
        assert!(show.contains(want), "demo lacks {want:?}:\n{show}");
    }
    let events = show.lines().filter(|l| l.starts_with("  20")).count();
    assert!((30..=40).contains(&events), "{events} events");
}

#[test]
fn check_exits_1_with_what_is_missing_and_0_when_complete() {
    let env = Env::new();
    env.ok(&["demo"]);
    let out = env.run(&["check", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let owner = "- Open action “Alert at 80% of orders-db max_connections” has no owner";
    assert!(
        text.contains(owner) && text.contains("max_connections” has no due date"),
        "{text}"
    );
    // A brand-new incident is not complete: nothing of the review is done.
    env.ok(&["new", "quiet"]);
    let out = env.run(&["check", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("is not complete: 11 missing"), "{text}");
    for want in [
        "- Impact started is not marked on the timeline",
        "- Overload is not examined yet",
        "- No root cause is written down",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
}

#[test]
fn bad_input_gets_one_clear_line_and_changes_nothing() {
    let env = Env::new();
    env.ok(&["new", "x"]);
    env.fails(&["log", "-i", "42", "hello"], "unknown incident 42");
    env.fails(&["show", "42"], "unknown incident 42");
    env.fails(
        &["log", "-i", "1", "--at", "25:99", "hello"],
        "cannot read time \"25:99\" (accepted: 14:32, 14:32:05",
    );
    env.fails(
        &["log", "-i", "1", "--kind", "gossip", "hello"],
        "unknown event kind \"gossip\"",
    );
    env.fails(
        &["log", "-i", "1", "--milestone", "done", "hello"],
        "unknown milestone \"done\"",
    );
    env.fails(
        &["new", "y", "--zone", "Mars/Olympus"],
        "unknown time zone \"Mars/Olympus\"",
    );
    env.fails(&["new", "y", "--started", "noon"], "cannot read time \"noon\"");
    env.fails(
        &["participant", "add", "1", "Ana", "--role", "boss"],
        "unknown role \"boss\"",
    );
    env.fails(
        &["log", "-i", "1", "--at", "2026-03-29 02:30", "x"],
        "02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin (clocks jump from 02:00 to 03:00)",
    );
}

#[test]
fn bad_database_files_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let out = run_with(&text, &["list"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a debrief database"));
    assert_eq!(std::fs::read(&text).unwrap(), b"hello");

    let newer = dir.path().join("newer.db");
    assert!(run_with(&newer, &["new", "x"], None).status.success());
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    checkpoint(&newer);
    let before = std::fs::read(&newer).unwrap();
    let out = run_with(&newer, &["log", "-i", "1", "x"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer debrief (schema version 99"), "{err}");
    assert_eq!(std::fs::read(&newer).unwrap(), before);

    let out = run_with(&dir.path().join("missing/dir/x.db"), &["list"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn export_json_then_load_gives_the_same_document() {
    let env = Env::new();
    env.ok(&["demo"]);
    let first = env.ok(&["export", "1", "--format", "json"]);
    let file = env.db.with_file_name("demo.json");
    std::fs::write(&file, &first).unwrap();
    let id = env.ok(&["load", file.to_str().unwrap()]);
    assert_eq!(id.trim(), "2");
    let second = env.ok(&["export", "2", "--format", "json"]);
    assert_eq!(first, second);
    std::fs::write(
        &file,
        "{\"format\": \"debrief-incident\",\n \"version\": 1, \"incident\": 3}",
    )
    .unwrap();
    env.fails(&["load", file.to_str().unwrap()], "demo.json:2:");
}

/// `export -o`: `-` is standard output; a FIFO or a device is refused and left alone; a link
/// to a regular file is written through; an existing file keeps its mode.
#[test]
fn export_to_a_file_replaces_only_regular_files_and_keeps_their_mode() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let env = Env::new();
    env.ok(&["demo"]);
    let md = env.ok(&["export", "1"]);
    assert!(md.starts_with("# "), "{md}");
    assert_eq!(env.ok(&["export", "1", "-o", "-"]), md, "-o - is standard output");
    let dir = env.db.parent().unwrap();

    let fifo = dir.join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    env.fails(
        &["export", "1", "-o", fifo.to_str().unwrap()],
        "pipe is a named pipe (FIFO), not a regular file; nothing was written",
    );
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let null = dir.join("null.md");
    std::os::unix::fs::symlink("/dev/null", &null).unwrap();
    env.fails(
        &["export", "1", "-o", null.to_str().unwrap()],
        "is a symbolic link to a character device, not to a regular file",
    );
    assert_eq!(std::fs::read_link(&null).unwrap(), Path::new("/dev/null"));

    let private = dir.join("private.md");
    std::fs::write(&private, "old").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&["export", "1", "-o", private.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&private).unwrap(), md);
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");

    let link = dir.join("latest.md");
    std::os::unix::fs::symlink("private.md", &link).unwrap();
    std::fs::write(&private, "old").unwrap();
    env.ok(&["export", "1", "-o", link.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("private.md"),
        "the link stays"
    );
    assert_eq!(
        std::fs::read_to_string(&private).unwrap(),
        md,
        "written through the link"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("t.db"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["latest.md", "null.md", "pipe", "private.md"],
        "no temporary files left"
    );
}

/// `load` checks every field against what debrief stores and computes with, naming the field by
/// its JSON path; it used to accept step_seconds no Duration can hold, and `export` panicked.
/// Participants whose names clean to the same text are refused, not merged.
#[test]
fn load_refuses_out_of_range_fields_and_merged_participants_naming_them() {
    let env = Env::new();
    env.ok(&["demo"]);
    let good: serde_json::Value = serde_json::from_str(&env.ok(&["export", "1", "--format", "json"])).unwrap();
    let file = env.db.with_file_name("bad.json");
    let refused = |edit: &dyn Fn(&mut serde_json::Value), want: &str| {
        let mut doc = good.clone();
        edit(&mut doc);
        std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
        env.fails(&["load", file.to_str().unwrap()], want);
    };
    refused(
        &|d| d["meetings"][0]["step_seconds"] = serde_json::json!([10_000_000_000_000_000i64, 0, 0, 0]),
        "meetings[0].step_seconds[0]: 10000000000000000 is out of range (0..=31622400)",
    );
    refused(
        &|d| d["meetings"][1]["step_seconds"] = serde_json::json!([0, 0, -5, 0]),
        "meetings[1].step_seconds[2]: -5 is out of range (0..=31622400)",
    );
    refused(
        &|d| d["participants"][3]["name"] = serde_json::json!("Priya Sharma\u{1b}[31m"),
        "participants[0] and participants[3] are both named \"Priya Sharma\" once cleaned",
    );
    refused(
        &|d| d["participants"][1]["name"] = serde_json::json!("\u{1b}[2J"),
        "participants[1].name is empty",
    );
}

/// A meeting step count already in a database beyond any Duration (written before `load`
/// checked it), and an incident at the very end of the calendar: every report still renders.
#[test]
fn extreme_stored_values_never_panic_a_report() {
    let env = Env::new();
    env.ok(&["demo"]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute(
        "UPDATE meetings SET step_seconds = '[9223372036854775807,-9223372036854775808,10000000000000000,0]'",
        [],
    )
    .unwrap();
    // Times beyond any calendar, as a database written before times were bounded may hold.
    conn.execute(
        "UPDATE events SET at = ? WHERE milestone = 'resolved'",
        [chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp_millis()],
    )
    .unwrap();
    conn.execute(
        "UPDATE events SET at = 9223372036854775807 WHERE milestone = 'mitigated'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE events SET at = -9223372036854775808 WHERE milestone = 'detected'",
        [],
    )
    .unwrap();
    drop(conn);
    env.ok(&[
        "log",
        "-i",
        "1",
        "--at",
        "9999-12-31T23:59:59Z",
        "--milestone",
        "resolved",
        "the end",
    ]);
    for args in [
        &["export", "1"][..],
        &["export", "1", "--format", "json"],
        &["export", "1", "--format", "csv"],
        &["show", "1"],
        &["show", "1", "--json"],
        &["check", "1"],
        &["stats"],
    ] {
        let out = env.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panicked") && out.status.code() != Some(101),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn actions_across_incidents_filter_and_print_json_and_csv() {
    let env = Env::new();
    env.ok(&["demo"]);
    let mine = env.ok(&["actions", "--owner", "marco rossi"]);
    assert_eq!(mine.lines().count(), 2, "{mine}");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["actions", "--status", "todo,doing", "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 6);
    assert!(json[0]["incident_title"].as_str().unwrap().contains("PayFast"));
    let csv = env.ok(&["actions", "--status", "done", "--csv"]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("incident,incident_title,id,kind,title,owner")
    );
    assert_eq!(lines.count(), 1);
}

#[test]
fn participants_and_history() {
    let env = Env::new();
    env.ok(&["new", "x"]);
    env.ok(&["participant", "add", "1", "Ana Lopez", "--role", "IT architect"]);
    assert_eq!(env.ok(&["participant", "list", "1"]), "Ana Lopez\tIT architect\n");
    let out = run_with(&env.db, &["log", "-i", "1", "noted"], Some("someone-else"));
    assert!(out.status.success());
    let history = env.ok(&["history", "1"]);
    assert!(
        history.contains("someone-else") && history.contains("noted"),
        "{history}"
    );
    assert!(history.contains("tester"), "{history}");
}

/// CSV injection (OWASP): a text cell that a spreadsheet would read as a formula gets a
/// leading `'`, in `export --format csv` and `actions --csv`; numbers and keys are left alone.
#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_quoted() {
    use debrief::model::ActionKind;
    use debrief::store::{NewAction, Store};
    let env = Env::new();
    env.ok(&["new", "=HYPERLINK(\"http://evil\")"]);
    {
        let store = Store::open(&env.db, "tester").unwrap();
        let cause = store.add_custom_cause(1, "-1+1 dns").unwrap();
        let mut new = NewAction::titled("=cmd|' /C calc'!A0", ActionKind::Fix);
        new.owner = "+SUM(1,2)".into();
        new.ticket = "@SUM(A1)".into();
        new.details = "-2+3".into();
        new.cause_id = Some(cause);
        new.priority = 2;
        store.add_action(1, &new).unwrap();
        store
            .add_action(1, &NewAction::titled("plain = fine", ActionKind::Monitoring))
            .unwrap();
    }
    let rows = |text: &str| -> Vec<Vec<String>> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let export = rows(&env.ok(&["export", "1", "--format", "csv"]));
    assert_eq!(
        export[0],
        [
            "1",
            "fix",
            "'=cmd|' /C calc'!A0",
            "'-2+3",
            "todo",
            "'+SUM(1,2)",
            "",
            "",
            "'-1+1 dns",
            "'@SUM(A1)",
            "2"
        ]
    );
    assert_eq!(export[1][2], "plain = fine");
    let across = rows(&env.ok(&["actions", "--csv"]));
    assert_eq!(across.len(), 2);
    assert_eq!(across[0][0], "1", "numbers are not text");
    assert_eq!(across[0][1], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(across[0][4], "'=cmd|' /C calc'!A0");
    assert_eq!(across[0][5], "'+SUM(1,2)");
    assert_eq!(across[0][9], "'@SUM(A1)");
    assert_eq!(across[1][4], "plain = fine");
}

/// `debrief show 1 | head -1` printed "Broken pipe (os error 32)" and exited 1. Every command that
/// writes to standard output exits quietly, with status 0, when its reader has gone.
#[test]
fn a_closed_pipe_on_stdout_ends_quietly() {
    let env = Env::new();
    env.ok(&["demo"]);
    // More than the 64 KiB the output is buffered in: the error comes from a write mid-stream.
    let log = env.db.with_file_name("big.log");
    let lines: String = (0..3000)
        .map(|i| {
            format!(
                "2026-11-26T10:{:02}:{:02}Z upstream timeout after 3000ms req={i}\n",
                i / 60 % 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(&log, lines).unwrap();
    env.ok(&["import", "-i", "1", "--format", "log", log.to_str().unwrap()]);
    for args in [
        &["show", "1"][..],
        &["show", "1", "--json"],
        &["list"],
        &["list", "--json"],
        &["export", "1"],
        &["export", "1", "--format", "json"],
        &["export", "1", "--format", "json", "--audience", "external"],
        &["export", "1", "--format", "csv"],
        &["actions", "--csv"],
        &["history", "1"],
        &["stats"],
        &["check", "1"],
    ] {
        // The reading end is closed before the child starts: its first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&env.db)
            .args(args)
            .env("DEBRIEF_AUTHOR", "tester")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err, "", "{args:?} says nothing");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

/// `debrief open 1 </dev/null >out` wrote ESC[?1049l (leave the alternate screen it never
/// entered) to `out` before its error. A console without a terminal writes nothing to stdout
/// and says why. (Run without a controlling terminal, so no version can reach for /dev/tty.)
#[test]
fn a_console_without_a_terminal_writes_nothing_to_stdout() {
    use std::os::unix::process::CommandExt;
    let env = Env::new();
    env.ok(&["new", "x"]);
    for args in [&["open", "1"][..], &[]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
        cmd.arg("--db")
            .arg(&env.db)
            .args(args)
            .env("DEBRIEF_AUTHOR", "tester")
            .stdin(std::process::Stdio::null());
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "", "{args:?}: nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("the console needs a terminal, and standard input and output are not a terminal"),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn event_count(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap()
}

fn run_stdin(db: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("DEBRIEF_AUTHOR", "tester")
        .env("TZ", "Europe/Berlin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn import_each_format_then_again_without_duplicates() {
    let env = Env::new();
    env.ok(&["new", "imports", "--zone", "Europe/Berlin"]);
    for (file, format, n) in [
        ("incident.csv", "csv", 12),
        ("events.jsonl", "jsonl", 10),
        ("api.log", "log", 13),
        ("slack.json", "slack", 12),
    ] {
        let before = event_count(&env.db);
        let out = env.ok(&["import", "-i", "1", &fixture(file)]);
        assert!(out.contains(&format!("imported {n} events")), "{file}: {out}");
        assert_eq!(event_count(&env.db), before + n, "{file}");
        let again = env.ok(&["import", "-i", "1", "--format", format, &fixture(file)]);
        assert!(
            again.contains("imported 0 events") && again.contains(&format!("({n} already there)")),
            "{again}"
        );
        assert_eq!(event_count(&env.db), before + n, "{file} twice adds nothing");
    }
    let show = env.ok(&["show", "1"]);
    assert!(show.contains("imported") || show.contains("PayGate"), "{show}");
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", "1", "--json"])).unwrap();
    let sources: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["source"]["file"].as_str())
        .collect();
    assert!(
        sources.contains(&"slack.json") && sources.contains(&"api.log"),
        "{sources:?}"
    );
}

/// A warning repeated 80 times in one second is one event `×80`: in the dry run, the import's
/// answer, `show`, the Markdown and the JSON document (loaded again, it keeps its count).
/// Imported again, the count stays 80.
#[test]
fn a_repeated_line_is_one_event_with_its_count_everywhere() {
    let env = Env::new();
    env.ok(&["new", "burst", "--zone", "UTC"]);
    let mut log = String::from("2026-11-26T14:00:00Z start\n");
    log.push_str(&"2026-11-26T14:00:01Z WARN pool exhausted\n".repeat(80));
    let file = env.db.with_file_name("burst.log");
    std::fs::write(&file, &log).unwrap();
    let path = file.to_str().unwrap();
    let dry = env.ok(&["import", "--dry-run", "--zone", "UTC", path]);
    // The header counts lines read and the events they make, each for what it is.
    assert!(dry.contains("burst.log: 81 lines, 2 events as "), "{dry}");
    assert!(
        dry.contains("2 new, 0 already in incident 1, 79 repeats folded"),
        "{dry}"
    );
    // Its sample shows the line once, with its count, and nothing "more".
    assert_eq!(dry.matches("pool exhausted").count(), 1, "{dry}");
    assert!(dry.contains("  ×80 WARN pool exhausted\n"), "{dry}");
    assert!(!dry.contains("more"), "{dry}");
    let out = env.ok(&["import", "--zone", "UTC", path]);
    assert!(out.contains("imported 2 events from "), "{out}");
    assert!(out.contains("(0 already there, 79 repeats folded)"), "{out}");
    let again = env.ok(&["import", "--zone", "UTC", path]);
    assert!(
        again.contains("imported 0 events") && again.contains("(2 already there, 79 repeats folded)"),
        "{again}"
    );
    assert_eq!(event_count(&env.db), 2);

    let show = env.ok(&["show", "1"]);
    let line = show.lines().find(|l| l.contains("pool exhausted")).unwrap();
    assert!(line.contains(" ×80 WARN pool exhausted"), "{line}");
    let md = env.ok(&["export", "1"]);
    assert!(md.contains(" · ×80 · WARN pool exhausted"), "{md}");
    let json = env.ok(&["export", "1", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let counts: Vec<_> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].clone())
        .collect();
    assert_eq!(counts, [serde_json::Value::Null, 80.into()], "absent means once");
    let saved = env.db.with_file_name("burst.json");
    std::fs::write(&saved, &json).unwrap();
    assert_eq!(env.ok(&["load", saved.to_str().unwrap()]).trim(), "2");
    assert_eq!(env.ok(&["export", "2", "--format", "json"]), json);
    let after = env.ok(&["import", "-i", "2", "--zone", "UTC", path]);
    assert!(after.contains("imported 0 events"), "{after}");
    assert!(env.ok(&["show", "2"]).contains(" ×80 WARN"));

    std::fs::write(&saved, json.replace("\"count\": 80", "\"count\": 0")).unwrap();
    env.fails(&["load", saved.to_str().unwrap()], "count 0 is not a number of times");
}

/// A database written before counts (schema 7) holds a repeated line once, under the key it
/// has now: importing the file again adds nothing, and the count becomes right.
#[test]
fn a_file_imported_before_counts_adds_nothing_and_gets_its_count() {
    let env = Env::new();
    let log = "2026-11-26T14:00:00Z start\n2026-11-26T14:00:01Z again\n2026-11-26T14:00:01Z again\n2026-11-26T14:00:01Z again\n";
    let file = env.db.with_file_name("old.log");
    std::fs::write(&file, log).unwrap();
    {
        let conn = crate::support::seed::database_at(&env.db, 7);
        conn.execute(
            "INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
             VALUES ('old', 2, 'open', 'UTC', 0, 0, 0)",
            [],
        )
        .unwrap();
        // The keys the version before this change stored (tests/fixtures/import/formats/keys-before-18.txt
        // holds the same for the fixtures): the instant and the text.
        for (ms, text) in [(1795701600000i64, "start"), (1795701601000, "again")] {
            let at = chrono::DateTime::from_timestamp_millis(ms).unwrap();
            conn.execute(
                "INSERT INTO events (incident_id, at, kind, text, author, source, import_key)
                 VALUES (1, ?, 'observation', ?, 'tester', 'imported:old.log', ?)",
                rusqlite::params![ms, text, debrief::model::document::import_key(at, text)],
            )
            .unwrap();
        }
    }
    let out = env.ok(&["import", "-i", "1", "--zone", "UTC", file.to_str().unwrap()]);
    assert!(
        out.contains("imported 0 events") && out.contains("(2 already there, 2 repeats folded)"),
        "{out}"
    );
    assert_eq!(event_count(&env.db), 2);
    assert!(env.ok(&["show", "1"]).contains(" ×3 again"));
}

/// Progress is for a person at a terminal: with stderr piped (a script, a CI log), an import
/// and its preview write their result lines to stdout and nothing at all to stderr.
#[test]
fn an_import_with_stderr_piped_shows_no_progress() {
    let env = Env::new();
    env.ok(&["new", "quiet", "--zone", "UTC"]);
    for args in [
        &["import", "--dry-run", "--zone", "UTC", &fixture("api.log")][..],
        &["import", "--zone", "UTC", &fixture("api.log")][..],
    ] {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}: nothing on stderr");
        assert!(String::from_utf8_lossy(&out.stdout).contains("13 events"), "{args:?}");
    }
}

#[test]
fn dry_run_writes_nothing_and_reports_skipped_lines() {
    let env = Env::new();
    env.ok(&["new", "dry"]);
    let out = env.ok(&["import", "--dry-run", &fixture("api.log")]);
    assert!(
        out.contains("13 events as log text (log), 20 of 21 lines matched (dry run: nothing written)"),
        "{out}"
    );
    assert!(out.contains("api.log:1: no timestamp before this line"), "{out}");
    assert_eq!(event_count(&env.db), 0);
}

#[test]
fn a_malformed_import_names_the_line_and_changes_nothing() {
    let env = Env::new();
    env.ok(&["new", "bad", "--zone", "UTC"]);
    env.ok(&["log", "14:00 already here"]);
    let bad = env.db.with_file_name("bad.csv");
    std::fs::write(&bad, "time,text\n14:01,fine\n14:02,also fine\n25:99,broken\n").unwrap();
    env.fails(
        &["import", bad.to_str().unwrap()],
        "bad.csv:4: cannot read time \"25:99\" in column \"time\"",
    );
    let jsonl = env.db.with_file_name("bad.jsonl");
    std::fs::write(&jsonl, "{\"time\":\"14:01\",\"text\":\"ok\"}\n{\"time\": 14:02\n").unwrap();
    env.fails(&["import", jsonl.to_str().unwrap()], "bad.jsonl:2:");
    env.fails(
        &["import", "--format", "xml", bad.to_str().unwrap()],
        "unknown import format \"xml\"",
    );
    env.fails(&["import", "-i", "9", bad.to_str().unwrap()], "unknown incident 9");
    assert_eq!(event_count(&env.db), 1);
}

/// `--zone "Europe/Berlin "` used to store the untrimmed name, which read as UTC: typed times
/// were off by an hour while `show` printed the zone. The canonical name is stored now.
#[test]
fn a_zone_is_stored_by_its_canonical_name_and_a_bad_one_is_an_error() {
    let env = Env::new();
    assert_eq!(env.ok(&["new", "t", "--zone", "Europe/Berlin "]).trim(), "1");
    env.ok(&["new", "u", "--zone", "asia/tokyo"]);
    env.ok(&["log", "-i", "1", "--at", "2026-11-26 14:00", "in Berlin"]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", "1", "--json"])).unwrap();
    assert_eq!(json["incident"]["zone"], "Europe/Berlin");
    let at = json["events"][0]["at"].as_str().unwrap();
    assert!(at.starts_with("2026-11-26T13:00:00"), "{at}");
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", "2", "--json"])).unwrap();
    assert_eq!(json["incident"]["zone"], "Asia/Tokyo");
    env.fails(
        &["new", "v", "--zone", "Europe/Berlinn"],
        "unknown time zone \"Europe/Berlinn\"",
    );
}

/// A POSIX TZ rule cannot be a stored zone: `new` says which zone it uses instead of silently
/// using UTC; an IANA name in TZ, in any spelling, is used.
#[test]
fn a_posix_tz_rule_gives_utc_with_a_warning() {
    let env = Env::new();
    let new = |tz: &str| {
        Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&env.db)
            .args(["new", "t"])
            .env("DEBRIEF_AUTHOR", "tester")
            .env("TZ", tz)
            .output()
            .unwrap()
    };
    let out = new("EST5EDT,M3.2.0,M11.1.0");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "warning: TZ=\"EST5EDT,M3.2.0,M11.1.0\" is not an IANA time zone name, which debrief needs; using UTC"
        ),
        "{err}"
    );
    let out = new(":america/new_york ");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = new("/usr/share/zoneinfo/Asia/Tokyo");
    assert!(out.status.success() && out.stderr.is_empty());
    let zones: Vec<String> = (1..=3)
        .map(|id| {
            let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", &id.to_string(), "--json"])).unwrap();
            json["incident"]["zone"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(zones, ["UTC", "America/New_York", "Asia/Tokyo"]);
}

/// A CSV quote that never closes used to swallow the rest of the file ("imported 2 events",
/// one of them 25 KB): now the import is refused naming the line where the quote opened.
#[test]
fn an_unclosed_csv_quote_names_its_line_and_imports_nothing() {
    let env = Env::new();
    env.ok(&["new", "quotes", "--zone", "UTC"]);
    env.ok(&["log", "-i", "1", "13:00 already here"]);
    let mut csv = String::from("time,text\n2026-11-26 13:59,fine\n2026-11-26 14:00,\"he said \"\"stop\n");
    for i in 0..1000 {
        csv.push_str(&format!("2026-11-26 15:{:02},valid line {i}\n", i % 60));
    }
    let file = env.db.with_file_name("quotes.csv");
    std::fs::write(&file, csv).unwrap();
    env.fails(
        &["import", "-i", "1", file.to_str().unwrap()],
        "quotes.csv:3: a quoted field opened on this line is never closed",
    );
    assert_eq!(event_count(&env.db), 1);
}

/// Memory stays bounded: a line past 1 MiB is refused naming it, and an endless input without
/// line breaks (/dev/zero) is refused as soon as the first line passes the bound.
#[test]
fn an_overlong_line_or_dev_zero_is_refused_naming_the_line() {
    let env = Env::new();
    env.ok(&["new", "big", "--zone", "UTC"]);
    let file = env.db.with_file_name("big.log");
    let text = format!(
        "2026-11-26T13:00:00Z ok\n2026-11-26T13:01:00Z {}\n2026-11-26T13:02:00Z ok\n",
        "x".repeat(2 << 20)
    );
    std::fs::write(&file, text).unwrap();
    env.fails(
        &["import", "-i", "1", file.to_str().unwrap()],
        "big.log:2: a line longer than 1 MiB",
    );
    let csv = env.db.with_file_name("big.csv");
    std::fs::write(&csv, format!("time,text\n14:00,\"{}\"\n", "y".repeat(2 << 20))).unwrap();
    env.fails(
        &["import", "-i", "1", csv.to_str().unwrap()],
        "big.csv:2: a record longer than 1 MiB",
    );
    if Path::new("/dev/zero").exists() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&env.db)
            .args(["import", "-i", "1", "--format", "log", "/dev/zero"])
            .env("DEBRIEF_AUTHOR", "tester")
            .env("TZ", "UTC")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("import of /dev/zero still running after 10 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(err.contains("/dev/zero:1: a line longer than 1 MiB"), "{err}");
    }
    assert_eq!(event_count(&env.db), 0);
}

/// `debrief log -i 1 3:1 ratio …` is text logged now, not an event at 03:01.
#[test]
fn a_ratio_at_the_start_of_a_log_entry_is_text() {
    let env = Env::new();
    env.ok(&["new", "ratios", "--zone", "UTC"]);
    for text in ["3:1 ratio of reads to writes", "1:1 with the vendor", "10:1 overcommit"] {
        let words: Vec<&str> = text.split(' ').collect();
        let mut args = vec!["log", "-i", "1"];
        args.extend(&words);
        env.ok(&args);
    }
    env.ok(&["log", "-i", "1", "3:01", "early", "page"]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", "1", "--json"])).unwrap();
    let texts: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    for text in [
        "3:1 ratio of reads to writes",
        "1:1 with the vendor",
        "10:1 overcommit",
        "early page",
    ] {
        assert!(texts.contains(&text), "{text:?} not in {texts:?}");
    }
}

#[test]
fn import_from_stdin_cleans_hostile_text() {
    let env = Env::new();
    env.ok(&["new", "pipe", "--zone", "UTC"]);
    let input = b"Nov 26 14:32:01 host api[7]: \x1b]0;owned\x07upstream \x1b[2Jtimeout\nNov 26 14:32:05 host api[7]: \xff\x9b31m retry \xe2\x80\xaeevil\n";
    let out = run_stdin(&env.db, &["import", "-"], input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2 events from stdin"));
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let texts: Vec<String> = conn
        .prepare("SELECT text FROM events ORDER BY at")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(texts[0], "host api[7]: upstream timeout");
    for t in &texts {
        assert!(debrief::model::sanitize::is_clean(t), "{t:?}");
        assert!(!t.contains('\u{1b}') && !t.contains('\u{202e}'), "{t:?}");
    }
}

/// The file name from issue #12 §4: its OSC and CSI reached the terminal raw in "imported … from
/// NAME" and the `--dry-run` header, and were stored in `events.source`.
#[test]
fn a_hostile_file_name_is_cleaned_in_messages_and_the_source() {
    let env = Env::new();
    env.ok(&["new", "names", "--zone", "UTC"]);
    let dir = env.db.with_file_name("f");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("evil\x1b]0;PWNED\x07\x1b[2J.log");
    std::fs::write(&file, "2026-11-24T13:00:00Z hello\n").unwrap();
    let shown = dir.join("evil.log").display().to_string();
    let dry = env.ok(&["import", "--dry-run", file.to_str().unwrap()]);
    assert!(
        dry.starts_with(&format!(
            "{shown}: 1 event as log text (log), 1 of 1 line matched (dry run"
        )),
        "{dry:?}"
    );
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert!(
        out.starts_with(&format!("imported 1 event from {shown} into incident 1")),
        "{out:?}"
    );
    for text in [&dry, &out] {
        assert!(!text.contains(['\x1b', '\x07']) && !text.contains("PWNED"), "{text:?}");
    }
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let source: String = conn.query_row("SELECT source FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(source, "imported:evil.log");
    let detail: String = conn
        .query_row("SELECT detail FROM history WHERE op = 'import'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(detail, "1 event from evil.log");
}

/// A chat transcript (times of day, no dates) imported days later lands on the resolved
/// incident's day, and a line after midnight on the day after.
#[test]
fn chat_times_are_read_on_the_incident_day() {
    let env = Env::new();
    env.ok(&[
        "new",
        "chat",
        "--zone",
        "Europe/Berlin",
        "--started",
        "2026-11-20 14:07",
    ]);
    env.ok(&["log", "--at", "2026-11-20 16:00", "--milestone", "resolved", "resolved"]);
    let chat = env.db.with_file_name("chat.txt");
    std::fs::write(&chat, "[13:58] lena: release rolled out\n[00:10] ana: quiet now\n").unwrap();
    let out = env.ok(&["import", "--dry-run", chat.to_str().unwrap()]);
    assert!(
        out.contains("from 2026-11-20 13:58:00 to 2026-11-21 00:10:00 (Europe/Berlin)"),
        "{out}"
    );
    env.ok(&["import", chat.to_str().unwrap()]);
    assert_eq!(
        event_count(&env.db),
        4,
        "the start and resolved events and the two lines"
    );
}

/// A Slack export as Slack gives it: the folder `slack-export` zipped (deflated), with
/// `extra` members added.
fn slack_zip(to: &Path, extra: &[(&str, &[u8])]) {
    use std::io::Write;
    let root = PathBuf::from(fixture("slack-export"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut members = vec![
        "users.json",
        "channels.json",
        "general/2026-11-25.json",
        "inc-payments/2026-11-25.json",
        "inc-payments/2026-11-26.json",
    ];
    members.reverse(); // the order in the archive is not the order of the days
    for name in members {
        zip.start_file(name, options).unwrap();
        zip.write_all(&std::fs::read(root.join(name)).unwrap()).unwrap();
    }
    for (name, bytes) in extra {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// A Slack export's .zip: its channels listed when none is named, every day of the one named
/// in order, names from users.json, a thread's reply at its own time marked with the message
/// it answers; its folder (or the channel's folder) gives the same events, so adds nothing.
#[test]
fn a_slack_export_zip_spanning_two_days_with_a_thread() {
    let env = Env::new();
    env.ok(&["new", "slack", "--zone", "UTC"]);
    let zip = env.db.with_file_name("export.zip");
    slack_zip(&zip, &[]);
    let zip = zip.to_str().unwrap();
    env.fails(
        &["import", zip],
        "holds 2 channels: general, inc-payments; name one with --channel NAME",
    );
    env.fails(
        &["import", "--channel", "incidents", zip],
        "holds no channel \"incidents\"; its channels: general, inc-payments",
    );
    let dry = env.ok(&["import", "--dry-run", "--channel", "inc-payments", "--zone", "UTC", zip]);
    assert!(
        dry.contains("4 events as Slack export (slack), 4 of 5 messages matched"),
        "{dry}"
    );
    assert!(dry.contains("channel inc-payments of the Slack export"), "{dry}");
    assert!(
        dry.contains("export.zip: message 2: a \"channel_join\" message"),
        "{dry}"
    );
    let out = env.ok(&["import", "--channel", "#inc-payments", zip]);
    assert!(out.contains("imported 4 events from "), "{out}");

    let show = env.ok(&["show", "1"]);
    let timeline: Vec<&str> = show
        .lines()
        .skip_while(|l| !l.starts_with("Timeline:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let want = [
        (
            "2026-11-25 23:50:00",
            "PayFast status page says degraded since 23:40 (Marco Rossi · from #inc-payments)",
        ),
        (
            "2026-11-25 23:52:30",
            "@Marco Rossi checking our error rate (Lena Fischer · from #inc-payments)",
        ),
        (
            "2026-11-26 00:05:00",
            "↳ Marco Rossi: PayFast status page says degraded since… — 5xx at 12%, it's them (Lena Fischer · from #inc-payments)",
        ),
        (
            "2026-11-26 00:20:00",
            "Resolved: checkout error rate (PagerDuty · from #inc-payments)",
        ),
    ];
    assert_eq!(timeline.len(), want.len(), "{show}");
    for (line, (at, text)) in timeline.iter().zip(want) {
        assert!(line.contains(at) && line.contains(text), "{line:?} lacks {at} {text}");
    }
    let folder = fixture("slack-export");
    let again = env.ok(&["import", "--channel", "inc-payments", &folder]);
    assert!(
        again.contains("imported 0 events") && again.contains("(4 already there)"),
        "{again}"
    );
    let channel = format!("{folder}/inc-payments");
    let again = env.ok(&["import", &channel]);
    assert!(again.contains("imported 0 events"), "{again}");
    // The unpacked folder zipped again, within a folder of its own.
    let rezipped = env.db.with_file_name("rezipped.zip");
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&rezipped).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for name in [
            "users.json",
            "inc-payments/2026-11-25.json",
            "inc-payments/2026-11-26.json",
        ] {
            zip.start_file(format!("slack-export/{name}"), options).unwrap();
            zip.write_all(&std::fs::read(Path::new(&folder).join(name)).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    let again = env.ok(&["import", rezipped.to_str().unwrap()]);
    assert!(
        again.contains("imported 0 events") && again.contains("(4 already there)"),
        "{again}"
    );
    assert_eq!(event_count(&env.db), 4);
}

/// A .zip is read from its file: standard input is refused, and so is --channel with it; a
/// member that inflates past its bound stops there; a channel of a file that is no export is
/// an error.
#[test]
fn a_slack_zip_needs_a_file_and_a_member_that_inflates_is_bounded() {
    let env = Env::new();
    env.ok(&["new", "slack"]);
    let zip = env.db.with_file_name("export.zip");
    slack_zip(&zip, &[]);
    let bytes = std::fs::read(&zip).unwrap();
    for args in [
        &["import", "-"][..],
        &["import", "--dry-run", "-"],
        &["import", "--channel", "general", "-"],
    ] {
        let out = run_stdin(&env.db, args, &bytes);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("standard input"), "{args:?}: {err}");
    }
    let bomb = env.db.with_file_name("bomb.zip");
    let zeros = vec![b' '; 5 * 1024 * 1024];
    slack_zip(&bomb, &[("inc-payments/2026-11-27.json", &zeros)]);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 200_000, "deflated");
    env.fails(
        &["import", "--channel", "inc-payments", bomb.to_str().unwrap()],
        "bomb.zip: inc-payments/2026-11-27.json: larger than 4 MiB",
    );
    env.fails(
        &["import", "--channel", "general", &fixture("api.log")],
        "is not a Slack export",
    );
    let hostile = env.db.with_file_name("hostile.zip");
    let text = "[{\"type\":\"message\",\"user\":\"U9\",\"text\":\"\\u001b[2Jwiped\\u0007\",\"ts\":\"1795650600.1\"}]";
    slack_zip(&hostile, &[("\u{1b}[31mred/2026-11-25.json", text.as_bytes())]);
    let out = env.run(&["import", hostile.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("holds 3 channels: red, general, inc-payments"), "{err:?}");
    let out = env.ok(&["import", "--channel", "\u{1b}[31mred", hostile.to_str().unwrap()]);
    assert!(out.contains("imported 1 event "), "{out}");
    let show = env.ok(&["show", "1"]);
    assert!(
        show.contains("wiped") && !show.contains('\u{1b}') && !show.contains('\u{7}'),
        "{show:?}"
    );
}
