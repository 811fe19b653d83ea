//! The store against real files: migrations, refusals, concurrency, versions.

use chrono::NaiveDate;
use chrono::{TimeZone, Utc};
use debrief::model::{ActionKind, ActionStatus, CauseState, EventKind, Milestone, Severity, Source};
use debrief::store::{ActionFilter, EventFilter, NewAction, NewEvent, NewIncident, Store, StoreError};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn new_incident(store: &Store, title: &str) -> i64 {
    store
        .create_incident(&NewIncident {
            title: title.into(),
            severity: Severity::Sev2,
            zone: "Europe/Berlin".into(),
            started_at: None,
        })
        .unwrap()
}

fn event(text: &str, minute: u32) -> NewEvent {
    NewEvent {
        at: Utc.with_ymd_and_hms(2026, 11, 26, 14, minute, 0).unwrap(),
        kind: EventKind::Note,
        text: text.into(),
        milestone: None,
        source: Source::Typed,
        author: None,
    }
}

#[test]
fn a_new_file_is_migrated_in_wal_mode_with_mode_0600_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.db");
    {
        let store = Store::open(&path, "ana").unwrap();
        assert_eq!(store.schema_version().unwrap(), debrief::store::schema::CURRENT_VERSION);
        let mode: String = store
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store
            .connection()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = store
            .connection()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        new_incident(&store, "first");
    }
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let store = Store::open(&path, "ben").unwrap();
    let incidents = store.incidents().unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].title, "first");
    assert_eq!(store.causes(incidents[0].id).unwrap().len(), 5, "five standard causes");
    assert!(
        store
            .causes(incidents[0].id)
            .unwrap()
            .iter()
            .all(|c| c.state == CauseState::Unexamined)
    );
}

fn assert_refused_unchanged(path: &Path, want: &str) {
    let before = std::fs::read(path).unwrap();
    let err = Store::open(path, "ana").err().expect("must be refused").to_string();
    assert!(err.contains(want), "{err}");
    assert!(err.contains(&path.display().to_string()), "names the file: {err}");
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "file must be byte-for-byte unchanged"
    );
}

#[test]
fn a_database_from_a_newer_debrief_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path, "ana").unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    assert_refused_unchanged(
        &path,
        &format!(
            "newer debrief (schema version 99, this debrief knows up to {})",
            debrief::store::schema::CURRENT_VERSION
        ),
    );
}

#[test]
fn files_that_are_not_debrief_databases_are_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some notes\n").unwrap();
    assert_refused_unchanged(&text, "not a debrief database (it is not an SQLite file)");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    assert_refused_unchanged(&empty, "the file is empty");

    let other = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    assert_refused_unchanged(&other, "another application's SQLite file");

    let good = dir.path().join("good.db");
    {
        let s = Store::open(&good, "ana").unwrap();
        new_incident(&s, "x");
        s.connection().pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let before = std::fs::read(&truncated).unwrap();
    let result = Store::open(&truncated, "ana").and_then(|s| s.incidents().map(|_| s.integrity_check()));
    match result {
        Err(e) => assert!(e.to_string().contains("truncated.db"), "{e}"),
        Ok(check) => assert_ne!(check.unwrap(), "ok", "a truncated file cannot pass integrity_check"),
    }
    assert_eq!(std::fs::read(&truncated).unwrap(), before);
}

#[test]
fn read_only_files_and_missing_directories_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.db");
    drop(Store::open(&path, "ana").unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    assert_refused_unchanged(&path, "read-only");
    let err = Store::open(&dir.path().join("nope/x.db"), "ana")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
    let ro_dir = dir.path().join("locked");
    std::fs::create_dir(&ro_dir).unwrap();
    std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = Store::open(&ro_dir.join("x.db"), "ana").err().unwrap().to_string();
    assert!(err.contains("read-only"), "{err}");
    assert!(!ro_dir.join("x.db").exists());
}

