//! A curated timeline (#14 item 3): key events (`*`, `log --key`), the curated view with each
//! import folded into one row, log levels read as kinds with `--min-level`, the origin of an
//! imported line, and the postmortem's Timeline of key events with the full one in an appendix.

use crate::support::console::{app_on, key_at, screen};
use debrief::store::Store;
use debrief::tui::app::Screen;
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn run(db: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("DEBRIEF_NOW", "2026-11-25T09:00:00Z")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

/// `debrief --db DB ARGS…`, which must succeed: its standard output.
fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn demo_store(dir: &Path) -> (PathBuf, Store) {
    let db = dir.join("t.db");
    let store = Store::open(&db, "facilitator").unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    (db, store)
}

fn key(app: &mut debrief::tui::app::App, code: KeyCode) {
    key_at(app, code, 80, 24);
}

fn selected(app: &debrief::tui::app::App) -> debrief::model::Event {
    let Screen::Review(r) = &app.screen else {
        panic!("not on the review")
    };
    r.timeline.selected_event().cloned().expect("an event is selected")
}

#[test]
fn star_marks_an_event_as_key_and_unmarks_it_and_it_persists() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = demo_store(dir.path());
    let mut app = app_on(store, Theme::dark());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Down);
    let before = selected(&app);
    assert!(!before.key);
    key(&mut app, KeyCode::Char('*'));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Marked as a key event."), "{text}");
    assert!(
        text.lines().any(|l| l.contains("▶") && l.contains("★")),
        "the row shows it:\n{text}"
    );
    // Another process sees it: it is in the file.
    let other = Store::open(&db, "someone").unwrap();
    assert!(other.event(before.id).unwrap().key);
    let history = other.history(before.incident_id, Some(("event", before.id))).unwrap();
    assert!(history.iter().any(|h| h.op == "key"), "{history:?}");
    key(&mut app, KeyCode::Char('*'));
    assert!(!other.event(before.id).unwrap().key, "a second * unmarks it");
    let text = screen(&mut app, 80, 24);
    assert!(!selected(&app).key);
    assert!(text.lines().any(|l| l.contains("▶") && !l.contains('★')), "{text}");
}

#[test]
fn log_key_marks_the_event_in_show_and_show_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--zone", "UTC"]);
    ok(
        &db,
        &[
            "log",
            "-i",
            "1",
            "--key",
            "--at",
            "2026-11-24 14:00",
            "provider timing out",
        ],
    );
    ok(&db, &["log", "-i", "1", "--at", "2026-11-24 14:05", "a plain note"]);
    let shown = ok(&db, &["show", "1"]);
    let line = |w: &str| shown.lines().find(|l| l.contains(w)).unwrap().to_string();
    assert!(
        line("provider timing out").contains("note          * provider"),
        "{shown}"
    );
    assert!(!line("a plain note").contains('*'), "{shown}");
    let json: serde_json::Value = serde_json::from_str(&ok(&db, &["show", "1", "--json"])).unwrap();
    let events = json["events"].as_array().unwrap();
    let by_text = |t: &str| events.iter().find(|e| e["text"] == t).unwrap().clone();
    assert_eq!(by_text("provider timing out")["key"], true);
    assert!(by_text("a plain note").get("key").is_none(), "not written when false");
}

/// The demo with a log imported through the real import job.
fn demo_with_import(dir: &Path) -> (PathBuf, Store) {
    let (db, store) = demo_store(dir);
    drop(store);
    ok(&db, &["import", "-i", "1", fixture("levels.log").to_str().unwrap()]);
    (db.clone(), Store::open(&db, "facilitator").unwrap())
}

#[test]
fn the_curated_view_folds_each_import_and_enter_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, store) = demo_with_import(dir.path());
    let all = store.count_events(1, &Default::default()).unwrap();
    let mut app = app_on(store, Theme::dark());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('v'));
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("curated_80x24", text);
    insta::assert_snapshot!("curated_160x45", screen(&mut app, 160, 45));
    let Screen::Review(r) = &app.screen else { panic!() };
    assert!(r.timeline.total < all, "{} of {all}", r.timeline.total);
    // Select the fold and open it.
    for _ in 0..40 {
        let Screen::Review(r) = &app.screen else { panic!() };
        if r.timeline.selected_fold().is_some() {
            break;
        }
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let opened = screen(&mut app, 80, 24);
    assert!(opened.contains("Timeline levels.log (Esc: curated) (1/7)"), "{opened}");
    assert!(opened.contains("payment provider timeout"), "{opened}");
    assert!(!opened.contains("▸ 7 lines"), "{opened}");
    key(&mut app, KeyCode::Esc);
    let back = screen(&mut app, 80, 24);
    assert!(back.contains("Timeline curated"), "{back}");
    assert!(
        back.lines()
            .any(|l| l.contains("▶") && l.contains("▸ 7 lines from levels.log")),
        "on the fold again:\n{back}"
    );
    // v again: the whole timeline.
    key(&mut app, KeyCode::Char('v'));
    let whole = screen(&mut app, 80, 24);
    assert!(whole.contains(&format!("/{all})")), "{whole}");
}