#[test]
fn two_connections_writing_at_once_never_see_busy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    let id = new_incident(&Store::open(&path, "setup").unwrap(), "concurrent");
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path, &format!("writer{t}")).unwrap();
                for i in 0..150 {
                    store
                        .add_event(id, &event(&format!("w{t} e{i}"), (i % 60) as u32))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a writer failed");
    }
    let store = Store::open(&path, "check").unwrap();
    assert_eq!(store.count_events(id, &EventFilter::default()).unwrap(), 300);
}

#[test]
fn a_stale_update_is_a_conflict_and_changes_nothing() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store, "conflicts");
    let eid = store.add_event(id, &event("original", 1)).unwrap();
    let mine = store.event(eid).unwrap();
    let mut theirs = mine.clone();
    theirs.text = "their edit".into();
    store.update_event(&theirs).unwrap();
    let mut stale = mine.clone();
    stale.text = "my edit".into();
    let err = store.update_event(&stale).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                yours: 1,
                theirs: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.event(eid).unwrap().text, "their edit");

    let cause = store.causes(id).unwrap().remove(0);
    store
        .set_cause_state(cause.id, cause.version, CauseState::Suspected)
        .unwrap();
    assert!(
        store
            .set_cause_state(cause.id, cause.version, CauseState::Confirmed)
            .unwrap_err()
            .is_conflict()
    );
    let aid = store
        .add_action(id, &NewAction::titled("fix it", ActionKind::Fix))
        .unwrap();
    let a = store.action(aid).unwrap();
    store.delete_action(aid, a.version).unwrap();
    assert!(matches!(
        store.delete_action(aid, a.version).unwrap_err(),
        StoreError::NotFound { .. }
    ));
}

#[test]
fn another_connections_commit_changes_data_version_and_history_names_authors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let a = Store::open(&path, "ana").unwrap();
    let b = Store::open(&path, "ben").unwrap();
    let id = new_incident(&a, "live");
    let before = b.data_version().unwrap();
    assert_eq!(b.data_version().unwrap(), before, "stable while nothing happens");
    a.add_event(id, &event("from a", 3)).unwrap();
    assert_ne!(b.data_version().unwrap(), before, "b notices a's commit");
    b.add_event(id, &event("from b", 4)).unwrap();
    let history = a.history(id, None).unwrap();
    let authors: Vec<&str> = history.iter().map(|h| h.author.as_str()).collect();
    assert_eq!(authors, ["ana", "ana", "ben"]);
    assert_eq!(history[2].op, "create");
    assert_eq!(history[2].detail, "from b");
}

#[test]
fn windowed_reads_positions_and_search() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store, "window");
    for i in 0..50u32 {
        let mut e = event(
            &format!(
                "event number {i} {}",
                if i % 10 == 0 { "database failover" } else { "quiet" }
            ),
            i,
        );
        e.kind = if i % 2 == 0 { EventKind::Alert } else { EventKind::Note };
        store.add_event(id, &e).unwrap();
    }
    let all = EventFilter::default();
    assert_eq!(store.count_events(id, &all).unwrap(), 50);
    let page = store.events_window(id, &all, 20, 5).unwrap();
    assert_eq!(
        page.iter()
            .map(|e| e.text.split(' ').nth(2).unwrap())
            .collect::<Vec<_>>(),
        ["20", "21", "22", "23", "24"]
    );
    assert_eq!(store.event_position(id, &all, page[2].id).unwrap(), Some(22));
    let alerts = EventFilter {
        kinds: vec![EventKind::Alert],
        ..Default::default()
    };
    assert_eq!(store.count_events(id, &alerts).unwrap(), 25);
    assert_eq!(store.count_matches(id, &all, "failov").unwrap(), 5, "prefix search");
    let first = store.next_match(id, &all, "database", None, true).unwrap().unwrap();
    assert!(first.text.starts_with("event number 0 "));
    let next = store
        .next_match(id, &all, "database", Some(first.id), true)
        .unwrap()
        .unwrap();
    assert!(next.text.starts_with("event number 10 "));
    let back = store
        .next_match(id, &all, "database", Some(next.id), false)
        .unwrap()
        .unwrap();
    assert_eq!(back.id, first.id);
    assert_eq!(
        store.count_matches(id, &all, "\"unbalanced quote").unwrap(),
        0,
        "odd input is no error"
    );
}

#[test]
fn an_import_that_fails_halfway_writes_nothing_and_a_repeat_adds_nothing() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store, "import");
    let feed = |fail_at: Option<usize>| {
        move |sink: &mut dyn FnMut(NewEvent, &str) -> Result<(), StoreError>| -> Result<(), StoreError> {
            for i in 0..10usize {
                if Some(i) == fail_at {
                    return Err(StoreError::Invalid(format!("bad line {i}")));
                }
                sink(event(&format!("imported {i}"), i as u32), &format!("key{i}"))?;
            }
            Ok(())
        }
    };
    assert!(store.import_events(id, "log.txt", feed(Some(7))).is_err());
    assert_eq!(
        store.count_events(id, &EventFilter::default()).unwrap(),
        0,
        "all or nothing"
    );
    let ((), first) = store.import_events(id, "log.txt", feed(None)).unwrap();
    assert_eq!((first.inserted, first.duplicates), (10, 0));
    let ((), again) = store.import_events(id, "log.txt", feed(None)).unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 10));
    assert_eq!(store.count_events(id, &EventFilter::default()).unwrap(), 10);
}

#[test]
fn milestones_give_durations_and_evidence_links_both_ways() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store, "m");
    let mut start = event("impact", 0);
    start.milestone = Some(Milestone::ImpactStarted);
    store.add_event(id, &start).unwrap();
    let eid = store.add_event(id, &event("paged", 12)).unwrap();
    let e = store.event(eid).unwrap();
    store.set_milestone(eid, e.version, Some(Milestone::Detected)).unwrap();
    assert_eq!(
        store.milestones(id).unwrap().durations().detect,
        Some(chrono::Duration::minutes(12))
    );
    let cause = store.causes(id).unwrap()[4].clone();
    assert!(store.toggle_evidence(cause.id, eid).unwrap());
    assert_eq!(store.cause(cause.id).unwrap().evidence, vec![eid]);
    assert_eq!(store.causes_of_event(eid).unwrap(), vec![cause.id]);
    assert!(!store.toggle_evidence(cause.id, eid).unwrap());
    assert!(store.cause(cause.id).unwrap().evidence.is_empty());
}

#[test]
fn text_from_outside_is_cleaned_before_it_is_stored() {
    let store = Store::open_in_memory("ana\x1b]0;x\x07").unwrap();
    let id = new_incident(&store, "\x1b[2Jtitle\u{202E}");
    assert_eq!(store.incident(id).unwrap().title, "title");
    let eid = store
        .add_event(id, &event("ok\x1b]52;c;ZXZpbA==\x07 \u{9b}31m done", 1))
        .unwrap();
    assert_eq!(store.event(eid).unwrap().text, "ok 31m done");
    let cause = store.add_custom_cause(id, "DNS\x1b[5m").unwrap();
    assert_eq!(store.cause(cause).unwrap().category.label(), "DNS");
}

#[test]
fn the_author_is_cleaned_too() {
    let store = Store::open_in_memory("ana\x1b]0;x\x07").unwrap();
    let id = new_incident(&store, "a");
    let eid = store.add_event(id, &event("x", 1)).unwrap();
    assert_eq!(store.event(eid).unwrap().author, "ana");
    assert_eq!(store.history(id, None).unwrap()[0].author, "ana");
}