#[test]
fn levels_give_kinds_and_min_level_leaves_out_lower_ones_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--zone", "UTC"]);
    let log = fixture("levels.log");
    let log = log.to_str().unwrap();
    let dry = ok(&db, &["import", "-i", "1", "--min-level", "warn", "--dry-run", log]);
    assert!(dry.contains("3 below warn left out (--min-level)"), "{dry}");
    assert!(dry.contains("4 new, 0 already"), "{dry}");
    let bad = run(&db, &["import", "-i", "1", "--min-level", "loud", log]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--min-level: unknown level \"loud\""), "{err}");
    ok(&db, &["import", "-i", "1", "--min-level", "WARNING", log]);
    let store = Store::open(&db, "reader").unwrap();
    let events = store.all_events(1).unwrap();
    let got: Vec<_> = events
        .iter()
        .map(|e| (e.kind.key(), e.origin.as_deref().unwrap_or("-"), e.author.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("observation", "payment-api", "tester"),
            ("alert", "payment-api", "tester"),
            ("alert", "checkout", "tester"),
            ("observation", "levels.log", "tester"),
        ],
        "warn → observation, error and fatal → alert; the line without a level is kept, \
         its origin the file; the importer is the author"
    );
    let shown = ok(&db, &["show", "1"]);
    assert!(shown.contains("(tester · from checkout)"), "{shown}");
}

#[test]
fn the_console_form_has_a_min_level() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, store) = demo_store(dir.path());
    let before = store.count_events(1, &Default::default()).unwrap();
    let mut app = app_on(store, Theme::dark());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('i'));
    crate::support::console::keys_at(&mut app, fixture("levels.log").to_str().unwrap(), 80, 24);
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    for _ in 0..5 {
        key(&mut app, KeyCode::Right);
    }
    let form = screen(&mut app, 80, 24);
    assert!(form.contains("Min level"), "{form}");
    key(&mut app, KeyCode::Enter);
    let preview = screen(&mut app, 80, 24);
    assert!(
        preview.contains("3 new · 0 already in this incident · 4 below error left out"),
        "{preview}"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.store.count_events(1, &Default::default()).unwrap(), before + 3);
}

#[test]
fn the_postmortem_timeline_holds_key_events_and_milestones_with_the_rest_in_an_appendix() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--zone", "UTC"]);
    ok(&db, &["log", "-i", "1", "--at", "2026-11-24 14:00", "a plain note"]);
    ok(
        &db,
        &[
            "log",
            "-i",
            "1",
            "--at",
            "2026-11-24 14:05",
            "--milestone",
            "detected",
            "paged",
        ],
    );
    let md = ok(&db, &["export", "1"]);
    assert!(
        !md.contains("## Appendix: full timeline"),
        "no key events: no appendix\n{md}"
    );
    let timeline = md.split("## Timeline").nth(1).unwrap().split("\n## ").next().unwrap();
    assert!(
        timeline.contains("a plain note"),
        "no key events: the Timeline is every event\n{md}"
    );

    ok(
        &db,
        &[
            "log",
            "-i",
            "1",
            "--key",
            "--at",
            "2026-11-24 14:10",
            "provider timing out",
        ],
    );
    let md = ok(&db, &["export", "1"]);
    let timeline = md.split("## Timeline").nth(1).unwrap().split("\n## ").next().unwrap();
    assert!(
        timeline.contains("provider timing out") && timeline.contains("Detected"),
        "{md}"
    );
    assert!(!timeline.contains("a plain note"), "{md}");
    let appendix = md.split("## Appendix: full timeline").nth(1).expect("an appendix");
    assert!(
        appendix.contains("a plain note") && appendix.contains("★ 14:10"),
        "{md}"
    );
    let footer = md.rfind("*Written by debrief").unwrap();
    assert!(
        md.find("## Appendix").unwrap() < footer && md.find("## Actions").unwrap() < md.find("## Appendix").unwrap()
    );
}

/// A line repeated ×80 is 80 lines of its import's fold (and 80 errors when it is one).
#[test]
fn the_fold_counts_repeated_lines_not_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (db, store) = demo_store(dir.path());
    drop(store);
    let mut log = String::from("2026-11-24T13:00:00Z INFO start\n");
    log.push_str(&"2026-11-24T13:00:01Z ERROR pool exhausted\n".repeat(80));
    log.push_str("2026-11-24T13:00:02Z WARN retrying\n");
    let file = dir.path().join("burst.log");
    std::fs::write(&file, &log).unwrap();
    ok(&db, &["import", "-i", "1", "--zone", "UTC", file.to_str().unwrap()]);
    let store = Store::open(&db, "facilitator").unwrap();
    let folds = store.import_folds(1).unwrap();
    let fold = folds.iter().find(|f| f.source.to_db().ends_with("burst.log")).unwrap();
    assert_eq!((fold.lines, fold.errors), (82, 80));
    let mut app = app_on(store, Theme::dark());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('v'));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("▸ 82 lines from burst.log · 80 errors"), "{text}");
}