/// The timeline reads a window in the later half backwards from the end; it must be the very
/// same window, ties in time ordered by id, with and without a filter, at every offset.
#[test]
fn windows_read_from_either_end_are_the_same() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store, "windows");
    let other = new_incident(&store, "other");
    for i in 0..23u32 {
        let mut e = event(&format!("event {i}"), i / 3);
        if i % 4 == 0 {
            e.kind = EventKind::Alert;
        }
        store.add_event(id, &e).unwrap();
        store.add_event(other, &event("elsewhere", i / 2)).unwrap();
    }
    let alerts = EventFilter {
        kinds: vec![EventKind::Alert],
        ..Default::default()
    };
    for filter in [EventFilter::default(), alerts] {
        let total = store.count_events(id, &filter).unwrap();
        let ids = |v: Vec<debrief::model::Event>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
        for offset in 0..=total + 1 {
            for limit in 0..=total + 2 {
                let forward = ids(store.events_window(id, &filter, offset, limit).unwrap());
                let either = ids(store.events_window_of(id, &filter, offset, limit, total).unwrap());
                assert_eq!(either, forward, "offset {offset}, limit {limit}, total {total}");
            }
        }
    }
}

#[test]
fn action_filter_matches_what_actions_across_selects() {
    // The board filters the actions it has read with `matches`; the cross-incident list asks SQL.
    // Both must mean the same owner, status and overdue.
    let store = Store::open_in_memory("ana").unwrap();
    let demo = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let other = new_incident(&store, "other");
    for (title, owner, due) in [
        ("undated", "Marco Rossi", None),
        ("lower case owner", "marco rossi", NaiveDate::from_ymd_opt(2026, 11, 30)),
        ("nobody's", "", NaiveDate::from_ymd_opt(2026, 11, 1)),
        ("non-ASCII owner", "élodie Ørsted", NaiveDate::from_ymd_opt(2026, 11, 2)),
    ] {
        let mut new = NewAction::titled(title, ActionKind::Fix);
        new.owner = owner.into();
        new.due = due;
        store.add_action(other, &new).unwrap();
    }
    let all: Vec<_> = [demo, other]
        .iter()
        .flat_map(|id| store.actions(*id).unwrap())
        .collect();
    assert_eq!(all.len(), 12);
    let owners = [
        None,
        Some("MARCO ROSSI"),
        Some(" Lena Fischer "),
        Some("nobody"),
        Some("Élodie ørsted"),
    ];
    let statuses = [
        vec![],
        vec![ActionStatus::Todo, ActionStatus::Doing],
        vec![ActionStatus::Doing],
        vec![ActionStatus::Done],
    ];
    let days = [
        None,
        NaiveDate::from_ymd_opt(2026, 12, 2),
        NaiveDate::from_ymd_opt(2026, 11, 20),
    ];
    let mut nonempty = 0;
    for owner in owners {
        for statuses in &statuses {
            for overdue_on in days {
                for incident_id in [None, Some(other)] {
                    let filter = ActionFilter {
                        owner: owner.map(String::from),
                        statuses: statuses.clone(),
                        overdue_on,
                        incident_id,
                    };
                    let mut sql: Vec<i64> = store
                        .actions_across(&filter)
                        .unwrap()
                        .iter()
                        .map(|r| r.action.id)
                        .collect();
                    sql.sort();
                    let mut mine: Vec<i64> = all.iter().filter(|a| filter.matches(a)).map(|a| a.id).collect();
                    mine.sort();
                    assert_eq!(mine, sql, "{filter:?}");
                    nonempty += usize::from(!sql.is_empty());
                }
            }
        }
    }
    assert!(nonempty > 20, "the filters select something: {nonempty}");
}

/// Presence is best effort: while another process holds the write lock (a long import), a
/// heartbeat gives up at once instead of freezing the console for the busy timeout.
#[test]
fn a_heartbeat_does_not_wait_behind_a_long_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.db");
    let store = Store::open(&path, "ana").unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Released after a second: a heartbeat that waited like other writes would then succeed.
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        other.execute_batch("COMMIT").unwrap();
    });
    let err = store
        .heartbeat("s1", None, chrono::Utc::now(), chrono::Utc::now())
        .unwrap_err();
    assert!(Store::is_busy(&err), "{err}");
    writer.join().unwrap();
    store
        .heartbeat("s1", None, chrono::Utc::now(), chrono::Utc::now())
        .unwrap();
    // Other writes still wait their turn.
    new_incident(&store, "after the lock");
}

/// A database written at schema version 1 holds zone names as typed (`Europe/Berlin ` from
/// `debrief new --zone "Europe/Berlin "`), which read as UTC. Opening it migrates them to the
/// canonical name; a name that is no zone is left alone, and reading that incident is an error.
#[test]
fn the_zone_migration_canonicalises_names_and_unreadable_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let conn = crate::support::seed::database_at(&path, 1);
        for (title, zone) in [
            ("trailing", "Europe/Berlin "),
            ("lower", " america/new_york"),
            ("fine", "Asia/Tokyo"),
            ("broken", "Mars/Olympus"),
        ] {
            conn.execute(
                "INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
                 VALUES (?, 2, 'open', ?, 0, 0, 0)",
                [title, zone],
            )
            .unwrap();
        }
    }
    let store = Store::open(&path, "ana").unwrap();
    assert_eq!(store.schema_version().unwrap(), debrief::store::schema::CURRENT_VERSION);
    let zones: Vec<String> = store.incidents().unwrap().into_iter().map(|i| i.zone).collect();
    assert_eq!(
        zones,
        ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Mars/Olympus"]
    );
    assert_eq!(store.incident(1).unwrap().tz(), chrono_tz::Europe::Berlin);
    let err = store.incident(4).unwrap_err().to_string();
    assert_eq!(
        err,
        "incident 4: unknown time zone \"Mars/Olympus\" (use an IANA name such as Europe/Berlin or UTC)"
    );
}

/// New incidents, edits and loads store the canonical name, whatever the spelling typed.
#[test]
fn zones_are_stored_by_their_canonical_name() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "t".into(),
            severity: Severity::Sev2,
            zone: "Europe/Berlin ".into(),
            started_at: None,
        })
        .unwrap();
    let mut incident = store.incident(id).unwrap();
    assert_eq!(incident.zone, "Europe/Berlin");
    incident.zone = "asia/TOKYO".into();
    assert_eq!(store.update_incident(&incident).unwrap().zone, "Asia/Tokyo");
    incident = store.incident(id).unwrap();
    incident.zone = "Nowhere/Special".into();
    let err = store.update_incident(&incident).unwrap_err().to_string();
    assert!(err.starts_with("unknown time zone \"Nowhere/Special\""), "{err}");
    assert_eq!(store.incident(id).unwrap().zone, "Asia/Tokyo");
}

/// A loaded document's events are indexed for search once, at the end of its one
/// transaction (as an import's): every word is found, each event once, and what is written
/// after the load is found too (the trigger is back).
#[test]
fn a_loaded_documents_events_are_found_by_search_as_are_later_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "tester").unwrap();
    let doc = debrief::demo::demo_document().unwrap();
    let first = store.load_document(&doc).unwrap();
    let second = store.load_document(&doc).unwrap();
    let find = |id: i64, words: &str| {
        let filter = EventFilter {
            text: Some(words.into()),
            ..Default::default()
        };
        store.count_events(id, &filter).unwrap()
    };
    let word = doc.events[0].text.split_whitespace().next().unwrap().to_string();
    let with_word = doc
        .events
        .iter()
        .filter(|e| e.text.to_lowercase().contains(&word.to_lowercase()))
        .count();
    assert!(with_word >= 1);
    for id in [first, second] {
        assert_eq!(find(id, &format!("\"{word}\"")) as usize, with_word, "{word}");
    }
    store.add_event(second, &event("typed after the load", 59)).unwrap();
    assert_eq!(find(second, "typed after"), 1);
    let check: String = rusqlite::Connection::open(dir.path().join("t.db"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}
